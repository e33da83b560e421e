"""Reads for the portal's application pages and the staff case page: a citizen's drafts, one draft
by its key (only the citizen's own), and how a request was filed online."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from jfs.accounts.models import User
from jfs.applications.models import Application, ChunkedUpload


def drafts_of(citizen: User) -> QuerySet[Application]:
    """The citizen's applications not submitted yet, the latest first."""
    return Application.objects.filter(citizen=citizen, request__isnull=True).order_by("-updated_at")


@dataclass(frozen=True)
class Lookup:
    application: Application | None
    #: the key names someone else's application (the page answers 404 and the attempt is audited)
    foreign: bool = False


def application_for(citizen: User, key: str) -> Lookup:
    """The citizen's own application with this key; another citizen's is reported as ``foreign``."""
    try:
        parsed = uuid.UUID(str(key))
    except ValueError:
        return Lookup(None)
    found = Application.objects.select_related("request", "office", "citizen").filter(key=parsed).first()
    if found is None:
        return Lookup(None)
    if found.citizen_id != citizen.pk:
        return Lookup(None, foreign=True)
    return Lookup(found)


def filing_of(request_id: int) -> Application | None:
    """The online application a request came from (None for a request registered at an office)."""
    return Application.objects.filter(request_id=request_id).first()


def draft_of(citizen_id: object, key: str) -> Application | None:
    """The draft a page's signed token names (its key and citizen), for a POST whose session expired."""
    try:
        parsed = uuid.UUID(str(key))
    except ValueError:
        return None
    if not isinstance(citizen_id, int):
        return None
    return Application.objects.filter(key=parsed, citizen_id=citizen_id, request__isnull=True).first()


def chunked_upload(app: Application, key: str) -> ChunkedUpload | None:
    """A file of this draft arriving in pieces."""
    try:
        parsed = uuid.UUID(str(key))
    except ValueError:
        return None
    return ChunkedUpload.objects.filter(application=app, key=parsed).first()
