"""Reads of requests, always scoped to what the user may see.

A provincial officer sees their own office's requests and any assigned to them;
executives, auditors, data stewards and administrators read every office; a
citizen sees only requests where they are the applicant. A request outside
that scope does not exist for the user (the views answer 404).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Max, Min, OrderBy, Q, QuerySet
from django.http import Http404

from jfs.accounts.models import Office, User
from jfs.cases.calendar import calendar_for, calendars_for
from jfs.cases.models import TERMINAL_STATES, Document, PersonRevision, Request, Transition
from jfs.cases.services import ASSIGNABLE_ROLES, may_register, owners
from jfslib import roles, thai_id
from jfslib.sla import Colour, colour, queue_colour, working_days_left
from jfslib.workdays import WorkingCalendar


def visible_requests(user: User) -> QuerySet[Request]:
    qs = Request.objects.select_related("applicant", "office", "assigned_to")
    if not user.is_authenticated:
        return qs.none()
    if user.role in roles.ALL_OFFICES_READ:
        return qs
    if user.role == roles.CITIZEN:
        # what they filed on the portal, and (signed in with the state digital ID) their own as applicant
        own = Q(created_by=user)
        return qs.filter(own | Q(applicant__national_id=user.national_id) if user.national_id else own)
    office = Q(office_id=user.office_id)
    # the members of a committee also see the requests it decides (their own office's or not)
    committee = [q for owner in owners() if (q := owner.visible(user)) is not None]
    if committee:
        return qs.filter(functools.reduce(operator.or_, committee, office | Q(assigned_to=user)))
    if not assigned_elsewhere(user):
        # the usual case: no cross-office assignment, so the scope is the office alone. An
        # OR with the assignments would keep PostgreSQL off the office-leading indexes, and a
        # sorted, filtered list of a big office would scan the table newest-first instead
        return qs.filter(office)
    return qs.filter(office | Q(assigned_to=user))


def assigned_elsewhere(user: User) -> bool:
    """Whether any request of another office is assigned to this person.

    Asked as the lowest and highest office among their assignments: PostgreSQL answers MIN
    and MAX with one probe each into the (assigned_to, office) index, however many requests
    the person holds. (An EXISTS with ``office <> own`` looked cheap to the planner, which then
    scanned the whole table newest-first looking for a row that is not there.)
    """
    span = Request.objects.filter(assigned_to=user).aggregate(lo=Min("office_id"), hi=Max("office_id"))
    if span["lo"] is None:
        return False
    return not (span["lo"] == span["hi"] == user.office_id)


def get_visible(user: User, pk: int) -> Request:
    try:
        return visible_requests(user).get(pk=pk)
    except (Request.DoesNotExist, ValueError, TypeError):
        raise Http404("request not found") from None


def get_visible_document(user: User, pk: int) -> tuple[Document, Request]:
    """A document and its request, when the user may see the request (else 404, as for the request)."""
    doc = Document.objects.filter(pk=pk).select_related("request").first()
    if doc is None:
        raise Http404("document not found")
    return doc, get_visible(user, doc.request_id)


def history(req: Request, *, with_documents: bool = False) -> QuerySet[Transition]:
    """The request's transitions, oldest first, with who made them (and the documents each attached)."""
    qs = req.transitions.select_related("actor")
    return qs.prefetch_related("documents") if with_documents else qs


def latest_transitions(req: Request, n: int) -> list[Transition]:
    """The request's last ``n`` transitions, oldest first."""
    return list(req.transitions.select_related("actor").order_by("-at", "-id")[:n])[::-1]


def documents_of(req: Request) -> QuerySet[Document]:
    """Every document of the request (superseded and quarantined ones too), with who uploaded it."""
    return req.documents.select_related("uploaded_by")


def visible_ids(user: User, ids: Iterable[int | None]) -> set[int]:
    """Which of these requests the user may open."""
    return set(visible_requests(user).filter(pk__in={i for i in ids if i is not None}).values_list("pk", flat=True))


def applicant_revisions(req: Request) -> list[PersonRevision]:
    """Changes to the request's applicant record made after the request was registered (the earlier
    values its own registration replaced are not among them), with who and through which request."""
    return list(
        PersonRevision.objects.filter(person_id=req.applicant_id, at__gte=req.created_at)
        .exclude(request_id=req.pk, reason="registration")
        .select_related("actor", "request__office")
    )


def revisions_since(person_id: int, version: int) -> QuerySet[PersonRevision]:
    """The revisions of a person's record from ``version`` on (what changed since a form read it)."""
    return PersonRevision.objects.filter(person=person_id, version__gte=version)


def registration_offices(user: User) -> list[Office]:
    """The offices ``user`` may register a request for (``services.may_register``), by code."""
    if not may_register(user):
        return []
    return [o for o in Office.objects.order_by("code") if may_register(user, o)]


def assignable_officers(req: Request) -> QuerySet[User]:
    """The request's office's active officers it can be assigned to (``services.assign``)."""
    return User.objects.filter(office_id=req.office_id, is_active=True, role__in=sorted(ASSIGNABLE_ROLES))


