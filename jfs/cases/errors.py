"""Errors the case services raise; each carries a Thai and an English message.

Views and the API translate them into a form error, a message or a 4xx answer,
never a 500, and never lose what the user typed.
"""

from __future__ import annotations


def field_error(field: str, th: str, en: str) -> dict[str, str]:
    """One problem with one field, in the shape every error list uses:
    ``{"field", "message_th", "message_en"}`` (the API sends it as is; pages show one language)."""
    return {"field": field, "message_th": th, "message_en": en}


def field_message(error: dict[str, str], lang: str | None) -> str:
    """The text of a field error in the reader's language: English for "en", Thai otherwise."""
    return error["message_en"] if lang == "en" else error["message_th"]


class CaseError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, th: str, en: str, *, errors: list[dict[str, str]] | None = None):
        """``errors`` lists field problems, each made by ``field_error``."""
        self.th = th
        self.en = en
        self.errors = errors or []
        super().__init__(f"{th} ({en})")

    def message(self, lang: str | None) -> str:
        return self.en if lang == "en" else self.th


class InvalidInput(CaseError):
    status = 422
    code = "invalid_input"


class DecisionIncomplete(InvalidInput):
    """A deciding action without an outcome, with a reason that does not fit it, or without the
    comment it needs: every problem at once, each on its field (``outcome``, ``reason_code``, ``comment``)."""

    code = "decision_incomplete"


class RequestClosed(InvalidInput):
    """The request is closed (a terminal state): nothing about it can be changed any more."""


class Conflict(CaseError):
    status = 409
    code = "conflict"


class ApplicantChanged(Conflict):
    """The applicant's record changed (through any of their requests) since the form was read."""

    code = "applicant_changed"


class NotPermitted(CaseError):
    status = 403
    code = "forbidden"


class TransitionNotAllowed(CaseError):
    status = 409
    code = "transition_not_allowed"

    def __init__(self, th: str, en: str, reason: str):
        super().__init__(th, en)
        self.code = reason


class DocumentRejected(CaseError):
    status = 422
    code = "document_rejected"
