"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "site_name_th": "ระบบสารสนเทศกองทุนยุติธรรม",
        "site_name_en": "Justice Fund Information System",
        "current_role": getattr(user, "role", "") if user and user.is_authenticated else "",
    }