OPEN_EXCLUDE = TERMINAL_STATES


def open_requests(qs: QuerySet[Request]) -> QuerySet[Request]:
    return qs.exclude(state__in=OPEN_EXCLUDE)


def my_queue(user: User) -> QuerySet[Request]:
    """What this person should work on next, earliest due first (requests without a step due
    date, paused ones, last: ``order_requests``).

    Each role's queue is written as conditions the indexes answer directly (the office's
    open requests, or the person's assignments) rather than as a filter on top of the
    office-or-assignee visibility rule: every row here is visible to the user anyway.
    """
    base = Request.objects.select_related("applicant", "office", "assigned_to")
    mine = Q(assigned_to=user)
    office = Q(office_id=user.office_id)
    if user.role == roles.CASE_OFFICER:
        cond = mine
    elif user.role == roles.FINANCE_OFFICER:
        # a hand-off (``handoffs.HANDOFFS``): the office's requests in follow-up wait for finance
        cond = mine | (office & Q(state="follow_up"))
    elif user.role == roles.INTAKE_OFFICER:
        cond = mine | (office & Q(state__in=("received", "screening", "awaiting_documents", "decided")))
    elif user.role == roles.OFFICE_HEAD:
        cond = office & (Q(state__in=("consideration", "appeal")) | Q(assigned_to__isnull=True)
                         | Q(escalated_on__isnull=False))
    elif user.role in {roles.SUBCOMMITTEE_SECRETARY, roles.SUBCOMMITTEE_MEMBER, roles.SUBCOMMITTEE_CHAIR}:
        # what waits for their committees: its office's and those it decides from elsewhere
        waiting = visible_requests(user).filter(state__in=("consideration", "appeal"))
        return order_requests(open_requests(waiting), "due")
    else:
        return order_requests(open_requests(visible_requests(user)), "due")
    return order_requests(open_requests(base.filter(cond)), "due")


_FULL_NUMBER = re.compile(r"^(JF[1-4]|LC)-\d{2}-\d{4}-\d{5}$")


