"""Thai PDFs (decision letters, meeting minutes) from Django templates, offline, with WeasyPrint.

Why it looks the way it does (docs/decisions/0016-pdf-weasyprint.md):

- Fonts: Sarabun Regular and Bold (OFL) are vendored in ``jfs/core/fonts/`` and loaded by
  ``@font-face`` with ``file://`` URLs; no system Thai font is needed.
- Offline: WeasyPrint fetches every stylesheet, image and font through ``LocalFetcher``, which
  refuses any URL that is not a ``data:`` URL or a ``file:`` URL under the fonts or static
  folders. A refused resource is left out with a logged warning; the render still succeeds and
  never reaches the network.
- SARA AM: HarfBuzz shapes ``ำ`` (U+0E33) as two glyphs, NIKHAHIT and SARA AA, in one cluster;
  WeasyPrint 70 keeps one Unicode text per glyph for the whole document (first seen wins), so
  ``น้ำ`` after ``ความ`` came back from the PDF as ``นา`` (WeasyPrint issue #2841). We hand
  WeasyPrint the compatibility decomposition ``ํา`` instead: HarfBuzz makes the same glyphs at
  the same places (tests/test_pdf.py compares the content streams), each glyph now carries its
  own character, and ``pdf_text`` composes them back.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: the vendored Sarabun TTF files and their licence (OFL.txt)
FONT_DIR = Path(__file__).resolve().parent / "fonts"

_SARA_AM = "\u0e33"
_NIKHAHIT_SARA_AA = "\u0e4d\u0e32"


def _allowed_roots() -> tuple[Path, ...]:
    """The folders a PDF may read from: the fonts and the project's static files."""
    return (FONT_DIR, *(Path(d).resolve() for d in settings.STATICFILES_DIRS))


class LocalFetcher(URLFetcher):
    """WeasyPrint's fetcher limited to ``data:`` URLs and local files under the allowed roots.

    Subclassing (not a plain function) is what WeasyPrint 70 asks of a fetcher; everything
    else (``http:``, ``https:``, ``ftp:``, a ``file:`` URL on another host or outside the
    roots) raises ``ValueError``, which WeasyPrint reports as a warning and skips.
    """

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise ValueError(f"PDF resources are local files only, not {url}")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in _allowed_roots()):
                raise ValueError(f"PDF resources come from the fonts and static folders only, not {url}")
        elif scheme != "data":
            raise ValueError(f"PDF rendering does not use the network: {url}")
        return super().fetch(url, headers)


def _for_shaping(html: str) -> str:
    """SARA AM as NIKHAHIT + SARA AA, so every glyph maps back to its own text (module doc)."""
    return html.replace(_SARA_AM, _NIKHAHIT_SARA_AA)


def _from_extraction(text: str) -> str:
    """The inverse of ``_for_shaping`` on extracted text (``ํา`` only ever stands for ``ำ``)."""
    return text.replace(_NIKHAHIT_SARA_AA, _SARA_AM)


def render_pdf(template_name: str, context: dict[str, Any], *, lang: str = "th") -> bytes:
    """Render a Django template (usually extending ``pdf/base.html``) to PDF bytes.

    The template gets ``pdf_lang`` and ``pdf_fonts_url`` besides ``context``; its ``<title>``
    becomes the PDF's title. Relative URLs resolve against the static folder.
    """
    static_dir = Path(settings.STATICFILES_DIRS[0]).resolve()
    full_context = {**context, "pdf_lang": lang, "pdf_fonts_url": FONT_DIR.as_uri()}
    with translation.override(lang):
        html = render_to_string(template_name, full_context)
    document = HTML(
        string=_for_shaping(html), base_url=static_dir.as_uri() + "/", url_fetcher=LocalFetcher()
    ).render()
    if document.metadata.title:
        document.metadata.title = _from_extraction(document.metadata.title)
    data: bytes = document.write_pdf()
    return data


def pdf_text(data: bytes) -> str:
    """The PDF's text, pages in order, whitespace runs as one space (tests, verification)."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", _from_extraction(text)).strip()


def pdf_font_names(data: bytes) -> set[str]:
    """Base names of the fonts the pages use, subset prefix removed (``Sarabun``, ``Sarabun-Bold``)."""
    reader = PdfReader(io.BytesIO(data))
    names: set[str] = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            base = str(ref.get_object().get("/BaseFont", ""))
            names.add(base.lstrip("/").split("+", 1)[-1])
    return names
