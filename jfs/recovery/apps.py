from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "jfs.recovery"
    label = "recovery"

    def ready(self) -> None:
        # the write-off authorities, the biller and the regions are checked at start-up
        from django.core.exceptions import ImproperlyConfigured

        from jfs.finance.services import register_payment_check
        from jfs.recovery import rules
        from jfs.recovery.services import refuse_bail_after_abscondence

        try:
            rules.check()
        except (ValueError, OSError, KeyError, TypeError) as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        register_payment_check(refuse_bail_after_abscondence)
