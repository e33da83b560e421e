"""After an online application: messages between the applicant and the officer, and the
satisfaction survey after the decision."""

from typing import Any

from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "jfs.tracking"
    label = "tracking"

    def ready(self) -> None:
        # the applicant is told of the request's events once each is committed: a workflow step
        # saved (documents asked for, a decision, the appeal decided) and a decision letter issued
        from django.db.models.signals import post_save

        from jfs.cases.models import Transition
        from jfs.decisions.models import Letter
        from jfs.tracking.services import after_letter, after_transition

        def transition_saved(sender: type, instance: Transition, created: bool, **kwargs: Any) -> None:
            if created and not kwargs.get("raw"):
                after_transition(instance)

        def letter_saved(sender: type, instance: Letter, created: bool, **kwargs: Any) -> None:
            if created and not kwargs.get("raw"):
                after_letter(instance)

        post_save.connect(transition_saved, sender=Transition, dispatch_uid="tracking.transition_saved", weak=False)
        post_save.connect(letter_saved, sender=Letter, dispatch_uid="tracking.letter_saved", weak=False)
