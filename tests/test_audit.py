"""The audit log: every write and every view of personal data leaves an event; the hash chain
is verified by ``manage.py verify_audit``, which names the first broken link."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from jfs.audit.models import AuditEvent
from jfs.audit.sealing import seal_pending
from jfs.audit.services import Event, record, record_many
from jfs.audit.verification import verify_chain
from jfs.cases import services
from jfs.cases.models import Person, PersonRevision, Transition
from jfslib import thai_id
from tests.conftest import DETAILS, applicant_input

pytestmark = pytest.mark.django_db


def events(action: str | None = None, **filters: Any) -> list[AuditEvent]:
    qs = AuditEvent.objects.order_by("id")
    if action:
        qs = qs.filter(action=action)
    return list(qs.filter(**filters))


# --------------------------------------------------------------------------- writes


def test_create_writes_an_event(make_request: Any, users: Any) -> None:
    req = make_request()
    [ev] = events("create", reference=req.number)
    assert (ev.actor_username, ev.actor_role, ev.actor_office) == ("intake.cm", "intake_officer", "50")
    assert (ev.object_type, ev.object_id) == ("request", str(req.pk))
    assert ev.details == {"service": "LIT", "office": "50"}


def test_update_writes_an_event_naming_fields_not_values(make_request: Any, users: Any) -> None:
    req = make_request()
    services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=req.version,
                            applicant=applicant_input(national_id=req.applicant.national_id, first_name="มานะ"),
                            details=dict(DETAILS["LIT"], court="ศาลแพ่ง"))
    [ev] = events("update", reference=req.number, object_type="request")
    assert "applicant.first_name" in ev.details["changed"] and "details.court" in ev.details["changed"]
    assert "มานะ" not in str(ev.details)  # personal data is named, never copied into the log
    t = Transition.objects.get(request=req, action="update")
    assert t.diff["applicant.first_name"] == ["…", "…"]
    [person_ev] = events("update", object_type="person", object_id=str(req.applicant_id))
    assert person_ev.details == {"changed": ["first_name"], "reason": "correction"}
    [rev] = PersonRevision.objects.filter(person=req.applicant_id)
    assert rev.previous == {"first_name": "สมปอง"} and rev.reason == "correction" and rev.request_id == req.pk


def test_registering_again_updates_the_person_and_keeps_what_was_on_file(make_request: Any, users: Any) -> None:
    """One record per person: a newer registration (any office) brings it up to date, and the
    earlier values are filed as a revision, audited by field name."""
    first = make_request()
    nid = first.applicant.national_id
    second = make_request(office="40", applicant={"national_id": nid, "monthly_income": "4200", "first_name": "มานี"})
    assert second.applicant_id == first.applicant_id
    person = Person.objects.get(pk=first.applicant_id)
    assert (person.first_name, person.monthly_income) == ("มานี", Decimal("4200"))
    [rev] = PersonRevision.objects.filter(person=person)
    assert rev.previous == {"first_name": "สมปอง", "monthly_income": "6000.00",  # and the Chiang Mai address
                            "province_code": "50", "district_code": "5001", "subdistrict_code": "500101"}
    assert (rev.reason, rev.request_id, rev.actor.username) == ("registration", second.pk, "officer.kk")
    [ev] = events("update", object_type="person")
    assert ev.details == {"changed": sorted(rev.previous), "reason": "registration"}
    assert ev.reference == second.number and "มานี" not in str(ev.details)
    with pytest.raises(PermissionError):
        rev.delete()
    # the same values again change nothing and file nothing
    make_request(office="40", applicant={"national_id": nid, "monthly_income": "4200", "first_name": "มานี"})
    assert PersonRevision.objects.filter(person=person).count() == 1


def test_assign_writes_an_event(make_request: Any) -> None:
    req = make_request(assign_to="officer.cm")
    [ev] = events("update", reference=req.number)
    assert ev.actor_username == "head.cm" and ev.details == {"changed": ["assigned_to"]}


def test_transition_writes_an_event(make_request: Any, act: Any) -> None:
    req = make_request()
    act(req, "intake.cm", "start_screening")
    [ev] = events("transition", reference=req.number)
    assert ev.details["action"] == "start_screening"
    assert (ev.details["from"], ev.details["to"]) == ("received", "screening")
    assert "state" in ev.details["changed"]


def test_upload_writes_an_event(make_request: Any, attach: Any) -> None:
    req = make_request()
    doc = attach(req, "intake.cm", "id_card")
    [ev] = events("document_upload", reference=req.number)
    assert (ev.object_type, ev.object_id) == ("document", str(doc.pk))
    assert ev.details == {"doc_type": "id_card", "content_type": "application/pdf", "size": doc.size,
                          "sanitised": [], "scan_status": "not_scanned"}  # what cleaning removed, the scan's verdict


def test_refused_write_leaves_no_event(make_request: Any, users: Any) -> None:
    req = make_request()
    before = AuditEvent.objects.count()
    with pytest.raises(services.NotPermitted):
        services.transition(actor=users["auditor"], request_id=req.pk, action="start_screening", expected_version=1)
    assert AuditEvent.objects.count() == before


# --------------------------------------------------------------------------- views of personal data


def test_case_page_view_writes_an_event_with_the_ip(make_request: Any, staff_client: Any) -> None:
    req = make_request(assign_to="officer.cm")
    staff_client.get(reverse("staff:case", args=[req.pk]), REMOTE_ADDR="10.1.2.3")
    [ev] = events("view_personal_data", object_type="request", object_id=str(req.pk))
    assert ev.actor_username == "officer.cm" and ev.purpose == "case handling" and ev.ip == "10.1.2.3"


@pytest.mark.parametrize("page", ["staff:queue", "staff:requests", "staff:overdue"])
def test_list_pages_write_one_event_naming_the_requests_shown(page: str, make_request: Any, login: Any) -> None:
    from datetime import timedelta

    long_ago = services.today() - timedelta(days=60)  # overdue, so it is on every list
    reqs = [make_request(assign_to="officer.cm", received_on=long_ago) for _ in range(3)]
    resp = login("officer.cm").get(reverse(page))
    assert resp.status_code == 200
    shown = [row["req"] for row in resp.context["rows"]]
    assert {r.pk for r in shown} == {r.pk for r in reqs}
    [ev] = events("view_personal_data", object_type="request_list", actor_username="officer.cm")
    assert ev.details == {"ids": [r.pk for r in shown], "references": [r.number for r in shown]}
    assert ev.purpose == "case handling" and ev.reference == "" and ev.object_id == ""


def test_api_reads_write_events(make_request: Any, api_client: Any) -> None:
    req = make_request()
    client = api_client("officer.cm")
    client.get("/api/v1/requests")
    client.get(f"/api/v1/requests/{req.pk}")
    [listed] = events("view_personal_data", object_type="request_list")
    assert listed.details == {"ids": [req.pk], "references": [req.number]} and listed.reference == req.number
    assert events("view_personal_data", object_type="request", object_id=str(req.pk))


def test_document_download_writes_an_event(make_request: Any, attach: Any, staff_client: Any) -> None:
    req = make_request()
    doc = attach(req, "intake.cm", "id_card")
    resp = staff_client.get(reverse("staff:document", args=[doc.pk]))
    assert resp.status_code == 200
    [ev] = events("view_personal_data", object_type="document")
    assert ev.object_id == str(req.pk) and ev.reference == req.number and ev.actor_username == "officer.cm"


def test_revealing_the_full_national_id_writes_its_own_event(make_request: Any, staff_client: Any) -> None:
    req = make_request(assign_to="officer.cm")
    nid = req.applicant.national_id
    url = reverse("staff:case", args=[req.pk])
    html = staff_client.get(url).content.decode()
    assert thai_id.format_id(nid) not in html and thai_id.mask(nid) in html
    assert not events("view_personal_data", object_type="national_id")

    html = staff_client.get(url, {"reveal": "id"}).content.decode()
    assert thai_id.format_id(nid) in html
    [ev] = events("view_personal_data", object_type="national_id")
    assert ev.object_id == str(req.pk) and ev.actor_username == "officer.cm"
    assert nid not in str(ev.details) and nid not in ev.reference


def test_the_case_page_shown_again_after_a_refused_action_is_audited_and_never_reveals(
    make_request: Any, staff_client: Any
) -> None:
    """A refused transition shows the case page again (after a redirect): that is a view of personal
    data too, and ``?reveal=id`` on the form's address shows nothing more."""
    req = make_request(assign_to="officer.cm")
    nid = req.applicant.national_id
    url = reverse("staff:transition", args=[req.pk]) + "?reveal=id"
    action = "decide_urgent"  # not allowed in "received": the page comes back with the refusal
    resp = staff_client.post(url, {"action_code": action, f"{action}-action": action,
                                   f"{action}-version": req.version, f"{action}-comment": ""}, follow=True)
    assert resp.redirect_chain[0][1] == 303 and resp.status_code == 200
    html = resp.content.decode()
    assert thai_id.format_id(nid) not in html and thai_id.mask(nid) in html
    [ev] = events("view_personal_data", object_type="request", reference=req.number)
    assert ev.actor_username == "officer.cm"
    assert not events("view_personal_data", object_type="national_id")


