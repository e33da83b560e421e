"""Writes of the notifications app: tell a person something (the inbox message at once, copies by
the channels they chose, on commit), send a one-time code to an address, the citizen's channel
choices, and the worker's job that sends the deliveries that are due (quiet hours, retries with
exponential backoff and jitter, then "given up"; the inbox message always stays)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q

from jfs.accounts.models import User
from jfs.core import clock
from jfs.core.models import Notification
from jfs.notify import gateways, policy
from jfs.notify.models import EMAIL, FAILED, GIVEN_UP, LINE, QUEUED, SENT, SMS, ChannelChoice, Delivery
from jfslib import thai_phone
from jfslib.bilingual import BilingualValueError

logger = logging.getLogger(__name__)

#: how long a worker holds a claimed delivery before another may take it (a crashed worker's claim lapses)
CLAIM_SECONDS = 300


class InvalidChannel(BilingualValueError):
    """A channel choice or address that cannot be used; ``field`` names the form field."""

    def __init__(self, th: str, en: str, field: str = ""):
        super().__init__(th, en)
        self.field = field


def mask(channel: str, address: str) -> str:
    """An address for logs: never the whole number, e-mail or LINE id."""
    if channel == EMAIL and "@" in address:
        return f"***@{address.rsplit('@', 1)[1]}"
    return f"***{address[-2:]}" if len(address) > 4 else "***"


def _portal_url(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return str(getattr(settings, "JFS_PORTAL_URL", "http://127.0.0.1:8000")).rstrip("/") + link


def _text_for(channel: str, note: Notification, body: str | None = None) -> str:
    """The copy of an inbox message sent on a channel: short for SMS, whole for e-mail and LINE
    (``body``, when given, in place of the inbox message's)."""
    url = _portal_url(note.link)
    if channel == SMS:
        return " ".join(part for part in (f"กองทุนยุติธรรม: {note.subject}", url) if part)
    text = note.body if body is None else body
    parts = [note.subject, text, url, "— กองทุนยุติธรรม (ดูข้อความทั้งหมดในกล่องข้อความของบริการออนไลน์)"]
    return "\n\n".join(part for part in parts if part)


def _first_send_at(urgent: bool) -> Any:
    now = clock.now()
    return now if urgent else policy.load().quiet_ends(now)


def notify(
    *,
    recipient: User,
    kind: str,
    subject: str,
    body: str,
    subject_en: str = "",
    body_en: str = "",
    link: str = "",
    urgent: bool = False,
    copy_body: str | None = None,
) -> Notification:
    """Record the message in the person's inbox now and, once the transaction commits, queue a copy
    on each channel they chose (SMS, e-mail, LINE). Copies wait for the end of quiet hours unless
    ``urgent``. Nothing is sent here: the worker sends what is due (``send_due``). ``copy_body``, when
    given, is the copies' text in place of ``body`` (words that belong only in the signed-in inbox)."""
    note = Notification.objects.create(
        recipient=recipient,
        kind=kind[:40],
        subject=subject[:300],
        body=body,
        subject_en=subject_en[:300],
        body_en=body_en,
        link=link[:300],
    )
    note_pk = note.pk
    transaction.on_commit(lambda: queue_copies(note_pk, urgent=urgent, body=copy_body))
    return note


def queue_copies(notification_pk: int, *, urgent: bool = False, body: str | None = None) -> list[Delivery]:
    """One delivery per channel the recipient chose for this inbox message (none twice); ``body``,
    when given, is the copies' text in place of the message's."""
    note = Notification.objects.filter(pk=notification_pk).select_related("recipient").first()
    if note is None:
        return []
    choice = ChannelChoice.objects.filter(user_id=note.recipient_id).first()
    if choice is None:
        return []
    already = set(Delivery.objects.filter(notification=note).values_list("channel", flat=True))
    when = _first_send_at(urgent)
    made = [
        Delivery(
            notification=note,
            channel=channel,
            address=address,
            subject=note.subject,
            text=_text_for(channel, note, body),
            urgent=urgent,
            next_attempt_at=when,
        )
        for channel, address in choice.addresses()
        if channel not in already
    ]
    return Delivery.objects.bulk_create(made)


def send_code(*, channel: str, address: str, text: str, text_en: str) -> Delivery:
    """Send a one-time code (``text`` holds it) to an address now: urgent (quiet hours do not
    hold it), tried once as soon as the transaction commits and retried by the worker if the
    gateway is down. Its text is erased once sent or given up. InvalidChannel for a bad address."""
    if channel == SMS:
        address = normalise_mobile(address, field="address")
    elif channel == EMAIL:
        address = normalise_email(address, field="address")
    else:
        raise InvalidChannel("ส่งรหัสได้ทาง SMS หรืออีเมลเท่านั้น", "A code is sent by SMS or e-mail only", "channel")
    body = text if channel == SMS or not text_en else f"{text}\n\n{text_en}"
    delivery = Delivery.objects.create(
        channel=channel,
        address=address,
        subject="รหัสผ่านใช้ครั้งเดียว กองทุนยุติธรรม / Justice Fund one-time code",
        text=body,
        urgent=True,
        next_attempt_at=clock.now(),
        # held for the attempt on commit, so a worker does not send it at the same moment; the hold
        # lapses (and the worker sends it) if that attempt never happens
        claimed_until=clock.now() + timedelta(seconds=CLAIM_SECONDS),
    )
    pk = delivery.pk
    transaction.on_commit(lambda: send_one(pk))
    return delivery


def normalise_mobile(raw: str, *, field: str = "sms_number") -> str:
    """A Thai mobile number in E.164; InvalidChannel for anything else (a landline cannot take SMS)."""
    try:
        e164 = thai_phone.to_e164(raw)
    except thai_phone.InvalidPhone as exc:
        raise InvalidChannel(exc.th, exc.en, field) from None
    kind = phonenumbers.number_type(phonenumbers.parse(e164)) if e164 else None
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise InvalidChannel(
            "ใส่หมายเลขโทรศัพท์มือถือ เช่น 081-234-5678 (โทรศัพท์บ้านรับ SMS ไม่ได้)",
            "Give a mobile number, e.g. 081-234-5678 (a landline cannot receive SMS)",
            field,
        )
    return e164


def normalise_email(raw: str, *, field: str = "email_address") -> str:
    address = (raw or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidChannel(
            "ใส่อีเมลให้ถูกต้อง เช่น somchai@example.com", "Give a valid e-mail address, e.g. somchai@example.com", field
        ) from None
    return address


def normalise_line_id(raw: str, *, field: str = "line_user_id") -> str:
    """A LINE user id as the Messaging API gives it: U followed by 32 hexadecimal characters."""
    value = (raw or "").strip()
    if len(value) != 33 or value[0] != "U" or any(c not in "0123456789abcdef" for c in value[1:].lower()):
        raise InvalidChannel(
            "รหัสผู้ใช้ LINE ไม่ถูกต้อง: ขึ้นต้นด้วย U ตามด้วยตัวอักษรและตัวเลข 32 ตัว",
            "The LINE user id is not valid: U followed by 32 letters and digits",
            field,
        )
    return value


def set_channels(
    user: User,
    *,
    sms: bool,
    sms_number: str,
    email: bool,
    email_address: str,
    line: bool,
    line_user_id: str,
) -> tuple[ChannelChoice | None, list[InvalidChannel]]:
    """Save the person's channel choices; a chosen channel needs its address. Every problem is
    returned at once (and nothing saved) so a form can show them all on their fields."""
    problems: list[InvalidChannel] = []
    clean: dict[str, Any] = {"sms": sms, "email": email, "line": line}
    for name, chosen, raw, check, need_th, need_en in (
        (
            "sms_number",
            sms,
            sms_number,
            normalise_mobile,
            "ใส่หมายเลขโทรศัพท์มือถือที่จะรับ SMS",
            "Give the mobile number for SMS",
        ),
        ("email_address", email, email_address, normalise_email, "ใส่อีเมลที่จะรับข้อความ", "Give the e-mail address"),
        ("line_user_id", line, line_user_id, normalise_line_id, "ใส่รหัสผู้ใช้ LINE", "Give the LINE user id"),
    ):
        raw = (raw or "").strip()
        if not raw:
            if chosen:
                problems.append(InvalidChannel(need_th, need_en, name))
            clean[name] = ""
            continue
        try:
            clean[name] = check(raw, field=name)
        except InvalidChannel as exc:
            problems.append(exc)
    if problems:
        return None, problems
    choice, _ = ChannelChoice.objects.update_or_create(user=user, defaults=clean)
    return choice, []


# --- the worker's job -------------------------------------------------------------------------


def _due() -> Q:
    now = clock.now()
    return Q(status__in=[QUEUED, FAILED], next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim_due(limit: int) -> list[int]:
    """Claim up to ``limit`` due deliveries for this worker, without a global lock: on PostgreSQL
    the candidates are read with ``SKIP LOCKED`` (rows another worker is reading are passed over);
    on every database each row is then taken by a conditional update (compare-and-set on its
    claim), so two workers never both get one."""
    with transaction.atomic():
        candidates = Delivery.objects.filter(_due()).order_by("-urgent", "next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        until = clock.now() + timedelta(seconds=CLAIM_SECONDS)
        return [pk for pk in ids if Delivery.objects.filter(_due(), pk=pk).update(claimed_until=until) == 1]


def send_one(pk: int) -> str:
    """Attempt one delivery now (if it is still to be sent); return its status afterwards."""
    delivery = Delivery.objects.filter(pk=pk).first()
    if delivery is None or delivery.status in (SENT, GIVEN_UP):
        return delivery.status if delivery else ""
    rules = policy.load()
    now = clock.now()
    if not delivery.urgent and rules.is_quiet(now):
        Delivery.objects.filter(pk=pk).update(next_attempt_at=rules.quiet_ends(now), claimed_until=None)
        return delivery.status
    message = gateways.Message(
        channel=delivery.channel,
        address=delivery.address,
        text=delivery.text,
        subject=delivery.subject,
        retry_key=str(delivery.retry_key),
    )
    attempts = delivery.attempts + 1
    is_code = delivery.notification_id is None
    try:
        receipt = gateways.gateway_for(delivery.channel).send(message)
    except gateways.GatewayError as exc:
        give_up = not exc.retryable or attempts >= rules.max_attempts
        wait_until = clock.now() + rules.backoff(attempts)
        if not delivery.urgent:
            wait_until = rules.quiet_ends(wait_until)
        fields: dict[str, Any] = {
            "attempts": attempts,
            "last_error": exc.words[:300],
            "claimed_until": None,
            "status": GIVEN_UP if give_up else FAILED,
            "next_attempt_at": delivery.next_attempt_at if give_up else wait_until,
        }
        if give_up and is_code:
            fields["text"] = ""
        Delivery.objects.filter(pk=pk).update(**fields)
        logger.warning(
            "notification delivery %s by %s to %s: attempt %s failed (%s)%s",
            pk,
            delivery.channel,
            mask(delivery.channel, delivery.address),
            attempts,
            exc.words,
            "; given up" if give_up else "; will retry",
        )
        return fields["status"]
    fields = {
        "attempts": attempts,
        "status": SENT,
        "sent_at": clock.now(),
        "provider_id": receipt.provider_id[:120],
        "claimed_until": None,
        "last_error": "",
    }
    if is_code:
        fields["text"] = ""
    Delivery.objects.filter(pk=pk).update(**fields)
    logger.info(
        "notification delivery %s by %s to %s: sent", pk, delivery.channel, mask(delivery.channel, delivery.address)
    )
    return SENT


def send_due() -> int:
    """The worker's periodic job: send the deliveries that are due; return how many were sent."""
    sent = 0
    for pk in claim_due(policy.load().batch):
        if send_one(pk) == SENT:
            sent += 1
    return sent


__all__ = ["EMAIL", "LINE", "SMS", "InvalidChannel", "notify", "send_code", "send_due", "set_channels"]
