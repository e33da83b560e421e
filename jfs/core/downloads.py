"""Answers that hand a stored file to the browser: documents, decision letters, minutes.

Every one carries the same headers: no scripts or plug-ins even if the file holds some (``CSP:
sandbox``), no content sniffing, no caching of personal data.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import HttpResponseBase


def no_active_content(resp: HttpResponseBase) -> HttpResponseBase:
    """Headers of every file answer: no scripts, no plug-ins, no sniffing, no caching."""
    resp["Content-Security-Policy"] = "sandbox"
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp


def pdf_attachment(data: bytes, filename: str) -> HttpResponse:
    """A PDF to save, never shown inline (``filename`` is ASCII: the caller makes it so)."""
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    no_active_content(resp)
    return resp
