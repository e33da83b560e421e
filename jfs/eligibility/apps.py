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
            book = rulebook.load()
        except RuleDefinitionError as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        # the facts the services' details models name (json_schema_extra "fact") are in the vocabulary,
        # with the same values; a service's rule folder (its service.yaml's "rules") has criteria
        from jfs.eligibility.facts import detail_fact_problems

        problems = detail_fact_problems(book.vocabulary) + rulebook.rule_folder_problems(book)
        if problems:
            raise ImproperlyConfigured("service definitions do not match the rules:\n"
                                       + "\n".join(f"  - {p}" for p in problems))
        # the citizens' self-check: its questions, words and referrals (docs/self-check.md)
        from jfs.eligibility.selfcheck import data_problems

        problems = data_problems()
        if problems:
            raise ImproperlyConfigured("the self-check's data is not usable:\n" + "\n".join(f"  - {p}" for p in problems))
