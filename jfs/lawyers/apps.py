from django.apps import AppConfig


class LawyersConfig(AppConfig):
    name = "jfs.lawyers"
    label = "lawyers"

    def ready(self) -> None:
        # The fee file is checked at start-up: a broken file stops the server with its problem.
        from django.core.exceptions import ImproperlyConfigured

        from jfs.lawyers import fees

        try:
            fees.load()
        except (fees.FeeFileError, OSError, KeyError) as exc:
            raise ImproperlyConfigured(f"governance/lawyer_fees.yaml: {exc}") from exc
        # A lawyer's fee is paid only to the lawyer engaged on the request (finance runs the check
        # under the item's lock before every disbursement).
        from jfs.finance.services import register_payment_check
        from jfs.lawyers.services import lawyer_payment_check

        register_payment_check(lawyer_payment_check)
