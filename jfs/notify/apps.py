"""Notifications to people: the inbox, and delivery by SMS, e-mail and LINE through pluggable
gateways, with the citizen's chosen channels, quiet hours, retries with backoff, every message recorded."""

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "jfs.notify"
    label = "notify"

    def ready(self) -> None:
        # governance/notifications.yaml is checked at start-up: a broken file stops the server with its problem
        from django.core.exceptions import ImproperlyConfigured

        from jfs.notify import policy

        try:
            policy.load()
        except (policy.NotifyPolicyError, OSError) as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        # every worker tick sends the SMS, e-mails and LINE messages that are due
        from jfs.core.tasks import register_periodic
        from jfs.notify.services import send_due

        register_periodic("notifications_sent", send_due, order=30)
