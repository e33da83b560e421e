from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "jfs.decisions"
    label = "decisions"

    def ready(self) -> None:
        # The authority file is checked at start-up: a broken file stops the server with its problem.
        from django.core.exceptions import ImproperlyConfigured

        from jfs.decisions import authority

        try:
            authority.load()
        except (authority.AuthorityFileError, OSError) as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        # The case services ask the decision rules for every deciding action and appeal.
        from jfs.cases.services import register_action_owner
        from jfs.decisions.services import OWNER

        register_action_owner(OWNER)
