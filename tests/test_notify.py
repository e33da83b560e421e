"""Notifications: the inbox message is recorded at once; copies go by the citizen's chosen
channels through the real gateways to the local simulator (tests/gateway_support.py); an SMS
gateway that is down leaves the delivery queued and retried with backoff, then given up, while the
inbox keeps the message; quiet hours hold non-urgent copies; LINE retries carry the same retry key."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from jfs.accounts.models import User
from jfs.audit.models import AuditEvent
from jfs.core import clock
from jfs.core.models import Notification
from jfs.core.tasks import PERIODIC
from jfs.notify import gateways, policy, selectors, services
from jfs.notify.models import EMAIL, FAILED, GIVEN_UP, LINE, QUEUED, SENT, SMS, Delivery
from jfs.portal.access import ASSURANCE_KEY

if TYPE_CHECKING:
    from tests.gateway_support import GatewaySim

#: the gateway simulator fixtures (gateway_sim, gw)
pytest_plugins = ["tests.gateway_support"]

pytestmark = pytest.mark.django_db

BKK = ZoneInfo("Asia/Bangkok")
DAY = datetime(2026, 3, 10, 10, 0, tzinfo=BKK)  # a Tuesday morning in Thailand
NIGHT = datetime(2026, 3, 10, 22, 30, tzinfo=BKK)
LINE_ID = "U" + "0123456789abcdef" * 2


@pytest.fixture
def citizen() -> User:
    user = User.objects.create_user(username="citizen-notify", role="citizen", first_name="สมชาย")
    choice, problems = services.set_channels(
        user, sms=True, sms_number="081-234-5678", email=True, email_address="somchai@example.com",
        line=True, line_user_id=LINE_ID,
    )  # fmt: skip
    assert problems == [] and choice is not None
    return user


def _tell(citizen: User, capture: Any, *, urgent: bool = False) -> Notification:
    with capture(execute=True):
        return services.notify(
            recipient=citizen, kind="request_update", subject="คำขอของท่านได้รับการพิจารณาแล้ว",
            body="โปรดดูรายละเอียดในระบบ", subject_en="Your request was decided", body_en="See the details",
            link="/my/requests/JF1-50-2569-00001/", urgent=urgent,
        )  # fmt: skip


def test_notify_records_the_inbox_message_and_queues_one_delivery_per_chosen_channel(
    citizen: User, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(DAY, tick=False):
        note = _tell(citizen, django_capture_on_commit_callbacks)
    assert selectors.inbox(citizen.pk) == [note]
    deliveries = {d.channel: d for d in selectors.deliveries_of(note.pk)}
    assert set(deliveries) == {SMS, EMAIL, LINE}
    assert deliveries[SMS].address == "+66812345678"
    assert all(d.status == QUEUED for d in deliveries.values())
    assert "/my/requests/JF1-50-2569-00001/" in deliveries[SMS].text


def test_nothing_is_queued_before_the_transaction_commits(
    citizen: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note = services.notify(recipient=citizen, kind="k", subject="ทดสอบ", body="")
    assert Delivery.objects.filter(notification=note).count() == 0
    assert len(callbacks) == 1


def test_a_citizen_without_channels_gets_the_inbox_message_only(django_capture_on_commit_callbacks: Any) -> None:
    user = User.objects.create_user(username="inbox-only", role="citizen")
    note = _tell(user, django_capture_on_commit_callbacks)
    assert selectors.inbox(user.pk) == [note]
    assert Delivery.objects.count() == 0


def test_each_channel_is_delivered_in_its_wire_format_and_every_message_recorded(
    citizen: User, gw: GatewaySim, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(DAY, tick=False):
        note = _tell(citizen, django_capture_on_commit_callbacks)
        assert services.send_due() == 3
    sms, mail, line = gw.messages("sms"), gw.messages("smtp"), gw.messages("line")
    assert [m["to"] for m in sms] == ["66812345678"] and sms[0]["sender"] == "JFUND"
    assert "คำขอของท่านได้รับการพิจารณาแล้ว" in sms[0]["text"]
    assert mail[0]["to"] == ["somchai@example.com"] and mail[0]["subject"] == "คำขอของท่านได้รับการพิจารณาแล้ว"
    assert "โปรดดูรายละเอียดในระบบ" in mail[0]["text"]
    assert line[0]["to"] == LINE_ID and "/my/requests/JF1-50-2569-00001/" in line[0]["text"]
    deliveries = {d.channel: d for d in selectors.deliveries_of(note.pk)}
    assert all(d.status == SENT and d.attempts == 1 and d.sent_at for d in deliveries.values())
    assert deliveries[SMS].provider_id == sms[0]["message_id"]
    assert deliveries[LINE].retry_key.__str__() == line[0]["retry_key"]


def test_an_sms_gateway_that_is_down_leaves_the_delivery_queued_and_retried_with_backoff(
    citizen: User, gw: GatewaySim, django_capture_on_commit_callbacks: Any
) -> None:
    gw.fault("sms", "down", times=2)
    with time_machine.travel(DAY, tick=False) as traveller:
        note = _tell(citizen, django_capture_on_commit_callbacks)
        services.send_due()
        sms = Delivery.objects.get(notification=note, channel=SMS)
        assert (sms.status, sms.attempts) == (FAILED, 1)
        assert "SMS" in sms.last_error and "+668" not in sms.last_error
        first_wait = sms.next_attempt_at - clock.now()
        assert timedelta(seconds=47) <= first_wait <= timedelta(seconds=73)  # 60 s +/- 20 %
        # the citizen still sees the message in the inbox
        assert selectors.inbox(citizen.pk) == [note]
        assert services.send_due() == 0  # not due yet: nothing is hammered
        traveller.shift(first_wait + timedelta(seconds=1))
        services.send_due()
        sms.refresh_from_db()
        assert (sms.status, sms.attempts) == (FAILED, 2)
        second_wait = sms.next_attempt_at - clock.now()
        assert timedelta(seconds=95) <= second_wait <= timedelta(seconds=145)  # doubled
        traveller.shift(second_wait + timedelta(seconds=1))
        assert services.send_due() == 1
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == (SENT, 3, "")
    assert len(gw.messages("sms")) == 1  # sent once


def test_a_delivery_is_given_up_after_the_limit_and_the_inbox_message_stays(
    citizen: User, gw: GatewaySim, django_capture_on_commit_callbacks: Any
) -> None:
    gw.fault("sms", "500")
    limit = policy.load().max_attempts
    with time_machine.travel(DAY, tick=False) as traveller:
        note = _tell(citizen, django_capture_on_commit_callbacks)
        for _ in range(limit):
            services.send_due()
            traveller.shift(timedelta(hours=2))
    gw.clear_faults()
    sms = Delivery.objects.get(notification=note, channel=SMS)
    assert (sms.status, sms.attempts) == (GIVEN_UP, limit)
    assert "500" in sms.last_error
    assert Notification.objects.filter(pk=note.pk, recipient=citizen).exists()
    with time_machine.travel(DAY + timedelta(days=1), tick=False):
        services.send_due()
    sms.refresh_from_db()
    assert sms.status == GIVEN_UP and gw.messages("sms") == []


def test_quiet_hours_hold_non_urgent_copies_until_morning_and_let_urgent_ones_go(
    citizen: User, gw: GatewaySim, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(NIGHT, tick=False) as traveller:
        calm = _tell(citizen, django_capture_on_commit_callbacks)
        urgent = _tell(citizen, django_capture_on_commit_callbacks, urgent=True)
        assert services.send_due() == 3
        assert {d.status for d in selectors.deliveries_of(urgent.pk)} == {SENT}
        held = selectors.deliveries_of(calm.pk)
        assert {d.status for d in held} == {QUEUED}
        assert {d.next_attempt_at.astimezone(BKK) for d in held} == {datetime(2026, 3, 11, 8, 0, tzinfo=BKK)}
        traveller.move_to(datetime(2026, 3, 11, 7, 59, tzinfo=BKK))
        assert services.send_due() == 0
        traveller.move_to(datetime(2026, 3, 11, 8, 1, tzinfo=BKK))
        assert services.send_due() == 3
    assert len(gw.messages()) == 6


def test_a_retry_in_quiet_hours_waits_for_the_morning(
    citizen: User, gw: GatewaySim, django_capture_on_commit_callbacks: Any
) -> None:
    gw.fault("line", "429", times=1)
    with time_machine.travel(datetime(2026, 3, 10, 20, 59, 50, tzinfo=BKK), tick=False):
        note = _tell(citizen, django_capture_on_commit_callbacks)
        services.send_due()
    line = Delivery.objects.get(notification=note, channel=LINE)
    assert line.status == FAILED and "429" in line.last_error
    assert line.next_attempt_at.astimezone(BKK) == datetime(2026, 3, 11, 8, 0, tzinfo=BKK)


def test_a_line_retry_carries_the_same_retry_key_and_is_not_delivered_twice(
    citizen: User, gw: GatewaySim, django_capture_on_commit_callbacks: Any
) -> None:
    gw.fault("line", "500", times=1)
    with time_machine.travel(DAY, tick=False) as traveller:
        note = _tell(citizen, django_capture_on_commit_callbacks)
        services.send_due()
        line = Delivery.objects.get(notification=note, channel=LINE)
        assert line.status == FAILED
        traveller.shift(timedelta(minutes=5))
        services.send_due()
    line.refresh_from_db()
    assert line.status == SENT
    received = gw.messages("line")
    assert [m["retry_key"] for m in received] == [str(line.retry_key)]
    # the platform took a push whose answer was lost: the retry with the same key is not sent again
    message = gateways.Message(channel=LINE, address=LINE_ID, text="ซ้ำ", retry_key=str(line.retry_key))
    receipt = gateways.LineMessaging().send(message)
    assert receipt.provider_id == received[0]["request_id"]
    assert len(gw.messages("line")) == 1


def test_wrong_credentials_give_up_at_once(
    citizen: User, gw: GatewaySim, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.JFS_SMS_API_SECRET = "wrong"
    with time_machine.travel(DAY, tick=False):
        note = _tell(citizen, django_capture_on_commit_callbacks)
        services.send_due()
    sms = Delivery.objects.get(notification=note, channel=SMS)
    assert (sms.status, sms.attempts) == (GIVEN_UP, 1)
    assert "401" in sms.last_error


def test_a_one_time_code_is_sent_at_once_even_at_night_and_its_text_erased(
    gw: GatewaySim, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(NIGHT, tick=False), django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_code(
            channel=SMS, address="0812345678", text="รหัสของท่านคือ 123456", text_en="Your code is 123456"
        )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.urgent, delivery.text) == (SENT, True, "")
    assert [m["text"] for m in gw.messages("sms")] == ["รหัสของท่านคือ 123456"]
    with django_capture_on_commit_callbacks(execute=True):
        by_mail = services.send_code(channel=EMAIL, address="a@example.com", text="รหัส 654321", text_en="Code 654321")
    by_mail.refresh_from_db()
    assert by_mail.status == SENT
    assert "Code 654321" in gw.messages("smtp")[0]["text"]


def test_a_one_time_code_to_a_gateway_that_is_down_is_retried_by_the_worker(
    gw: GatewaySim, django_capture_on_commit_callbacks: Any
) -> None:
    gw.fault("sms", "down", times=1)
    with time_machine.travel(DAY, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            delivery = services.send_code(channel=SMS, address="0812345678", text="รหัส 111222", text_en="Code")
        delivery.refresh_from_db()
        assert delivery.status == FAILED and delivery.text == "รหัส 111222"
        traveller.shift(timedelta(minutes=2))
        assert services.send_due() == 1
    assert [m["text"] for m in gw.messages("sms")] == ["รหัส 111222"]


def test_a_one_time_code_is_not_taken_by_a_worker_while_its_own_attempt_is_pending(
    gw: GatewaySim, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(DAY, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=False) as pending:
            services.send_code(channel=SMS, address="0812345678", text="รหัส 333444", text_en="Code")
        assert services.claim_due(10) == []
        traveller.shift(timedelta(seconds=services.CLAIM_SECONDS + 1))  # the attempt never ran: the worker sends it
        assert services.send_due() == 1
    assert len(pending) == 1 and [m["text"] for m in gw.messages("sms")] == ["รหัส 333444"]


@pytest.mark.parametrize(
    ("channel", "address", "field"),
    [
        (SMS, "02-123-4567", "address"),
        (SMS, "12345", "address"),
        (EMAIL, "not-an-address", "address"),
        (LINE, LINE_ID, "channel"),
    ],  # fmt: skip
)
def test_a_code_to_an_address_that_cannot_take_it_is_refused_in_words(channel: str, address: str, field: str) -> None:
    with pytest.raises(services.InvalidChannel) as err:
        services.send_code(channel=channel, address=address, text="รหัส", text_en="code")
    assert err.value.field == field and err.value.th and err.value.en
    assert Delivery.objects.count() == 0


def test_channel_choices_are_checked_all_at_once_and_nothing_saved_when_wrong() -> None:
    user = User.objects.create_user(username="chooser", role="citizen")
    choice, problems = services.set_channels(
        user, sms=True, sms_number="02-123-4567", email=True, email_address="", line=True, line_user_id="somchai"
    )
    assert choice is None
    assert [p.field for p in problems] == ["sms_number", "email_address", "line_user_id"]
    assert "มือถือ" in problems[0].th
    assert selectors.channels_of(user.pk) is None
    choice, problems = services.set_channels(
        user, sms=True, sms_number="๐๘๑ ๒๓๔ ๕๖๗๘", email=False, email_address="", line=False, line_user_id=""
    )
    assert problems == [] and choice is not None and choice.addresses() == [(SMS, "+66812345678")]


def test_deliveries_are_claimed_once(citizen: User, django_capture_on_commit_callbacks: Any) -> None:
    with time_machine.travel(DAY, tick=False):
        _tell(citizen, django_capture_on_commit_callbacks)
        first = services.claim_due(10)
        second = services.claim_due(10)
    assert len(first) == 3 and second == []


def test_logs_name_no_number_or_address(
    citizen: User, gw: GatewaySim, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    gw.fault("sms", "down", times=1)
    with caplog.at_level(logging.INFO, logger="jfs.notify"), time_machine.travel(DAY, tick=False):
        _tell(citizen, django_capture_on_commit_callbacks)
        services.send_due()
    text = caplog.text
    assert "delivery" in text
    for personal in ("812345678", "somchai@example.com", LINE_ID):
        assert personal not in text


def test_the_worker_tick_runs_the_delivery_job() -> None:
    assert PERIODIC["notifications_sent"].run is services.send_due


def test_backoff_doubles_up_to_the_cap_with_jitter_inside_its_bounds() -> None:
    rules = policy.load()
    rng = random.Random(1)
    for attempt in range(1, 12):
        raw = min(rules.base_seconds * 2 ** (attempt - 1), rules.max_backoff_seconds)
        wait = rules.backoff(attempt, rng).total_seconds()
        assert raw * (1 - rules.jitter) <= wait <= raw * (1 + rules.jitter)


def test_quiet_hours_span_midnight() -> None:
    rules = policy.load()
    assert rules.is_quiet(datetime(2026, 3, 10, 21, 0, tzinfo=BKK))
    assert rules.is_quiet(datetime(2026, 3, 11, 3, 0, tzinfo=BKK))
    assert not rules.is_quiet(datetime(2026, 3, 11, 8, 0, tzinfo=BKK))
    assert rules.quiet_ends(datetime(2026, 3, 11, 3, 0, tzinfo=BKK)) == datetime(2026, 3, 11, 8, 0, tzinfo=BKK)
    assert rules.unconfirmed is True and rules.source


def test_a_broken_policy_file_is_refused_in_words() -> None:
    with pytest.raises(policy.NotifyPolicyError, match="quiet_hours"):
        policy.parse({"quiet_hours": {"start": "late", "end": "08:00"}, "retry": {}})


# --- the portal's pages --------------------------------------------------------------------------


def _signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    session = client.session
    session[ASSURANCE_KEY] = "one_time_code"
    session.save()
    return client


def test_the_inbox_lists_messages_newest_first_with_unread_in_words_and_opening_one_marks_it_read(
    client: Client, citizen: User, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(DAY, tick=False) as traveller:
        older = services.notify(recipient=citizen, kind="k", subject="ข้อความเก่า", body="")
        traveller.shift(timedelta(hours=1))
        newer = services.notify(
            recipient=citizen, kind="k", subject="ข้อความใหม่", body="รายละเอียด", link="/my/requests/"
        )
    _signed_in(client, citizen)
    page = client.get(reverse("portal:inbox")).content.decode()
    assert page.index("ข้อความใหม่") < page.index("ข้อความเก่า")
    assert page.count("ยังไม่ได้อ่าน") >= 2
    opened = client.get(reverse("portal:inbox_message", args=[newer.pk])).content.decode()
    assert "รายละเอียด" in opened and 'href="/my/requests/"' in opened
    newer.refresh_from_db()
    older.refresh_from_db()
    assert newer.read_at is not None and older.read_at is None


def test_another_citizens_message_is_not_found_and_the_attempt_audited(client: Client, citizen: User) -> None:
    other = User.objects.create_user(username="other-citizen", role="citizen")
    note = services.notify(recipient=citizen, kind="k", subject="ของสมชาย", body="")
    _signed_in(client, other)
    assert client.get(reverse("portal:inbox_message", args=[note.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="portal_access_refused", object_id=str(note.pk)).exists()
    note.refresh_from_db()
    assert note.read_at is None


def test_a_link_elsewhere_is_not_offered_onward(client: Client, citizen: User) -> None:
    note = services.notify(recipient=citizen, kind="k", subject="ลิงก์", body="", link="//evil.example/")
    _signed_in(client, citizen)
    assert "evil.example" not in client.get(reverse("portal:inbox_message", args=[note.pk])).content.decode()


@pytest.mark.parametrize("link", ["/\\evil.example/", "/\\/evil.example/", "https://evil.example/"])
def test_a_link_that_a_browser_reads_as_another_site_is_not_offered_onward(
    client: Client, citizen: User, link: str
) -> None:
    note = services.notify(recipient=citizen, kind="k", subject="ลิงก์", body="", link=link)
    _signed_in(client, citizen)
    assert "evil.example" not in client.get(reverse("portal:inbox_message", args=[note.pk])).content.decode()


def test_a_link_within_the_site_is_offered_onward(client: Client, citizen: User) -> None:
    note = services.notify(recipient=citizen, kind="k", subject="ลิงก์", body="", link="/my/requests/JF1-50-2569-00001/")
    _signed_in(client, citizen)
    page = client.get(reverse("portal:inbox_message", args=[note.pk])).content.decode()
    assert 'href="/my/requests/JF1-50-2569-00001/"' in page


def test_the_channels_page_saves_choices_and_shows_every_problem_on_its_field(client: Client) -> None:
    user = User.objects.create_user(username="channels-page", role="citizen", phone="+66812345678")
    _signed_in(client, user)
    first = client.get(reverse("portal:channels")).content.decode()
    assert 'value="081-234-5678"' in first
    bad = client.post(reverse("portal:channels"), {"sms": "on", "sms_number": "02-123-4567", "line": "on"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert 'href="#id_sms_number"' in text and 'href="#id_line_user_id"' in text and "มือถือ" in text
    assert 'value="02-123-4567"' in text  # what was typed is kept
    assert selectors.channels_of(user.pk) is None
    good = client.post(reverse("portal:channels"), {"sms": "on", "sms_number": "0812345678", "email_address": ""})
    assert good.status_code == 303
    choice = selectors.channels_of(user.pk)
    assert choice is not None and choice.addresses() == [(SMS, "+66812345678")]


def test_the_inbox_pages_are_for_signed_in_citizens(client: Client) -> None:
    for name in ("portal:inbox", "portal:channels"):
        assert client.get(reverse(name)).status_code == 302
