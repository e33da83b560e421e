import logging

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "jfs.exchange"
    label = "exchange"
    verbose_name = "Government data exchange"

    def ready(self) -> None:
        # httpx logs every request's full URL at INFO; GDX puts the ConsumerSecret and the
        # citizen's ID, names and birth date in query strings, so those lines must never be written.
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.WARNING)
        # every service's registry checks name known kinds (services/<CODE>/service.yaml)
        from django.core.exceptions import ImproperlyConfigured

        from jfs.exchange.services import unknown_check_kinds

        if problems := unknown_check_kinds():
            raise ImproperlyConfigured("service definitions are invalid:\n" + "\n".join(f"  - {p}" for p in problems))
        # Once-Only: a document a registry confirmed counts as on file for the case services
        from jfs.cases.services import register_document_confirmer
        from jfs.exchange.selectors import documents_confirmed_by_registry

        register_document_confirmer(documents_confirmed_by_registry)
        # a request registered, or whom it concerns corrected: the registries are asked once it is committed
        from jfs.cases.services import register_request_hook
        from jfs.exchange.services import checks_after_commit

        register_request_hook(checks_after_commit)
        # /metrics: each registry's circuit breaker
        from jfs.core.metrics import register_gauges
        from jfs.exchange.metrics import circuit_gauges

        register_gauges(circuit_gauges)
        # every worker tick queues a re-check of the registry checks that are due
        from jfs.core.tasks import register_periodic
        from jfs.exchange.tasks import schedule_due_retries

        register_periodic("registry_sweeps", schedule_due_retries, order=20)
