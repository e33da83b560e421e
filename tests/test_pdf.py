"""jfs.core.pdf: Thai text survives shaping and extraction, Sarabun is embedded, nothing is fetched."""

from __future__ import annotations

import copy
import http.server
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from jfs.core.pdf import FONT_DIR, LocalFetcher, pdf_font_names, pdf_text, render_pdf

#: tone marks, above and below vowels, SARA AM after a tone mark, Thai digits, ฤๅ
THAI = (
    "ผู้ขอรับความช่วยเหลือได้รับอนุมัติค่าธรรมเนียมศาล ๑๒,๕๐๐ บาท น้ำใจ "
    "กำหนดอุทธรณ์ภายใน ๓๐ วัน ฤๅษี"
)

_BODY = """{% extends "pdf/base.html" %}{% block title %}{{ title }}{% endblock %}
{% block content %}<p>{{ text }}</p><p><strong>{{ bold }}</strong></p>{{ extra|safe }}{% endblock %}"""


@pytest.fixture
def pdf_template(settings, tmp_path: Path) -> str:
    """A letter template in a temporary folder added to the template search path."""
    (tmp_path / "pdf_test").mkdir()
    (tmp_path / "pdf_test" / "letter.html").write_text(_BODY, encoding="utf-8")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    return "pdf_test/letter.html"


def _context(**extra: str) -> dict[str, str]:
    return {"office_name": "กองทุนยุติธรรม สำนักงานเชียงใหม่", "title": "หนังสือแจ้งผลการพิจารณา",
            "text": THAI, "bold": "คำวินิจฉัย", **extra}


def test_thai_text_comes_back_exactly(pdf_template: str) -> None:
    """The "Thai shaping" test: what the PDF says, read back, is what we wrote (whitespace aside)."""
    started = time.perf_counter()
    data = render_pdf(pdf_template, _context())
    elapsed = time.perf_counter() - started
    print(f"one-page Thai PDF rendered in {elapsed * 1000:.0f} ms ({len(data)} bytes)")
    text = pdf_text(data)
    assert THAI in text
    expected = "กองทุนยุติธรรม สำนักงานเชียงใหม่ " + THAI + " คำวินิจฉัย หน้า 1 จาก 1"
    assert text == expected


def test_sara_am_decomposition_draws_the_same_glyphs(pdf_template: str, monkeypatch) -> None:
    """Handing WeasyPrint ``ํา`` instead of ``ำ`` changes the text map, not one glyph on the page."""
    from jfs.core import pdf

    def page_stream(data: bytes) -> bytes:
        return PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data()

    decomposed = render_pdf(pdf_template, _context())
    monkeypatch.setattr(pdf, "_for_shaping", lambda html: html)
    as_written = render_pdf(pdf_template, _context())
    assert page_stream(decomposed) == page_stream(as_written)
    # and without it WeasyPrint's one-text-per-glyph map loses SARA AM (why the workaround exists)
    assert "น้ำใจ" not in pdf_text(as_written)


def test_sarabun_is_embedded_and_the_title_is_set(pdf_template: str) -> None:
    data = render_pdf(pdf_template, _context())
    assert {"Sarabun", "Sarabun-Bold"} <= pdf_font_names(data)
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None and reader.metadata.title == "หนังสือแจ้งผลการพิจารณา"
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    # the font program itself is in the file, not just its name
    page: Any = reader.pages[0]
    fonts: Any = page["/Resources"]["/Font"]
    for font in fonts.values():
        cid_font: Any = font.get_object()["/DescendantFonts"][0].get_object()
        descriptor = cid_font["/FontDescriptor"].get_object()
        assert len(descriptor["/FontFile2"].get_object().get_data()) > 1000


def test_page_numbers_count_all_pages(pdf_template: str) -> None:
    long = "".join(f"<p>ย่อหน้าที่ {i} {THAI}</p>" for i in range(60))
    text = pdf_text(render_pdf(pdf_template, _context(extra=long)))
    pages = len(PdfReader(io.BytesIO(render_pdf(pdf_template, _context(extra=long)))).pages)
    assert pages > 1
    assert f"หน้า 1 จาก {pages}" in text and f"หน้า {pages} จาก {pages}" in text


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A real local web server that records every request it gets."""
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    finally:
        server.shutdown()
        server.server_close()


def test_remote_resources_are_never_fetched(pdf_template: str, http_server: tuple[str, list[str]]) -> None:
    base, hits = http_server
    extra = (f'<img src="{base}/logo.png" alt="">'
             f'<link rel="stylesheet" href="{base}/x.css">'
             f'<div style="background: url({base}/bg.png)">ท้าย</div>')
    data = render_pdf(pdf_template, _context(extra=extra))
    assert hits == []
    assert THAI in pdf_text(data)


def test_the_fetcher_refuses_everything_but_the_fonts_and_static_files(tmp_path: Path) -> None:
    fetcher = LocalFetcher()
    font = FONT_DIR / "Sarabun-Regular.ttf"
    assert fetcher.fetch(font.as_uri()).read(4) == b"\x00\x01\x00\x00"  # a TrueType file
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    for url in ("http://example.org/a.png", "https://example.org/a.css", "ftp://example.org/a",
                outside.as_uri(), "file://example.org/etc/passwd", (FONT_DIR / ".." / ".." / ".." / "pyproject.toml").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
