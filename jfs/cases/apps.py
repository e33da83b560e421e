from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jfs.cases"
    label = "cases"

    def ready(self) -> None:
        # Load and validate every workflow definition now: a broken definition
        # stops the server at start-up with the list of problems.
        from django.core.exceptions import ImproperlyConfigured

        # The same for every service's definition (services/<CODE>/service.yaml), loaded first:
        # the workflows include each service's own.
        from jfs.cases import service_registry, workflows
        from jfslib.workflow import WorkflowDefinitionError

        try:
            service_registry.load()
            workflows.load()
        except (service_registry.ServiceDefinitionError, WorkflowDefinitionError) as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        # /metrics: open requests past their due date
        from jfs.cases.metrics import sla_gauges
        from jfs.core.metrics import register_gauges

        register_gauges(sla_gauges)
        # every worker tick escalates late steps to the office heads
        from jfs.cases.escalation import escalate_overdue
        from jfs.core.tasks import register_periodic

        register_periodic("escalated", escalate_overdue, order=10)

        # The same for the government calendar's announced days (calendar/special_days.yaml).
        from jfs.cases import calendar
        from jfslib.special_days import SpecialDaysError

        try:
            calendar.special_days()
        except SpecialDaysError as exc:
            raise ImproperlyConfigured(str(exc)) from exc