def test_every_action_the_system_records_can_be_searched_for() -> None:
    """The auditor's action filter lists every action any part of the system records."""
    import re
    from pathlib import Path

    from jfs.staff.audit_search import ACTIONS

    root = Path(__file__).resolve().parent.parent / "jfs"
    recorded = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        recorded |= set(re.findall(r'\brecord\(\s*"([a-z_]+)"', text))
        recorded |= set(re.findall(r'\bEvent\(\s*action="([a-z_]+)"', text))
        recorded |= set(re.findall(r'\b_audit\(\s*"([a-z_]+)"', text))  # an app's own audit helper
        recorded |= {a for pair in re.findall(r'\brecord\(\s*"([a-z_]+)" if .+? else "([a-z_]+)"', text) for a in pair}
    assert recorded and recorded <= set(ACTIONS), recorded - set(ACTIONS)


def test_sign_in_writes_an_event(login: Any, users: Any) -> None:
    login("head.cm")
    [ev] = events("login", actor_username="head.cm")
    assert ev.object_id == str(users["head.cm"].pk)


# --------------------------------------------------------------------------- the chain
# (more in test_audit_sealing.py: the sealer, checkpoints, exports, concurrent appends)


def _fill(n: int = 5) -> list[AuditEvent]:
    """n events, sealed: their positions in the chain, in order."""
    record_many(Event(action="test", object_type="thing", object_id=str(i), details={"i": i, "ชื่อ": "ทดสอบ"})
                for i in range(n))
    seal_pending()
    return list(AuditEvent.objects.filter(action="test").order_by("seq"))


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_verify_audit_passes_on_an_intact_chain(make_request: Any, act: Any) -> None:
    req = make_request()
    act(req, "intake.cm", "start_screening")
    _fill()
    record("test", object_type="thing", object_id="pending")  # appended after the sealing run
    n = AuditEvent.objects.count()
    out = verify()
    assert f"Audit chain intact: {n} events verified ({n - 1} sealed under 1 checkpoints, seals checked; " in out
    assert "1 pending, not yet sealed" in out
    assert verify_chain() == (n, None)


