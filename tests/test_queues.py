"""The queues: order (NULLs last on every database), filters, totals, colours by the whole standard,
closed requests' finish dates, the pages (50 rows, sorting, filters in the URL) and saved views."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jfs.accounts.models import User
from jfs.cases import selectors, services
from jfs.cases.models import Request
from jfs.staff import queues, saved_views
from jfs.staff.models import SavedView
from jfslib.sla import Colour, queue_colour
from jfslib.workdays import WorkingCalendar

pytestmark = pytest.mark.django_db

MakeRequest = Callable[..., Request]
Act = Callable[..., Request]


def _overdue_paused_new(make_request: MakeRequest, act: Act) -> tuple[Request, Request, Request]:
    """Three Chiang Mai requests assigned to officer.cm: one 45 days old (overdue), one paused
    waiting for documents (no step due date) and one received today."""
    late = make_request(received_on=services.today() - timedelta(days=45), assign_to="officer.cm")
    paused = make_request(assign_to="officer.cm")
    paused = act(paused, "officer.cm", "request_documents", comment="ขอสำเนาคำฟ้อง")
    new = make_request(assign_to="officer.cm")
    return Request.objects.get(pk=late.pk), Request.objects.get(pk=paused.pk), Request.objects.get(pk=new.pk)


# --------------------------------------------------------------------------- colours


def test_queue_colour_is_by_the_whole_standard() -> None:
    assert queue_colour(Colour.AMBER, Colour.GREEN, standard_applies=True) == Colour.GREEN
    assert queue_colour(Colour.RED, Colour.GREEN, standard_applies=True) == Colour.RED
    assert queue_colour(Colour.GREEN, Colour.RED, standard_applies=True) == Colour.RED
    assert queue_colour(Colour.GREEN, Colour.AMBER, standard_applies=True) == Colour.AMBER
    assert queue_colour(Colour.PAUSED, Colour.PAUSED, standard_applies=True) == Colour.PAUSED
    assert queue_colour(Colour.AMBER, Colour.DONE, standard_applies=True) == Colour.AMBER  # an appeal's own days
    # without the standard (project grants, consultations) the step's colour stands
    assert queue_colour(Colour.AMBER, Colour.AMBER, standard_applies=False) == Colour.AMBER


def test_a_new_request_is_not_amber_on_day_0(make_request: MakeRequest, users: dict[str, User]) -> None:
    req = make_request()
    sla = selectors.SlaReader(services.today()).read(req)
    assert sla.step == Colour.AMBER  # its first step has one day
    assert sla.queue == Colour.GREEN  # but 21 working days remain
    assert sla.step_left == 1
    words = queues.rows([req], users["intake.cm"])[0]
    assert (words["badge"], words["left"]) == ("ปกติ", "เหลือ 1 วันทำการ")  # the colour in words too
    consult = make_request(service="CONSULT")
    sla = selectors.SlaReader(services.today()).read(consult)
    assert sla.queue == sla.step  # no standard: the step's colour


def test_overdue_request_is_red_with_working_days_overdue(make_request: MakeRequest, act: Act,
                                                         users: dict[str, User]) -> None:
    late, _paused, _new = _overdue_paused_new(make_request, act)
    sla = selectors.SlaReader(services.today()).read(late)
    assert sla.queue == Colour.RED and sla.step_left is not None and sla.step_left < 0
    words = queues.rows([late], users["officer.cm"])[0]
    assert words["badge"] == f"เกินกำหนด {-sla.step_left} วันทำการ" and words["left"] == ""
    cal = WorkingCalendar.from_dates()
    assert late.step_due_on is not None
    assert -sla.step_left <= cal.working_days_between(late.step_due_on, services.today())


# --------------------------------------------------------------------------- order and filters


def test_paused_requests_never_sort_above_overdue_ones(make_request: MakeRequest, act: Act,
                                                       users: dict[str, User]) -> None:
    late, paused, new = _overdue_paused_new(make_request, act)
    assert paused.step_due_on is None and late.step_due_on is not None and late.step_due_on < services.today()
    order = [r.pk for r in selectors.my_queue(users["officer.cm"])]
    assert order == [late.pk, new.pk, paused.pk]
    qs = Request.objects.filter(pk__in=[late.pk, paused.pk, new.pk])
    assert [r.pk for r in selectors.order_requests(qs, "due")] == [late.pk, new.pk, paused.pk]
    # latest due first: the paused one still last, under the overdue one
    assert [r.pk for r in selectors.order_requests(qs, "-due")] == [new.pk, late.pk, paused.pk]
    assert [r.pk for r in selectors.order_requests(qs, "-received")][-1] == late.pk
    assert [r.pk for r in selectors.order_requests(qs, "nonsense")] == [late.pk, new.pk, paused.pk]
    sql = str(selectors.order_requests(qs, "due").query).upper()
    assert "NULLS LAST" in sql or "IS NULL" in sql


def test_filters_overdue_mine_waiting(make_request: MakeRequest, act: Act, users: dict[str, User]) -> None:
    late, paused, new = _overdue_paused_new(make_request, act)
    other = make_request(service="BAIL", assign_to="officer2.cm")
    qs = selectors.visible_requests(users["head.cm"])
    today = services.today()

    def pks(**params: str) -> set[int]:
        return set(selectors.apply_filters(qs, params, user=users["officer.cm"], today=today).values_list("pk", flat=True))

    assert pks(overdue="1") == {late.pk}
    assert pks(waiting="1") == {paused.pk}
    assert pks(mine="1") == {late.pk, paused.pk, new.pk}
    assert pks(service="BAIL") == {other.pk}
    assert pks(state="received", mine="1") == {late.pk, new.pk}
    assert pks(overdue="0") == {late.pk, paused.pk, new.pk, other.pk}
    # without the user or the day, "mine" and "overdue" are not applied (the API passes neither)
    assert set(selectors.apply_filters(qs, {"mine": "1", "overdue": "1"}).values_list("pk", flat=True)) == pks()


def test_next_action_names_the_users_actions_or_the_role_that_acts(make_request: MakeRequest,
                                                                   users: dict[str, User]) -> None:
    req = make_request(assign_to="officer.cm")
    # the step that moves it on, not the ways out (documents asked for, referral, withdrawal)
    mine = queues.next_action(req, users["officer.cm"])
    assert mine["mine"] == ["เริ่มตรวจสอบคำขอ"] and mine["others"] == 3
    waiting_for = queues.next_action(req, users["member.cm"])
    assert waiting_for["mine"] == [] and "เจ้าหน้าที่รับคำขอ" in waiting_for["roles"]
    # the head may only refer it elsewhere: the work waits for the officers, not for the head
    head = queues.next_action(req, users["head.cm"])
    assert head["mine"] == [] and head["roles"] == ["เจ้าหน้าที่รับคำขอ", "เจ้าหน้าที่ผู้รับผิดชอบคำขอ"]


def test_closed_request_shows_its_finish_date_not_a_deadline(make_request: MakeRequest, act: Act,
                                                             users: dict[str, User]) -> None:
    req = make_request(assign_to="officer.cm")
    req = act(req, "officer.cm", "withdraw", comment="ผู้ขอแจ้งถอน")
    row = queues.rows([Request.objects.select_related("applicant", "office", "assigned_to").get(pk=req.pk)],
                      users["officer.cm"])[0]
    assert row["finished_on"] == (req.closed_on or req.clock_stopped_on) is not None
    assert row["next"] == {"mine": [], "others": 0, "roles": []}


# --------------------------------------------------------------------------- pages


def _numbers(html: str, reqs: list[Request]) -> list[str]:
    return sorted((r.number for r in reqs if r.number in html), key=html.index)


def test_queue_page_columns_order_and_total(login: Callable[[str], Client], make_request: MakeRequest,
                                            act: Act) -> None:
    late, paused, new = _overdue_paused_new(make_request, act)
    client = login("officer.cm")
    resp = client.get(reverse("staff:queue"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert _numbers(html, [late, paused, new]) == [late.number, new.number, paused.number]
    assert "ทั้งหมด 3 คำขอ" in html
    assert "กทย.1 ช่วยเหลือการดำเนินคดี" in html  # the service by its name
    assert "เกินกำหนด" in html and "วันทำการ" in html
    assert "สมชาย รักงาน" in html  # the assignee by name
    assert 'aria-sort="ascending"' in html
    # sorted the other way by the header link
    html = client.get(reverse("staff:queue"), {"sort": "-due"}).content.decode()
    assert _numbers(html, [late, paused, new]) == [new.number, late.number, paused.number]
    assert 'aria-sort="descending"' in html


def test_queue_page_filters_stay_in_the_url(login: Callable[[str], Client], make_request: MakeRequest,
                                            act: Act) -> None:
    late, paused, new = _overdue_paused_new(make_request, act)
    client = login("officer.cm")
    html = client.get(reverse("staff:queue"), {"overdue": "1"}).content.decode()
    assert _numbers(html, [late, paused, new]) == [late.number] and "ทั้งหมด 1 คำขอ" in html
    assert 'id="f-overdue" name="overdue" value="1" checked' in html
    html = client.get(reverse("staff:queue"), {"waiting": "1"}).content.decode()
    assert _numbers(html, [late, paused, new]) == [paused.number]


def test_request_list_filters_and_sort(login: Callable[[str], Client], make_request: MakeRequest, act: Act) -> None:
    late, paused, new = _overdue_paused_new(make_request, act)
    client = login("head.cm")
    # the search form posts; the redirect carries the new filters and the sort
    resp = client.post(reverse("staff:request_search"), {"q": "", "overdue": "1", "sort": "number"})
    assert resp.status_code == 303 and "overdue=1" in resp["Location"] and "sort=number" in resp["Location"]
    html = client.get(resp["Location"]).content.decode()
    assert _numbers(html, [late, paused, new]) == [late.number] and "พบ 1 คำขอ" in html
    html = client.get(reverse("staff:requests"), {"sort": "-number"}).content.decode()
    assert "{#" not in html and "{%" not in html  # no template comment shown as text
    assert _numbers(html, [late, paused, new]) == sorted([late.number, paused.number, new.number], reverse=True)


def test_fifty_rows_a_page(login: Callable[[str], Client], make_request: MakeRequest) -> None:
    reqs = [make_request() for _ in range(queues.PAGE_SIZE + 2)]
    client = login("intake.cm")
    html = client.get(reverse("staff:queue")).content.decode()
    assert sum(r.number in html for r in reqs) == queues.PAGE_SIZE
    assert f"ทั้งหมด {len(reqs)} คำขอ" in html and "หน้า 1 จาก 2" in html
    html2 = client.get(reverse("staff:queue"), {"page": "2"}).content.decode()
    assert sum(r.number in html2 for r in reqs) == 2


def test_queue_queries_do_not_grow_with_the_rows(login: Callable[[str], Client], make_request: MakeRequest) -> None:
    client = login("intake.cm")
    make_request()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("staff:queue")).status_code == 200
    for _ in range(6):
        make_request(service="BAIL")
    with CaptureQueriesContext(connection) as more:
        assert client.get(reverse("staff:queue")).status_code == 200
    assert len(more) == len(few)


# --------------------------------------------------------------------------- saved views


def test_saved_views_per_user(login: Callable[[str], Client], users: dict[str, User]) -> None:
    client = login("officer.cm")
    resp = client.post(reverse("staff:saved_view_create"),
                       {"page": "queue", "name": "เกินกำหนดของฉัน", "query": "overdue=1&mine=1&sort=-due&q=3101&s=x"})
    assert resp.status_code == 303
    view = SavedView.objects.get(user=users["officer.cm"])
    assert view.query == "overdue=1&mine=1&sort=-due"  # the filters and the sort only, never a search
    assert resp["Location"] == reverse("staff:queue") + "?" + view.query
    html = client.get(reverse("staff:queue")).content.decode()
    assert "เกินกำหนดของฉัน" in html and f'href="/staff/?{view.query.replace("&", "&amp;")}"' in html
    # the same name replaces; an empty name is refused
    client.post(reverse("staff:saved_view_create"), {"page": "queue", "name": "เกินกำหนดของฉัน", "query": "waiting=1"})
    assert list(SavedView.objects.filter(user=users["officer.cm"]).values_list("query", flat=True)) == ["waiting=1"]
    resp = client.post(reverse("staff:saved_view_create"), {"page": "queue", "name": "  ", "query": "waiting=1"},
                       follow=True)
    assert "กรุณากรอกชื่อมุมมองที่จะบันทึก" in resp.content.decode()
    assert SavedView.objects.filter(user=users["officer.cm"]).count() == 1
    # another person neither sees nor deletes it
    other = login("officer2.cm")
    assert "เกินกำหนดของฉัน" not in other.get(reverse("staff:queue")).content.decode()
    assert other.post(reverse("staff:saved_view_delete", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert client.get(reverse("staff:saved_view_delete", args=[view.pk])).status_code == 405
    assert client.post(reverse("staff:saved_view_delete", args=[view.pk])).status_code == 303
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_saved_views_limit(users: dict[str, User]) -> None:
    for i in range(saved_views.MAX_SAVED_VIEWS):
        saved_views.save_view(users["officer.cm"], "queue", f"v{i}", "overdue=1")
    with pytest.raises(saved_views.SavedViewRefused):
        saved_views.save_view(users["officer.cm"], "queue", "one more", "overdue=1")
    saved_views.save_view(users["officer.cm"], "queue", "v0", "waiting=1")  # replacing is not adding
    saved_views.save_view(users["officer2.cm"], "queue", "v0", "waiting=1")  # another person's are theirs
    with pytest.raises(saved_views.SavedViewRefused):
        saved_views.save_view(users["officer.cm"], "elsewhere", "x", "")


