"""Legal consultation: appointments at an office (in person or by video) and questions asked online."""

from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "jfs.consultations"
    label = "consultations"

    def ready(self) -> None:
        # governance/consultation.yaml is checked at start-up: a broken file stops the server with its problem
        from django.core.exceptions import ImproperlyConfigured

        from jfs.consultations import policy

        try:
            policy.load()
        except (policy.ConsultationPolicyError, OSError) as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        from jfs.cases.services import register_step_hook
        from jfs.consultations.services import advice_given, send_reminders
        from jfs.core.tasks import register_periodic

        # the citizen who asked online is told when an officer records the advice
        register_step_hook(advice_given)
        # every worker tick reminds citizens of tomorrow's appointments
        register_periodic("consultation_reminders", send_reminders, order=30)
