from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "jfs.grants"
    label = "grants"

    def ready(self) -> None:
        # the assessment's criteria are checked at start-up: a broken file stops the server with its problem
        from django.core.exceptions import ImproperlyConfigured

        from jfs.grants import rules

        try:
            rules.rules()
        except (ValueError, OSError, KeyError, TypeError) as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        # a project's money leaves only as an instalment of its agreement (never from the payments page)
        from jfs.finance.services import register_payment_check
        from jfs.grants.services import grant_payment_check

        register_payment_check(grant_payment_check)