def test_appends_are_pending_until_the_sealer_chains_them() -> None:
    record_many(Event(action="test", object_type="thing", object_id=str(i)) for i in range(4))
    evs = events()
    assert [(e.seq, e.prev_hash, e.hash) for e in evs] == [(None, None, None)] * 4
    assert all(len(e.content_hash) == 64 for e in evs)
    seal_pending()
    evs = events()
    assert [e.seq for e in evs] == [1, 2, 3, 4]  # in id order
    assert evs[0].prev_hash == "0" * 64
    for a, b in zip(evs, evs[1:], strict=False):
        assert b.prev_hash == a.hash


def _table() -> str:
    return connection.ops.quote_name(AuditEvent._meta.db_table)


def test_verify_audit_reports_the_exact_seq_of_a_row_edited_with_raw_sql() -> None:
    evs = _fill(6)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {_table()} SET purpose = %s WHERE seq = %s", ["แก้ไขย้อนหลัง", evs[3].seq])
    with pytest.raises(CommandError) as exc:
        verify()
    assert f"Audit chain broken at event {evs[3].seq}:" in str(exc.value)
    assert "row edited" in str(exc.value) and f"({(evs[3].seq or 0) - 1} events before it are intact)" in str(exc.value)


def test_verify_audit_reports_an_edit_of_the_json_details() -> None:
    evs = _fill(3)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {_table()} SET details = %s WHERE seq = %s", ['{"i": 99}', evs[1].seq])
    with pytest.raises(CommandError, match=f"broken at event {evs[1].seq}:"):
        verify()


