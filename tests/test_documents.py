"""Uploads: the real type comes from the content; forged, empty and oversized files are refused
with 422 and a clear message; accepted files are stored outside the web root with their
SHA-256 and served only to permitted users. (Cleaning, malware scanning and the headers of
served files: tests/test_document_safety.py.)"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jfs.cases import services
from jfs.cases.errors import DocumentRejected
from jfs.cases.models import Document
from tests.conftest import SAMPLE_FILES

pytestmark = pytest.mark.django_db


@pytest.fixture
def req(make_request: Any) -> Any:
    return make_request(assign_to="officer.cm")


def upload_page(client: Client, req: Any, name: str, data: bytes, doc_type: str = "id_card") -> Any:
    return client.post(reverse("staff:upload", args=[req.pk]),
                       {"doc_type": doc_type, "file": SimpleUploadedFile(name, data)})


def upload_api(client: Client, req: Any, name: str, data: bytes, doc_type: str = "id_card") -> Any:
    return client.post(f"/api/v1/requests/{req.pk}/documents",
                       {"doc_type": doc_type, "file": SimpleUploadedFile(name, data)})


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


FORGED = [
    ("id_card.pdf", "png"),
    ("id_card.pdf", "exe"),
    ("id_card.pdf", "text"),
    ("id_card.png", "pdf"),
    ("id_card.jpg", "text"),
    ("setup.exe", "exe"),
    ("notes.txt", "text"),
]


@pytest.mark.parametrize(("name", "kind"), FORGED)
def test_forged_type_on_the_page_is_refused_with_422(req: Any, staff_client: Client, name: str, kind: str,
                                                      document_root: Path) -> None:
    resp = upload_page(staff_client, req, name, SAMPLE_FILES[kind])
    assert resp.status_code == 422
    [error] = resp.context["upload_form"].errors["file"]
    assert error.startswith((f"“{name}”: รับเฉพาะไฟล์ PDF, JPEG หรือ PNG", f"“{name}”: เนื้อไฟล์เป็น"))  # names the file
    assert error in resp.content.decode()  # shown on the page
    assert not Document.objects.filter(request=req).exists()
    assert stored_files(document_root) == []


@pytest.mark.parametrize(("name", "kind"), FORGED)
def test_forged_type_in_the_api_is_refused_with_422(req: Any, api_client: Any, name: str, kind: str) -> None:
    resp = upload_api(api_client("officer.cm"), req, name, SAMPLE_FILES[kind])
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "document_rejected" and body["message_th"]
    assert "PDF" in body["message_en"] or "name ends in" in body["message_en"]
    assert not Document.objects.filter(request=req).exists()


def test_text_content_named_pdf_is_refused_by_the_service(req: Any, users: Any) -> None:
    data = SAMPLE_FILES["text"]
    with pytest.raises(DocumentRejected) as exc:
        services.add_document(actor=users["officer.cm"], request_id=req.pk, doc_type="id_card", name="scan.pdf",
                              chunks=[data], size=len(data))
    assert "checked from the content, not the name" in exc.value.en


def test_empty_file_is_refused_with_422(req: Any, staff_client: Client, api_client: Any, users: Any) -> None:
    resp = upload_page(staff_client, req, "empty.pdf", b"")
    assert resp.status_code == 422 and resp.context["upload_form"].errors["file"]
    resp = upload_api(api_client("officer.cm"), req, "empty.pdf", b"")
    assert resp.status_code == 422
    with pytest.raises(DocumentRejected, match="empty"):
        services.add_document(actor=users["officer.cm"], request_id=req.pk, doc_type="id_card", name="e.pdf",
                              chunks=[b""], size=0)
    assert not Document.objects.exists()


def test_oversized_file_is_refused_with_422_and_a_clear_limit(req: Any, staff_client: Client, api_client: Any,
                                                             settings: Any, document_root: Path) -> None:
    settings.DOCUMENT_MAX_BYTES = 1000
    big = SAMPLE_FILES["pdf"] + b"0" * 2000
    resp = upload_page(staff_client, req, "big.pdf", big)
    assert resp.status_code == 422
    assert resp.context["upload_form"].errors["file"] == ["“big.pdf”: ไฟล์ใหญ่เกิน 1000 ไบต์"]
    assert "ไฟล์ใหญ่เกิน 1000 ไบต์" in resp.content.decode()
    resp = upload_api(api_client("officer.cm"), req, "big.pdf", big)
    assert resp.status_code == 422
    assert resp.json()["message_en"] == "File is larger than 1000 bytes"
    assert not Document.objects.exists() and stored_files(document_root) == []


def test_size_limit_is_also_checked_on_the_bytes_received(req: Any, users: Any, settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 2 * 1024 * 1024
    data = SAMPLE_FILES["pdf"] + b"0" * (2 * 1024 * 1024)
    with pytest.raises(DocumentRejected) as exc:
        services.add_document(actor=users["officer.cm"], request_id=req.pk, doc_type="id_card", name="a.pdf",
                              chunks=[data], size=10)  # a lying size
    assert exc.value.en == "File is larger than 2 MB"


def test_unknown_document_type_is_refused(req: Any, staff_client: Client, api_client: Any) -> None:
    assert upload_page(staff_client, req, "a.pdf", SAMPLE_FILES["pdf"], doc_type="passport").status_code == 422
    resp = upload_api(api_client("officer.cm"), req, "a.pdf", SAMPLE_FILES["pdf"], doc_type="passport")
    assert resp.status_code == 422 and "passport" in resp.json()["message_en"]


def test_upload_without_a_file_is_422(req: Any, staff_client: Client) -> None:
    resp = staff_client.post(reverse("staff:upload", args=[req.pk]), {"doc_type": "id_card"})
    assert resp.status_code == 422


@pytest.mark.parametrize(("kind", "name", "mime"), [
    ("pdf", "บัตรประชาชน.pdf", "application/pdf"),
    ("png", "id.PNG", "image/png"),
    ("jpeg", "id.jpeg", "image/jpeg"),
    ("jpeg", "photo", "image/jpeg"),  # no extension: the content decides
])
def test_valid_file_is_stored_outside_the_web_root_with_its_sha256(
    req: Any, staff_client: Client, kind: str, name: str, mime: str, document_root: Path
) -> None:
    data = SAMPLE_FILES[kind]
    resp = upload_page(staff_client, req, name, data)
    assert resp.status_code == 302
    doc = Document.objects.get(request=req)
    path = (document_root / doc.storage_name).resolve()
    stored = path.read_bytes()  # the cleaned file (tests/test_document_safety.py); these samples have nothing to remove
    assert (doc.content_type, doc.size, doc.original_name) == (mime, len(stored), name)
    assert doc.sha256 == hashlib.sha256(stored).hexdigest()  # of the stored file
    assert doc.original_sha256 == hashlib.sha256(data).hexdigest()  # of what was uploaded
    assert doc.cleaned and doc.sanitised == []
    assert document_root.resolve() in path.parents
    web_roots = [Path(django_settings.STATIC_ROOT), *map(Path, django_settings.STATICFILES_DIRS),
                 Path(django_settings.BASE_DIR) / "templates"]
    for root in web_roots:
        assert root.resolve() not in path.parents
    assert name not in doc.storage_name  # the stored name is not the user's


def test_api_upload_returns_the_sha256(req: Any, api_client: Any) -> None:
    data = SAMPLE_FILES["png"]
    resp = upload_api(api_client("officer.cm"), req, "id.png", data)
    assert resp.status_code == 201
    body = resp.json()
    doc = Document.objects.get(pk=body["id"])
    assert body["sha256"] == doc.sha256 and body["original_sha256"] == hashlib.sha256(data).hexdigest()
    assert body["content_type"] == "image/png" and body["scan_status"] == "not_scanned"
    listed = api_client("officer.cm").get(f"/api/v1/requests/{req.pk}/documents").json()
    assert [d["id"] for d in listed] == [body["id"]] and listed[0]["superseded"] is False


def test_new_upload_supersedes_the_previous_one_of_the_same_type(req: Any, attach: Any) -> None:
    first = attach(req, "officer.cm", "id_card")
    second = attach(req, "officer.cm", "id_card", kind="png")
    first.refresh_from_db()
    assert first.superseded_by == second and second.superseded_by is None
    others = [attach(req, "officer.cm", "other"), attach(req, "officer.cm", "other")]
    for d in others:
        d.refresh_from_db()
        assert d.superseded_by is None  # "other" documents accumulate


def test_download_is_served_only_to_permitted_users(req: Any, attach: Any, login: Any) -> None:
    doc = attach(req, "intake.cm", "id_card", kind="pdf")
    url = reverse("staff:document", args=[doc.pk])
    for username in ("officer.cm", "head.cm", "executive", "auditor"):
        resp = login(username).get(url)
        assert resp.status_code == 200, username
        assert b"".join(resp.streaming_content) == SAMPLE_FILES["pdf"]  # a clean PDF is stored as it came
        assert resp["Content-Type"] == "application/pdf"
        assert resp["Content-Disposition"] == 'attachment; filename="id_card.pdf"'
        assert "no-store" in resp["Cache-Control"] and "private" in resp["Cache-Control"]
    assert login("officer.kk").get(url).status_code == 404
    resp = Client().get(url)
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:login"))


def test_download_of_a_missing_file_or_unknown_document_is_404(req: Any, attach: Any, staff_client: Client,
                                                                document_root: Path) -> None:
    doc = attach(req, "intake.cm", "id_card")
    (document_root / doc.storage_name).unlink()
    assert staff_client.get(reverse("staff:document", args=[doc.pk])).status_code == 404
    assert staff_client.get(reverse("staff:document", args=[999999])).status_code == 404


def test_download_never_leaves_the_document_root(req: Any, attach: Any, staff_client: Client) -> None:
    doc = attach(req, "intake.cm", "id_card")
    Document.objects.filter(pk=doc.pk).update(storage_name="../../../../etc/passwd")
    assert staff_client.get(reverse("staff:document", args=[doc.pk])).status_code == 404


def test_file_name_with_a_nul_character_is_refused_by_the_service(req: Any, users: Any) -> None:
    data = SAMPLE_FILES["pdf"]
    with pytest.raises(services.InvalidInput) as exc:
        services.add_document(actor=users["officer.cm"], request_id=req.pk, doc_type="id_card", name="id\x00.pdf",
                              chunks=[data], size=len(data))
    assert exc.value.errors[0]["field"] == "file"
    assert not Document.objects.exists()
