"""Typing of requests that reached a view through a staff check.

``staff_required`` (pages) and the API's token authentication only let through a signed-in
member of staff, so those views annotate their request as ``StaffRequest``: ``request.user``
is then a ``User``, not ``User | AnonymousUser`` (the pattern django-stubs documents).
"""

from __future__ import annotations

from django.http import HttpRequest

from jfs.accounts.models import User


class StaffRequest(HttpRequest):
    user: User
