"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from jfs.core.selectors import unread_count


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "site_name_th": "ระบบสารสนเทศกองทุนยุติธรรม",
        "site_name_en": "Justice Fund Information System",
        "current_role": getattr(user, "role", "") if signed_in else "",
        # asked only by a page that shows the staff menu
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user.pk) if signed_in and user else 0),
    }
