"""The message gateways behind one interface, one per channel, chosen by settings
(``JFS_NOTIFY_GATEWAYS``: channel -> dotted class path):

- SMS over HTTP in ThaiBulkSMS API v2's wire format (``POST {base}/sms``, form fields ``msisdn``,
  ``message``, ``sender``, HTTP basic auth with the API key and secret). UNCONFIRMED: the fund has
  no SMS contract yet; any Thai bulk-SMS provider with a documented HTTP API fits behind this class.
- e-mail through Django's configured e-mail backend (SMTP in production).
- LINE through the LINE Messaging API's push message (``POST {base}/v2/bot/message/push``, JSON
  ``{"to", "messages": [{"type": "text", "text"}]}``, ``Authorization: Bearer <channel access
  token>``, ``X-Line-Retry-Key``: the delivery's own UUID, kept across retries, so the platform
  does not deliver a retried message twice; its 409 answer means "already accepted").
- ``Memory``: keeps messages in this process (``OUTBOX``), for tests that do not start the simulator.

A gateway raises ``GatewayError`` with words (no personal data) and whether trying again may help.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

SMS = "sms"
EMAIL = "email"
LINE = "line"


@dataclass(frozen=True)
class Message:
    """What a gateway sends: to one address on its channel."""

    channel: str
    address: str
    text: str
    subject: str = ""
    retry_key: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class Sent:
    """A gateway's receipt: the provider's message id ("" when it gives none)."""

    provider_id: str = ""


class GatewayError(Exception):
    """A message was not sent. ``words`` says why (no address, no text); ``retryable``: a later
    attempt may succeed (down, timeout, 5xx, 429), or not (refused input, bad credentials)."""

    def __init__(self, words: str, *, retryable: bool = True):
        self.words = words
        self.retryable = retryable
        super().__init__(words)


class Gateway(Protocol):
    def send(self, message: Message) -> Sent: ...


def _conf(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _timeout() -> float:
    return float(_conf("JFS_NOTIFY_TIMEOUT", 5.0))


def _http_failure(service: str, response: httpx.Response) -> GatewayError:
    """A non-2xx answer in words: 429 and 5xx are worth retrying; other 4xx are not (401: our
    credentials are wrong; 400: the provider refused the message as written)."""
    code = response.status_code
    if code == 429:
        return GatewayError(f"{service}: too many requests (429); will retry", retryable=True)
    if code >= 500:
        return GatewayError(f"{service}: the provider failed ({code}); will retry", retryable=True)
    if code in (401, 403):
        return GatewayError(f"{service}: credentials refused ({code})", retryable=False)
    return GatewayError(f"{service}: message refused ({code})", retryable=False)


def _post(service: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        return httpx.post(url, timeout=_timeout(), **kwargs)
    except httpx.TimeoutException:
        raise GatewayError(f"{service}: no answer in time; will retry") from None
    except httpx.HTTPError as exc:
        raise GatewayError(f"{service}: could not connect ({type(exc).__name__}); will retry") from None


class ThaiBulkSms:
    """SMS by ThaiBulkSMS API v2 (unconfirmed choice of provider; see the module's docstring)."""

    def send(self, message: Message) -> Sent:
        base = str(_conf("JFS_SMS_BASE_URL", "http://127.0.0.1:8092/thaibulksms")).rstrip("/")
        auth = (str(_conf("JFS_SMS_API_KEY", "")), str(_conf("JFS_SMS_API_SECRET", "")))
        data = {
            "msisdn": message.address.lstrip("+"),
            "message": message.text,
            "sender": str(_conf("JFS_SMS_SENDER", "JFUND")),
        }
        response = _post("SMS", f"{base}/sms", data=data, auth=auth)
        if not response.is_success:
            raise _http_failure("SMS", response)
        try:
            answer = response.json()
            numbers = answer.get("phone_number_list") or []
            if not numbers and answer.get("bad_phone_number_list"):
                raise GatewayError("SMS: the provider refused the number", retryable=False)
            return Sent(str(numbers[0].get("message_id", "")) if numbers else "")
        except (ValueError, AttributeError, TypeError, IndexError):
            raise GatewayError("SMS: the provider's answer could not be read; will retry") from None


class DjangoEmail:
    """E-mail through Django's configured backend (SMTP: EMAIL_HOST/EMAIL_PORT)."""

    def send(self, message: Message) -> Sent:
        msg_id = f"<{uuid.UUID(message.retry_key).hex}@{_conf('JFS_EMAIL_DOMAIN', 'justicefund.local')}>"
        email = EmailMessage(
            subject=message.subject or message.text.split("\n", 1)[0][:120],
            body=message.text,
            from_email=str(_conf("JFS_NOTIFY_FROM_EMAIL", "no-reply@justicefund.local")),
            to=[message.address],
            headers={"Message-ID": msg_id},
        )
        try:
            email.send(fail_silently=False)
        except OSError as exc:  # smtplib.SMTPException is an OSError; so are refused connections
            raise GatewayError(f"e-mail: the mail server did not take it ({type(exc).__name__}); will retry") from None
        return Sent(msg_id)


class LineMessaging:
    """LINE Messaging API push message."""

    def send(self, message: Message) -> Sent:
        base = str(_conf("JFS_LINE_BASE_URL", "http://127.0.0.1:8092/line")).rstrip("/")
        body = {"to": message.address, "messages": [{"type": "text", "text": message.text[:5000]}]}
        headers = {
            "Authorization": f"Bearer {_conf('JFS_LINE_CHANNEL_TOKEN', '')}",
            "Content-Type": "application/json",
            "X-Line-Retry-Key": message.retry_key,
        }
        response = _post("LINE", f"{base}/v2/bot/message/push", content=json.dumps(body), headers=headers)
        if response.status_code == 409:  # the same retry key was accepted before: already sent
            return Sent(response.headers.get("x-line-accepted-request-id", ""))
        if not response.is_success:
            raise _http_failure("LINE", response)
        return Sent(response.headers.get("x-line-request-id", ""))


#: messages the Memory gateway took, newest last (tests)
OUTBOX: list[Message] = []
_outbox_lock = threading.Lock()


class Memory:
    """Keeps each message in ``OUTBOX`` (tests and development without the simulator)."""

    def send(self, message: Message) -> Sent:
        with _outbox_lock:
            OUTBOX.append(message)
        return Sent(f"memory-{len(OUTBOX)}")


DEFAULTS = {
    SMS: "jfs.notify.gateways.ThaiBulkSms",
    EMAIL: "jfs.notify.gateways.DjangoEmail",
    LINE: "jfs.notify.gateways.LineMessaging",
}


def gateway_for(channel: str) -> Gateway:
    """The gateway settings choose for a channel (``JFS_NOTIFY_GATEWAYS``, else the defaults)."""
    chosen = {**DEFAULTS, **dict(_conf("JFS_NOTIFY_GATEWAYS", {}))}
    if channel not in chosen:
        raise GatewayError(f"no gateway for channel {channel!r}", retryable=False)
    gateway: Gateway = import_string(chosen[channel])()
    return gateway