def test_verify_audit_reports_a_row_deleted_with_raw_sql() -> None:
    evs = _fill(6)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {_table()} WHERE seq = %s", [evs[2].seq])
    with pytest.raises(CommandError) as exc:
        verify()
    assert f"Audit chain broken at event {evs[2].seq}:" in str(exc.value) and "missing" in str(exc.value)


def test_verify_audit_reports_the_newest_row_deleted_with_raw_sql() -> None:
    evs = _fill(5)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {_table()} WHERE seq = %s", [evs[-1].seq])
    with pytest.raises(CommandError, match=f"broken at event {evs[-1].seq}: the newest sealed events are missing"):
        verify()


def test_verify_audit_reports_a_row_replaced_with_recomputed_hashes() -> None:
    """Rewriting a row with its content hash and its own link hash recomputed still breaks the
    link to the next event."""
    from jfs.audit.services import HASHED_FIELDS, content_hash, link_hash

    evs = _fill(5)
    ev = evs[1]
    values = {k: getattr(ev, k) for k in HASHED_FIELDS} | {"purpose": "forged"}
    digest = content_hash(values)
    assert ev.prev_hash is not None and ev.seq is not None
    forged = link_hash(ev.prev_hash, ev.seq, ev.pk, digest)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {_table()} SET purpose = %s, content_hash = %s, hash = %s WHERE seq = %s",
                    ["forged", digest, forged, ev.seq])
    with pytest.raises(CommandError, match=f"broken at event {evs[2].seq}: does not follow the previous event"):
        verify()


def test_audit_event_cannot_be_changed_or_deleted_through_the_orm() -> None:
    record("test", object_type="thing", object_id="1")
    ev = AuditEvent.objects.get()
    ev.purpose = "changed"
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        ev.delete()
    assert AuditEvent.objects.get().purpose == ""


def test_transition_history_cannot_be_changed_or_deleted(make_request: Any) -> None:
    req = make_request()
    t = Transition.objects.get(request=req)
    t.comment = "rewritten"
    with pytest.raises(PermissionError):
        t.save()
    with pytest.raises(PermissionError):
        t.delete()


def test_the_audit_search_names_actions_in_words_not_codes(login: Any, users: Any) -> None:
    login("head.cm")  # a sign-in: a "login" event
    page = login("auditor").get(reverse("audit:search"), {"action": "login"}).content.decode()
    assert "เข้าสู่ระบบ" in page and ">login<" not in page
    assert '<option value="admin_change">แก้ไขในหน้าผู้ดูแลระบบ</option>' in page
