from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jfs.audit"
    label = "audit"

    def ready(self) -> None:
        # every worker tick seals the events appended since the last one; last, so that it also
        # seals what the other periodic jobs just recorded
        from jfs.audit.sealing import seal_for_tick
        from jfs.core.tasks import register_periodic

        register_periodic("audit_sealed", seal_for_tick, order=100)
