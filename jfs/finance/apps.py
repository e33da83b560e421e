from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "jfs.finance"
    label = "finance"

    def ready(self) -> None:
        # the chart of accounts is checked at start-up: a broken file stops the server with its problem
        from django.core.exceptions import ImproperlyConfigured

        from jfs.finance import accounts

        try:
            accounts.chart()
        except (ValueError, OSError, KeyError) as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        # an approval commits its approved amount per cost item, in the decision's own transaction
        from jfs.decisions.services import register_decision_hook
        from jfs.finance.services import commit_decision

        register_decision_hook(commit_decision)
