"""Reading citizens' sign-in facts: the profile, and the assurance of the last sign-in (shown to staff)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jfs.citizens.models import DIGITAL_ID, ONE_TIME_CODE, CitizenProfile


def profile_of(user: Any) -> CitizenProfile | None:
    """The citizen's portal profile (None for staff and for citizens who never signed in on the portal)."""
    if user is None or not getattr(user, "pk", None):
        return None
    return CitizenProfile.objects.filter(user_id=user.pk).first()


def assurance_of(user: Any) -> str:
    """How the citizen last signed in: "digital_id" (high), "one_time_code" (lower) or "" (never on the portal)."""
    profile = profile_of(user)
    return profile.assurance if profile else ""


def assurance_label(level: str) -> str:
    """The assurance in words, for staff pages."""
    if level == DIGITAL_ID:
        return _("สูง: ยืนยันตัวตนด้วยแอป ThaID (ข้อมูลจากกรมการปกครอง)")
    if level == ONE_TIME_CODE:
        return _("ต่ำกว่า: ยืนยันด้วยรหัสครั้งเดียวทาง SMS หรืออีเมล (ยังไม่ได้พิสูจน์ตัวตน)")
    return _("ไม่ได้ยื่นผ่านบริการออนไลน์")


def verified_claims(user: Any) -> dict[str, Any]:
    """What the digital ID verified about the citizen (empty without a digital-ID sign-in)."""
    profile = profile_of(user)
    return dict(profile.verified_claims) if profile and profile.verified_at else {}
