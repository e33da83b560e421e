"""Office scoping: a request outside a user's office does not exist for them (404) unless it
is assigned to them; read-all roles see every office but write nothing; citizens get no
staff pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jfs.cases.models import Document, Request, Transition
from tests.conftest import KHON_KAEN, SAMPLE_FILES

pytestmark = pytest.mark.django_db


@pytest.fixture
def cm_request(make_request: Any, attach: Any) -> tuple[Request, Document]:
    """A Chiang Mai request with one document, assigned to a Chiang Mai officer."""
    req = make_request(assign_to="officer.cm")
    doc = attach(req, "intake.cm", "id_card")
    req.refresh_from_db()
    return req, doc


def transition_post(client: Client, req: Request, action: str = "start_screening", comment: str = "") -> Any:
    return client.post(reverse("staff:transition", args=[req.pk]), {
        "action_code": action, f"{action}-action": action, f"{action}-version": req.version,
        f"{action}-comment": comment,
    })


# --------------------------------------------------------------------------- other office: 404


def test_other_office_officer_gets_404_on_case_page(cm_request: Any, login: Any) -> None:
    req, _ = cm_request
    assert login("officer.kk").get(reverse("staff:case", args=[req.pk])).status_code == 404


def test_other_office_officer_gets_404_on_api_get(cm_request: Any, api_client: Any) -> None:
    req, _ = cm_request
    client = api_client("officer.kk")
    resp = client.get(f"/api/v1/requests/{req.pk}")
    assert resp.status_code == 404
    assert resp.json()["message_en"] == "Not found" and resp.json()["message_th"]
    assert client.get(f"/api/v1/requests/{req.pk}/transitions").status_code == 404
    assert client.get(f"/api/v1/requests/{req.pk}/documents").status_code == 404


def test_other_office_officer_gets_404_on_document_download(cm_request: Any, login: Any) -> None:
    _, doc = cm_request
    assert login("officer.kk").get(reverse("staff:document", args=[doc.pk])).status_code == 404


def test_other_office_officer_gets_404_on_transition_post(cm_request: Any, login: Any, api_client: Any) -> None:
    req, _ = cm_request
    assert transition_post(login("officer.kk"), req).status_code == 404
    resp = api_client("officer.kk").post(f"/api/v1/requests/{req.pk}/transitions",
                                         {"action": "start_screening", "version": req.version},
                                         content_type="application/json")
    assert resp.status_code == 404
    req.refresh_from_db()
    assert req.state == "received"


def test_other_office_officer_gets_404_on_upload_and_assign(cm_request: Any, login: Any, users: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    req, _ = cm_request
    client = login("officer.kk")
    resp = client.post(reverse("staff:upload", args=[req.pk]),
                       {"doc_type": "other", "file": SimpleUploadedFile("x.pdf", SAMPLE_FILES["pdf"])})
    assert resp.status_code == 404
    resp = client.post(reverse("staff:assign", args=[req.pk]), {"assignee": users["officer.kk"].pk, "version": req.version})
    assert resp.status_code == 404
    assert Document.objects.filter(request=req).count() == 1
    assert Request.objects.get(pk=req.pk).assigned_to == users["officer.cm"]


def test_other_office_requests_are_absent_from_lists_and_search(cm_request: Any, login: Any, api_client: Any,
                                                                  make_request: Any) -> None:
    req, _ = cm_request
    own = make_request(office="40", assign_to="officer.kk")
    client = login("officer.kk")

    def numbers(name: str, **params: str) -> list[str]:
        resp = client.get(reverse(name), params)
        assert resp.status_code == 200
        return [row["req"].number for row in resp.context["rows"]]

    for name in ("staff:queue", "staff:requests", "staff:overdue"):
        assert req.number not in numbers(name), name
    assert req.number not in client.get(reverse("staff:requests")).content.decode()
    assert numbers("staff:requests") == [own.number]
    assert numbers("staff:requests", q=req.number) == []
    assert numbers("staff:requests", office="50") == []
    data = api_client("officer.kk").get("/api/v1/requests").json()
    assert [i["number"] for i in data["items"]] == [own.number] and data["count"] == 1


def test_other_office_dashboard_counts_only_own_office(cm_request: Any, login: Any) -> None:
    resp = login("officer.kk").get(reverse("staff:dashboard"))
    assert resp.status_code == 200
    assert resp.context["total"] == 0


# --------------------------------------------------------------------------- assigned across offices


def test_officer_sees_and_works_on_another_office_s_request_assigned_to_them(
    make_request: Any, attach: Any, users: Any, login: Any, api_client: Any
) -> None:
    req = make_request(assign_to="officer.kk")
    doc = attach(req, "intake.cm", "id_card")
    req.refresh_from_db()
    client = login("officer.kk")
    assert client.get(reverse("staff:case", args=[req.pk])).status_code == 200
    assert api_client("officer.kk").get(f"/api/v1/requests/{req.pk}").status_code == 200
    resp = client.get(reverse("staff:document", args=[doc.pk]))
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == SAMPLE_FILES["pdf"]
    resp = transition_post(client, req)
    assert resp.status_code == 302
    req.refresh_from_db()
    assert req.state == "screening"
    assert Transition.objects.filter(request=req, action="start_screening", actor=users["officer.kk"]).exists()


def test_request_list_scope_is_the_office_until_a_request_elsewhere_is_assigned(
    make_request: Any, users: Any, login: Any
) -> None:
    """The list reads the office alone while the officer holds nothing elsewhere (so the
    office-leading indexes answer), and office-or-assignee once they do."""
    from jfs.cases import selectors

    own = make_request(office=KHON_KAEN)
    cm = make_request()
    officer = users["officer.kk"]
    assert not selectors.assigned_elsewhere(officer)
    assert set(selectors.visible_requests(officer)) == {own}
    url = reverse("staff:requests") + "?service=LIT"
    page = login("officer.kk").get(url).content.decode()
    assert own.number in page and cm.number not in page

    elsewhere = make_request(assign_to="officer.kk")
    assert selectors.assigned_elsewhere(officer)
    assert set(selectors.visible_requests(officer)) == {own, elsewhere}
    assert not selectors.assigned_elsewhere(users["officer.cm"])  # assigned in their own office only
    page = login("officer.kk").get(url).content.decode()
    assert own.number in page and elsewhere.number in page and cm.number not in page


def test_only_the_office_head_assigns_a_request_to_another_office(make_request: Any, users: Any) -> None:
    """An assignment opens the applicant's file to the assignee, so crossing offices is the head's call."""
    from jfs.cases import services
    from jfs.cases.errors import NotPermitted

    req = make_request()
    for username in ("intake.cm", "officer.cm"):
        with pytest.raises(NotPermitted):
            services.assign(actor=users[username], request_id=req.pk, assignee=users["officer.kk"],
                            expected_version=req.version)
    req = services.assign(actor=users["intake.cm"], request_id=req.pk, assignee=users["officer.cm"],
                          expected_version=req.version)  # within the office: any officer who may assign
    req = services.assign(actor=users["head.cm"], request_id=req.pk, assignee=users["officer.kk"],
                          expected_version=req.version)
    assert req.assigned_to == users["officer.kk"]


# --------------------------------------------------------------------------- read-all roles


@pytest.mark.parametrize("username", ["executive", "auditor"])
def test_read_all_roles_see_every_office(username: str, make_request: Any, login: Any, api_client: Any) -> None:
    cm = make_request(assign_to="officer.cm")
    kk = make_request(office="40", assign_to="officer.kk")
    client = login(username)
    for req in (cm, kk):
        resp = client.get(reverse("staff:case", args=[req.pk]))
        assert resp.status_code == 200
        assert resp.context["can_write"] is False and resp.context["actions"] == []
    html = client.get(reverse("staff:requests")).content.decode()
    assert cm.number in html and kk.number in html
    data = api_client(username).get("/api/v1/requests").json()
    assert {i["number"] for i in data["items"]} == {cm.number, kk.number}


@pytest.mark.parametrize("username", ["executive", "auditor"])
def test_read_all_roles_cannot_write(username: str, cm_request: Any, login: Any, api_client: Any,
                                     users: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    req, doc = cm_request
    client = login(username)
    assert client.get(reverse("staff:document", args=[doc.pk])).status_code == 200  # reading is allowed

    resp = transition_post(client, req)
    assert resp.status_code == 403
    resp = client.post(reverse("staff:upload", args=[req.pk]),
                       {"doc_type": "other", "file": SimpleUploadedFile("x.pdf", SAMPLE_FILES["pdf"])})
    assert resp.status_code == 403
    client.post(reverse("staff:assign", args=[req.pk]), {"assignee": users["officer2.cm"].pk, "version": req.version})
    assert client.get(reverse("staff:new_request")).status_code == 403

    api = api_client(username)
    resp = api.post(f"/api/v1/requests/{req.pk}/transitions", {"action": "start_screening", "version": req.version},
                    content_type="application/json")
    assert resp.status_code == 403
    assert resp.json()["code"] == "forbidden" and resp.json()["message_th"] and resp.json()["message_en"]
    resp = api.post(f"/api/v1/requests/{req.pk}/documents", {"doc_type": "other",
                    "file": SimpleUploadedFile("x.pdf", SAMPLE_FILES["pdf"])})
    assert resp.status_code == 403

    after = Request.objects.get(pk=req.pk)
    assert (after.state, after.version, after.assigned_to) == ("received", req.version, users["officer.cm"])
    assert Document.objects.filter(request=req).count() == 1


# --------------------------------------------------------------------------- citizens and anonymous visitors


STAFF_PAGES = ["staff:queue", "staff:dashboard", "staff:overdue", "staff:inbox", "staff:requests", "staff:new_request"]


def test_citizen_gets_no_staff_pages(cm_request: Any, users: Any) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    req, doc = cm_request
    citizen = users["citizen"]
    client = Client()
    # even a citizen who completes both factors is not staff (no activation code is ever issued to a
    # citizen, so the device is made here)
    device = TOTPDevice.objects.create(user=citizen, name="test", confirmed=True)
    # nor one who was given a password (the demo citizen has none: she signs in on the portal)
    citizen.set_password("demo-password-2569")
    citizen.save(update_fields=["password"])
    resp = client.post(reverse("accounts:login"), {"username": "citizen", "password": "demo-password-2569"})
    assert resp.status_code == 302
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("accounts:otp"), {"token": code}).status_code == 302
    for name in STAFF_PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    for url in (reverse("staff:case", args=[req.pk]), reverse("staff:document", args=[doc.pk])):
        resp = client.get(url)
        assert resp.status_code == 403 and req.applicant.last_name not in resp.content.decode()
    assert transition_post(client, req).status_code == 403
    req.refresh_from_db()
    assert req.state == "received"


def test_citizen_api_token_is_refused(cm_request: Any, users: Any) -> None:
    """No token is issued to a citizen; one moved to a citizen's account behind the service is refused."""
    from jfs.accounts.models import ApiToken
    from jfs.accounts.tokens import issue

    req, _ = cm_request
    raw = issue(users["officer.cm"], "moved")
    ApiToken.objects.update(user=users["citizen"])
    assert Client(headers={"authorization": f"Bearer {raw}"}).get(f"/api/v1/requests/{req.pk}").status_code == 401


