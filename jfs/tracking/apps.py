"""After an online application: messages between the applicant and the officer, and the
satisfaction survey after the decision."""

from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "jfs.tracking"
    label = "tracking"

    def ready(self) -> None:
        # the applicant is told of the request's events once each is committed: a workflow step
        # saved (documents asked for, a decision, the appeal decided) and a decision letter issued;
        # the services that write them call these hooks (no model signals)
        from jfs.cases.services import register_step_hook
        from jfs.decisions.services import register_letter_hook
        from jfs.tracking.services import after_letter, after_transition

        register_step_hook(after_transition)
        register_letter_hook(after_letter)
