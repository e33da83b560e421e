"""Saved views: a person's named filters and sort on one of the lists (``SavedView``).

The service (save, delete) and the selector (a person's views) of the workspace's own model; the
pages in ``jfs.staff.queues`` go through them. A view is its owner's alone: another person's
does not exist for them (404).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import transaction
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from jfs.accounts.models import User
from jfs.staff.models import PAGE_CHOICES, SavedView

#: what a saved view keeps: the lists' filters and the sort, never the search text (a national
#: ID or a name typed there is not kept)
VIEW_KEYS = ("service", "state", "overdue", "mine", "waiting", "office", "fiscal_year", "sort")
#: saved views one person may keep on one list
MAX_SAVED_VIEWS = 30


def _clean(value: str | None, limit: int = 50) -> str:
    return (value or "").replace("\x00", "").strip()[:limit]  # PostgreSQL refuses NUL


def saved_views(user: User, page: str) -> list[SavedView]:
    """``user``'s saved views of the list ``page``, by name."""
    return list(SavedView.objects.filter(user=user, page=page))


class SavedViewRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def view_query(query: str) -> str:
    """A saved view's query string: only the filters and the sort, each value trimmed."""
    data = QueryDict(query)
    return urlencode({k: _clean(data.get(k)) for k in VIEW_KEYS if _clean(data.get(k))})


@transaction.atomic
def save_view(user: User, page: str, name: str, query: str) -> SavedView:
    """Keep ``query`` (filters and sort) under ``name`` for ``user`` on the list ``page``; the
    same name again replaces it. Refused without a name, on an unknown list, or past the limit."""
    name = _clean(name, 80)
    if page not in dict(PAGE_CHOICES):
        raise SavedViewRefused(_("ไม่พบรายการที่จะบันทึกมุมมอง"))
    if not name:
        raise SavedViewRefused(_("กรุณากรอกชื่อมุมมองที่จะบันทึก"))
    mine = SavedView.objects.select_for_update().filter(user=user, page=page)
    if not mine.filter(name=name).exists() and mine.count() >= MAX_SAVED_VIEWS:
        raise SavedViewRefused(_("บันทึกมุมมองได้ไม่เกิน %(n)s มุมมองต่อรายการ กรุณาลบมุมมองที่ไม่ใช้ก่อน")
                               % {"n": MAX_SAVED_VIEWS})
    view, _created = SavedView.objects.update_or_create(user=user, page=page, name=name,
                                                        defaults={"query": view_query(query)})
    return view


def delete_view(user: User, pk: int) -> SavedView:
    """Delete one of ``user``'s saved views; another person's does not exist for them (404)."""
    view = SavedView.objects.filter(pk=pk, user=user).first()
    if view is None:
        raise Http404("saved view not found")
    view.delete()
    return view
