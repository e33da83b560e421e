"""Complaints and feedback about the service, an officer or a lawyer: their own workflow and SLA."""

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "jfs.complaints"
    label = "complaints"

    def ready(self) -> None:
        # governance/complaints.yaml is checked at start-up: a broken file stops the server with its problem
        from django.core.exceptions import ImproperlyConfigured

        from jfs.complaints import policy

        try:
            policy.load()
        except (policy.ComplaintPolicyError, OSError) as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        # every worker tick escalates the complaints past their answer date to the office heads
        from jfs.complaints.services import escalate_overdue
        from jfs.core.tasks import register_periodic

        register_periodic("complaints_escalated", escalate_overdue, order=15)
