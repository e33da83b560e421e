from django.apps import AppConfig


class BailConfig(AppConfig):
    name = "jfs.bail"
    label = "bail"

    def ready(self) -> None:
        # governance/bail.yaml is checked at start-up: a broken file stops the server with its problem
        from django.core.exceptions import ImproperlyConfigured

        from jfs.bail import policy

        try:
            policy.load()
        except (policy.BailPolicyError, OSError) as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        # bail money leaves only through a bail record, to its authority
        from jfs.bail.services import bail_payment_check, remind_hearings
        from jfs.core.tasks import register_periodic
        from jfs.finance.services import register_payment_check

        register_payment_check(bail_payment_check)
        # every worker tick reminds the responsible officers of the hearings coming up
        register_periodic("bail_reminders", remind_hearings, order=20)
