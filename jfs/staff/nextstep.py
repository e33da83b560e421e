"""Where the case stands, in words: the next step's sentence (the banner after an action and the
"next step" panel of the case page), role and action names joined with "or", a decision's outcome
and reason by name (never a bare code)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from jfs.accounts.models import ROLE_CHOICES
from jfs.cases import selectors
from jfs.cases.models import OUTCOME_CHOICES, Request
from jfs.cases.progress import progress_of
from jfs.cases.reasons import all_reasons
from jfs.core.templatetags.thai import be_date
from jfslib.progress import NextStep


def _en() -> bool:
    return translation.get_language() == "en"


def name(obj: Any) -> str:
    """A workflow state's or action's name in the reader's language."""
    return str(obj.en if _en() else obj.th)


def either(items: Iterable[str]) -> str:
    """"ก หรือ ข หรือ ค" / "A or B or C"."""
    return _(" หรือ ").join(items)


def role_names(codes: Iterable[str]) -> str:
    labels = dict(ROLE_CHOICES)
    return either(str(labels.get(c, c)) for c in codes)


def action_names(actions: Iterable[Any]) -> str:
    return either(f"“{name(a)}”" for a in actions)


def outcome_label(code: str | None) -> str:
    return str(dict(OUTCOME_CHOICES).get(code or "", code or ""))


def reason_name(code: str | None) -> str:
    """A decision's reasons by name (the code kept beside each, for those who know the codes); a
    decision records several ("A01,P01"), named in order and separated by semicolons."""
    names = []
    for c in (code or "").split(","):
        reason = all_reasons().get(c.strip())
        if c.strip():
            names.append(c.strip() if reason is None else f"{reason.en if _en() else reason.th} ({reason.code})")
    return "; ".join(names)


def next_step_sentence(nxt: NextStep) -> str:
    """"ขั้นตอนถัดไป: “…” โดย… ภายใน …", or that the request has ended."""
    if nxt.finished:
        return _("คำขอนี้สิ้นสุดแล้ว ไม่มีขั้นตอนต่อไป")
    if nxt.paused:
        return _("ขั้นตอนถัดไป: %(actions)s เมื่อได้รับเอกสารจากผู้ขอรับความช่วยเหลือ โดย %(roles)s (หยุดนับเวลาระหว่างรอ)") % {
            "actions": action_names(nxt.actions), "roles": role_names(nxt.roles)}
    if nxt.due is None:
        return _("ขั้นตอนถัดไป: %(actions)s โดย %(roles)s") % {
            "actions": action_names(nxt.actions), "roles": role_names(nxt.roles)}
    return _("ขั้นตอนถัดไป: %(actions)s โดย %(roles)s ภายใน %(due)s") % {
        "actions": action_names(nxt.actions), "roles": role_names(nxt.roles), "due": be_date(nxt.due)}


def case_page(req: Request, offered: Iterable[Any]) -> dict[str, Any]:
    """The case page's history (newest first), its stages and its next step; ``next_mine``: the next
    step's actions among those ``offered`` to the signed-in user (their forms are on the page)."""
    history = list(selectors.history(req, with_documents=True))
    pr = progress_of(req, history)
    codes = {a.code for a in offered}
    return {"transitions": history[::-1], "progress": pr, "next_step": pr.next,
            "next_mine": [a for a in pr.next.actions if a.code in codes]}