def search(qs: QuerySet[Request], text: str) -> QuerySet[Request]:
    """By request number, applicant name or national ID."""
    text = (text or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in text parameters
    if not text:
        return qs
    digits = thai_id.normalize(text)
    if digits.isdigit() and len(digits) == 13:
        return qs.filter(applicant__national_id=digits)
    upper = text.upper()
    if _FULL_NUMBER.match(upper):
        return qs.filter(number=upper)
    if upper.startswith(("JF", "LC")):
        return qs.filter(number__startswith=upper)
    # a title typed before the name is dropped, but the words are also tried as typed, for names
    # that happen to begin like a title (นาย…, นาง…)
    readings = [text.split()]
    if (stripped := _without_title(text).split()) and stripped != readings[0]:
        readings.append(stripped)
    cond = Q()
    for parts in readings:
        cond |= _name_matches(parts)
    return qs.filter(cond)


def _name_matches(parts: list[str]) -> Q:
    # names are matched exactly on the first word and by prefix on the surname, so the
    # (first_name, last_name) and last_name indexes answer without scanning every applicant;
    # one word is a whole first name or surname: a prefix of one word (LIKE 'ทอง%') matched
    # 40,000 people among a million requests and took 1.5 s, against 20 ms for an exact name
    if len(parts) >= 2:
        return Q(applicant__first_name=parts[0], applicant__last_name__startswith=" ".join(parts[1:]))
    return Q(applicant__first_name=parts[0]) | Q(applicant__last_name=parts[0])


#: titles people type before a name ("นายสมปอง ทดสอบ", "น.ส. มานี"); longest first
_TITLES = sorted(
    ("นาย", "นาง", "นางสาว", "น.ส.", "น.ส", "ด.ช.", "ด.ญ.", "เด็กชาย", "เด็กหญิง", "mr.", "mrs.", "ms.", "miss", "mr", "mrs", "ms"),
    key=len, reverse=True,
)


def _without_title(text: str) -> str:
    lowered = text.lower()
    for title in _TITLES:
        if lowered.startswith(title):
            rest = text[len(title):]
            # a Thai title is written joined to the name; an English one needs a space after it
            if rest.strip() and (rest[0].isspace() or not title.isascii()):
                return rest.strip()
    return text


def apply_filters(
    qs: QuerySet[Request], params: dict[str, str], *, user: User | None = None, today: date | None = None,
) -> QuerySet[Request]:
    """The list filters: service, state, office, fiscal year; with ``user``, "mine" (assigned to
    them); with ``today``, "overdue" (``overdue``); "waiting" (waiting for the applicant)."""
    params = {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in params.items()}
    if params.get("service"):
        qs = qs.filter(service=params["service"])
    if params.get("state"):
        qs = qs.filter(state=params["state"])
    if params.get("office"):
        qs = qs.filter(office__code=params["office"])
    if params.get("fiscal_year", "").isdecimal():  # not isdigit(): int("²") fails
        qs = qs.filter(fiscal_year=int(params["fiscal_year"]))
    # the queue's filters: only with the user and the day they concern (the API passes neither)
    if params.get("waiting") and params["waiting"] != "0":
        qs = qs.filter(state=WAITING_STATE)
    if user is not None and params.get("mine") and params["mine"] != "0":
        qs = qs.filter(assigned_to=user)
    if today is not None and params.get("overdue") and params["overdue"] != "0":
        qs = overdue(qs, today)
    return qs


#: the state of a request that waits for the applicant (the queue's "waiting for the applicant")
WAITING_STATE = "awaiting_documents"


def _due_first(descending: bool = False) -> list[OrderBy]:
    # NULLs last, said explicitly: PostgreSQL puts them last on ASC, SQLite first, and a paused
    # request (no step due date) must never come above an overdue one. ASC NULLS LAST is
    # PostgreSQL's own order, so the (office, step_due_on) and (assigned_to, step_due_on)
    # indexes still give the rows in order
    step, whole = F("step_due_on"), F("due_on")
    if descending:
        return [step.desc(nulls_last=True), whole.desc(nulls_last=True), F("id").desc()]
    return [step.asc(nulls_last=True), whole.asc(nulls_last=True), F("id").asc()]


#: the orders a list of requests can be sorted in (``?sort=``; a leading "-": descending)
SORT_KEYS = ("due", "received", "number", "service")
_PLAIN_SORTS = {"received": ("received_on", "id"), "number": ("number",)}


def order_requests(qs: QuerySet[Request], sort: str | None, default: str = "due") -> QuerySet[Request]:
    """``qs`` in the order named by ``sort`` ("due", "received", "number", "service"; "-due" …
    descending); an unknown name gives ``default``. Always total (ends with the id)."""
    sort = sort if sort and sort.lstrip("-") in SORT_KEYS else default
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key == "due":
        return qs.order_by(*_due_first(descending))
    if key == "service":  # then the earliest due within each service, whichever way the services go
        head = F("service").desc() if descending else F("service").asc()
        return qs.order_by(head, *_due_first())
    return qs.order_by(*(f"-{f}" if descending else f for f in _PLAIN_SORTS[key]))


@dataclass(frozen=True)
class Sla:
    step: Colour
    overall: Colour
    days_taken: int | None
    days_left: int | None
    #: the one colour a queue shows (``jfslib.sla.queue_colour``: by the whole standard)
    queue: Colour = Colour.GREEN
    #: working days until the current step's due date (negative: overdue by that many); None
    #: without one (paused, closed, a step without an allowance)
    step_left: int | None = None


class SlaReader:
    """Computes SLA colours for many requests, one calendar per office."""

    def __init__(self, today: date):
        self.today = today
        self._cals: dict[int, WorkingCalendar] = {}

    def cal(self, office_id: int) -> WorkingCalendar:
        if office_id not in self._cals:
            self._cals[office_id] = calendar_for(office_id)
        return self._cals[office_id]

    def prime(self, reqs: Iterable[Request]) -> SlaReader:
        """Read the calendars of these requests' offices at once (two queries, not two per office)."""
        missing = {r.office_id for r in reqs} - set(self._cals)
        self._cals.update(calendars_for(missing))
        return self

    def read(self, req: Request) -> Sla:
        cal = self.cal(req.office_id)
        wf = req.workflow
        state = wf.states[req.state]
        done = req.clock_stopped_on is not None
        paused = req.paused_since is not None
        # a step without an allowance after the clock stopped (notified, follow-up) is done, not paused
        step_done = state.terminal or (done and req.step_due_on is None)
        step = colour(cal, req.step_due_on, self.today, state.sla_days or 1,
                      paused=paused or req.step_due_on is None, done=step_done, amber_share=wf.amber_share)
        applies = req.standard_applies
        # a service without the 21-day standard (project grants, consultations): the step's colour only
        overall = colour(cal, req.due_on, self.today, wf.standard_days, paused=paused, done=done,
                         amber_share=wf.amber_share) if applies else step
        if done:
            taken = req.working_days_taken
            left = None
        elif req.clock_started_on:
            lost = req.paused_working_days + (
                cal.working_days_between(req.paused_since, self.today) if paused and req.paused_since else 0
            )
            taken = max(0, cal.working_days_between(req.clock_started_on, self.today) - lost)
            left = wf.standard_days - taken if applies else None
        else:
            taken = left = None
        step_left = (working_days_left(cal, req.step_due_on, self.today)
                     if req.step_due_on is not None and step not in (Colour.DONE, Colour.PAUSED) else None)
        return Sla(step=step, overall=overall, days_taken=taken, days_left=left,
                   queue=queue_colour(step, overall, standard_applies=applies), step_left=step_left)


def overdue(qs: QuerySet[Request], today: date) -> QuerySet[Request]:
    """Open requests whose current step or overall deadline has passed."""
    return open_requests(qs).filter(Q(step_due_on__lt=today) | Q(due_on__lt=today, clock_stopped_on__isnull=True))