def test_signed_in_without_second_factor_is_sent_to_log_in(cm_request: Any, users: Any) -> None:
    req, doc = cm_request
    client = Client()
    client.force_login(users["officer.cm"])  # password only, no TOTP
    for url in [reverse(n) for n in STAFF_PAGES] + [reverse("staff:case", args=[req.pk]),
                                                     reverse("staff:document", args=[doc.pk])]:
        resp = client.get(url)
        assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:login")), url


def test_anonymous_visitor_is_sent_to_log_in(cm_request: Any) -> None:
    req, doc = cm_request
    for url in (reverse("staff:case", args=[req.pk]), reverse("staff:document", args=[doc.pk])):
        resp = Client().get(url)
        assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:login"))


def test_case_page_renders_for_an_unassigned_request(make_request: Any, staff_client: Client) -> None:
    req = make_request()
    assert req.assigned_to is None
    resp = staff_client.get(reverse("staff:case", args=[req.pk]))
    assert resp.status_code == 200
    assert req.number in resp.content.decode()


def test_case_page_shows_the_officer_the_actions_of_their_role(cm_request: Any, staff_client: Client) -> None:
    req, _ = cm_request
    resp = staff_client.get(reverse("staff:case", args=[req.pk]))
    codes = [a.code for a, _form in resp.context["actions"]]
    assert codes == ["start_screening", "request_documents", "refer", "withdraw"]



def test_a_part_of_a_page_asked_for_after_the_session_ended_sends_the_page_to_sign_in(client: Any) -> None:
    """htmx (a polling registry panel) gets no sign-in page to swap into the panel: an HX-Redirect to
    the sign-in page, back to the page the person was on."""
    resp = client.get("/staff/requests/address-options/?a-province_code=50", HTTP_HX_REQUEST="true",
                      HTTP_HX_CURRENT_URL="http://testserver/staff/requests/7/?x=1")
    assert resp.status_code == 204
    assert resp["HX-Redirect"] == "/accounts/login/?next=/staff/requests/7/%3Fx%3D1"
    # an ordinary page load is redirected as before
    plain = client.get("/staff/requests/7/")
    assert plain.status_code == 302 and plain["Location"].startswith("/accounts/login/?next=")
