from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "jfs.eligibility"
    label = "eligibility"
    verbose_name = "Eligibility rules"

    def ready(self) -> None:
        # Load and validate the fact vocabulary and every rule file now: a broken
        # rule file stops the server at start-up with the list of problems.
        from django.core.exceptions import ImproperlyConfigured

        from jfs.eligibility import rulebook
        from jfslib.eligibility import RuleDefinitionError

        try:
            rulebook.load()
        except RuleDefinitionError as exc:
            raise ImproperlyConfigured(str(exc)) from exc
