"""The subcommittees' meetings in the staff workspace (issue 10, item 3).

- ``meetings``: the meetings of the committees the person sits on, upcoming first; the secretary
  schedules one (committee, B.E. date and time, place, in the room / electronic / hybrid).
- ``meeting``: one meeting: when and where, its state and quorum in words, the attendance, the
  agenda (each request's screening summary, conflicts, votes, resolution) and the buttons of the
  person's seat in the meeting's state only (the decision services refuse the same).
- Every post answers with a redirect (Post/Redirect/Get); a refusal comes back once on the page,
  on its field for the resolution form (what was typed kept), or as a message in words.

Views read through ``jfs.decisions.selectors`` and write through ``jfs.decisions.services``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jfs.accounts.http import StaffRequest
from jfs.accounts.models import User
from jfs.audit.services import record
from jfs.cases import reasons
from jfs.cases import selectors as case_selectors
from jfs.cases.errors import CaseError, NotPermitted, field_message
from jfs.core import clock
from jfs.core.downloads import pdf_attachment
from jfs.decisions import authority, selectors, services
from jfs.decisions import models as m
from jfs.staff.access import staff_required
from jfs.staff.forms import BEDateField, NamedErrors, name_errors

#: session key: a refused form on a meeting page (what was typed and the errors), shown once
TYPED_KEY = "jfs.meeting_typed"
#: meeting-level steps: the service, who may take it (seat position) and in which state
MEETING_STEPS: dict[str, tuple[Any, str, str]] = {
    "agenda": (services.build_agenda, m.SECRETARY, m.SCHEDULED),
    "open": (services.open_meeting, m.SECRETARY, m.SCHEDULED),
    "close": (services.close_meeting, m.SECRETARY, m.OPEN),
    "approve": (services.approve_minutes, m.CHAIR, m.CLOSED),
}
#: what each step's banner says once done
DONE = {
    "agenda": gettext_lazy("จัดระเบียบวาระการประชุมแล้ว"),
    "open": gettext_lazy("เปิดประชุมแล้ว"),
    "close": gettext_lazy("ปิดประชุมแล้ว"),
    "approve": gettext_lazy("รับรองรายงานการประชุมแล้ว"),
    "attend": gettext_lazy("บันทึกการเข้าประชุมแล้ว"),
    "conflict": gettext_lazy("บันทึกการแจ้งส่วนได้เสียแล้ว"),
    "vote": gettext_lazy("บันทึกการลงมติแล้ว"),
    "decide": gettext_lazy("บันทึกมติที่ประชุมแล้ว"),
    "acknowledge": gettext_lazy("ที่ประชุมรับทราบแล้ว"),
}
#: a resolution's service error fields and the form fields they are shown on
RESOLUTION_FIELDS = {"outcome": "outcome", "reason_codes": "reason_codes", "reason_code": "reason_codes",
                     "cause": "cause", "comment": "note", "items": "items"}


def _lang() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


def _see_other(url: str) -> HttpResponse:
    resp = HttpResponseRedirect(url)
    resp.status_code = 303  # after a POST: refreshing the page posts nothing
    return resp


def _text(value: str | None, limit: int) -> str:
    """Typed text as stored: without NUL (PostgreSQL refuses it), at most ``limit`` characters."""
    return (value or "").replace("\x00", "")[:limit]


def _meeting_url(pk: int, anchor: str = "") -> str:
    return reverse("staff:meeting", args=[pk]) + (f"#{anchor}" if anchor else "")


# --------------------------------------------------------------------------- forms


class ScheduleForm(NamedErrors, forms.Form):
    """A meeting to schedule: the committee (one of the secretary's), B.E. date, time, place, mode."""

    committee = forms.TypedChoiceField(label=gettext_lazy("คณะอนุกรรมการ"), coerce=int)
    on = BEDateField(label=gettext_lazy("วันที่ประชุม"))
    at = forms.TimeField(label=gettext_lazy("เวลา"), input_formats=["%H:%M", "%H.%M"],
                         help_text=gettext_lazy("เช่น 09.30"),
                         widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "09.30"}))
    place = forms.CharField(label=gettext_lazy("สถานที่ประชุม"), max_length=300, required=False)
    mode = forms.ChoiceField(label=gettext_lazy("รูปแบบการประชุม"), choices=m.MEETING_MODE_CHOICES,
                             initial=m.IN_PERSON, widget=forms.RadioSelect)

    def __init__(self, *args: Any, committees: list[m.Committee], **kwargs: Any):
        super().__init__(*args, **kwargs)
        lang = _lang()
        field = self.fields["committee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c.pk, c.name(lang)) for c in committees]
        if len(committees) == 1:
            field.initial = committees[0].pk
        name_errors(self.fields)
        self.fields["at"].error_messages["invalid"] = _("เวลา: กรุณากรอกเวลาเป็น ชั่วโมง.นาที เช่น 09.30")


# --------------------------------------------------------------------------- list and scheduling


def _secretary_of(user: User) -> list[m.Committee]:
    today = clock.today()
    return [c for c in selectors.committees_of(user, today) if selectors.holds_seat(user, c, m.SECRETARY, today)]


@require_http_methods(["GET", "POST"])
@staff_required
def meetings(request: StaffRequest) -> HttpResponse:
    """The person's committees' meetings, upcoming first (then the past ones, newest first); the
    secretary's form to schedule one (a post answers with the new meeting's page)."""
    committees = _secretary_of(request.user)
    form = ScheduleForm(request.POST or None, committees=committees, prefix="s")
    status = 200
    if request.method == "POST":
        if not committees:
            return render(request, "staff/forbidden.html", status=403)
        status = 422
        if form.is_valid():
            c = form.cleaned_data
            when = timezone.make_aware(datetime.combine(c["on"], c["at"]))
            try:
                made = services.schedule_meeting(actor=request.user, committee_id=c["committee"], scheduled_for=when,
                                                 place=c["place"], mode=c["mode"])
            except CaseError as exc:
                _errors_on(form, exc, {"mode": "mode", "committee": "committee"})
                status = exc.status
            else:
                messages.success(request, _("นัดประชุมแล้ว: %(name)s ครั้งที่ %(n)s/%(fy)s") % {
                    "name": made.committee.name(_lang()), "n": made.number, "fy": made.fiscal_year})
                return _see_other(_meeting_url(made.pk))
    now = clock.now()
    rows = list(selectors.meetings_for(request.user))
    upcoming = sorted((r for r in rows if r.state in (m.SCHEDULED, m.OPEN) or r.scheduled_for >= now),
                      key=lambda r: (r.scheduled_for, r.pk))
    past = [r for r in rows if r not in upcoming]
    return render(request, "staff/meetings/list.html", {
        "upcoming": upcoming, "past": past, "form": form if committees else None, "lang": _lang(),
    }, status=status)


def _errors_on(form: forms.Form, exc: CaseError, fields: dict[str, str]) -> None:
    """A service's refusal on the form: each field error on its field, the rest on the form."""
    lang = _lang()
    errors = exc.errors or [{"field": "__all__", "message_th": exc.th, "message_en": exc.en}]
    for e in errors:
        target = fields.get(e.get("field", ""))
        form.add_error(target if target in form.fields else None, field_message(e, lang))


# --------------------------------------------------------------------------- the meeting page


def _visible_meeting(user: User, pk: int) -> m.Meeting:
    """The meeting, when the person may see it (a seat on its committee, or a read-only role); else 404."""
    if not selectors.meetings_for(user).filter(pk=pk).exists():
        raise Http404("meeting not found")
    return selectors.meeting(pk)


def _quorum(meeting: m.Meeting, present: int) -> dict[str, int]:
    """How many voting members the meeting has, how many attend and how many it needs: the snapshot
    taken when it opened, or today's seats before."""
    day = meeting.scheduled_for.date()
    if meeting.quorum is not None and meeting.members_count is not None:
        total, needed = meeting.members_count, meeting.quorum
    else:
        total = len(selectors.voting_members(meeting.committee, day))
        needed = authority.quorum(total, day)
    return {"present": present, "total": total, "needed": needed, "met": int(present >= needed)}


def _decision_view(decision: m.Decision | None, lang: str) -> dict[str, Any] | None:
    """A decision in words: outcome, cause, reasons by name, approved amounts per item, note, votes."""
    if decision is None:
        return None
    catalogue = reasons.all_reasons()
    names = [catalogue[r.code].name(lang) if r.code in catalogue else r.code for r in decision.reasons.all()]
    return {
        "outcome": reasons.outcome_name(decision.outcome, lang),
        "cause": reasons.cause_name(decision.cause, lang) if decision.cause else "",
        "reasons": names,
        "items": [{"label": i.label_en if lang == "en" else i.label_th, "requested": i.requested,
                   "approved": i.approved} for i in decision.items.all()],
        "approving": decision.outcome in services.APPROVING,
        "amount_approved": decision.amount_approved,
        "note": decision.note,
        "tally": (decision.votes_for, decision.votes_against, decision.votes_abstain),
        "decided_on": decision.decided_on,
    }


def _screening(summary: dict[str, Any], lang: str) -> dict[str, Any] | None:
    """The agenda snapshot's screening, in the reader's language (conditions, then considerations)."""
    raw = summary.get("screening")
    if not isinstance(raw, dict) or "error" in raw:
        return None
    en = lang == "en"
    results = {"yes": _("ผ่าน"), "no": _("ไม่ผ่าน")}
    return {
        "overall": str(raw.get("overall", "unknown")).upper(),
        "text": raw.get("overall_text_en" if en else "overall_text_th", ""),
        "conditions": [{"name": c.get("en" if en else "th", ""), "result": results.get(c.get("result", ""), _("ยังไม่ทราบ")),
                        "outcome": str(c.get("result", "")).upper(),
                        "explanation": c.get("explanation_en" if en else "explanation_th", "")}
                       for c in raw.get("conditions", [])],
        "considerations": [{"name": c.get("en" if en else "th", ""),
                            "finding": c.get("finding_en" if en else "finding_th", "")}
                           for c in raw.get("considerations", [])],
    }


def _item_view(item: m.AgendaItem, user: User, *, seat: str, present: bool, is_open: bool, visible: set[int],
               lang: str) -> dict[str, Any]:
    summary = item.summary or {}
    votes = list(item.votes.all())
    conflicts = list(item.conflicts.all())
    decision = getattr(item, "decision", None)
    conflicted = any(c.user_id == user.pk for c in conflicts)
    voted = any(v.user_id == user.pk for v in votes)
    undecided = decision is None and not item.withdrawn
    votable = item.kind != m.ACKNOWLEDGE
    voter = present and seat in m.VOTING_POSITIONS and is_open and undecided and votable
    en = lang == "en"
    return {
        "item": item,
        "req": item.request,
        "may_open_case": item.request_id in visible,
        "amount_requested": summary.get("amount_requested"),
        "requested_items": [{"label": i.get("en" if en else "th", ""), "amount": i.get("amount")}
                            for i in summary.get("items", [])],
        "opinion": summary.get("opinion", ""),
        "grounds": summary.get("grounds", ""),
        "screening": _screening(summary, lang),
        "conflicts": conflicts,
        "votes": votes,
        "tally": [(label, sum(1 for v in votes if v.choice == code)) for code, label in m.VOTE_CHOICES],
        "decision": _decision_view(decision, lang),
        "reported": _decision_view(item.decision_reported, lang) if item.kind == m.ACKNOWLEDGE else None,
        "may_declare": voter and not conflicted and not voted,
        "may_vote": voter and not conflicted and not voted,
        "conflicted": conflicted,
        "my_vote": next((v for v in votes if v.user_id == user.pk), None),
        "may_decide": seat == m.SECRETARY and is_open and undecided and votable,
        "may_acknowledge": (seat == m.SECRETARY and is_open and item.kind == m.ACKNOWLEDGE
                            and item.acknowledged_at is None),
    }


def _meeting_context(request: StaffRequest, meeting: m.Meeting, typed: dict[str, Any] | None = None) -> dict[str, Any]:
    user, lang = request.user, _lang()
    day = meeting.scheduled_for.date()
    membership = selectors.seat_of(user, meeting.committee, day)
    seat = membership.position if membership else ""
    attendance = list(meeting.attendance.all())
    attended = {a.user_id: a for a in attendance}
    present = user.pk in attended
    is_open = meeting.state == m.OPEN
    items = list(meeting.items.all())
    visible = case_selectors.visible_ids(user, {i.request_id for i in items})
    item_views = [_item_view(i, user, seat=seat, present=present and attended[user.pk].position in m.VOTING_POSITIONS,
                             is_open=is_open, visible=visible, lang=lang) for i in items]
    typed = typed or {}
    for view in item_views:
        if view["may_decide"]:
            data = typed.get("data") if typed.get("item") == view["item"].pk else None
            view["form"] = _resolution_form(view["item"], data, typed.get("errors", []) if data is not None else [])
    members = selectors.members(meeting.committee, day)
    electronic = meeting.mode != m.IN_PERSON
    taking = meeting.state in (m.SCHEDULED, m.OPEN)
    return {
        "meeting": meeting,
        "seat": seat,
        "seat_name": dict(m.POSITION_CHOICES).get(seat, ""),
        "quorum": _quorum(meeting, sum(1 for a in attendance if a.position in m.VOTING_POSITIONS)),
        "members": [{"membership": s, "attendance": attended.get(s.user_id),
                     "may_record": seat == m.SECRETARY and taking and s.user_id not in attended}
                    for s in members],
        "electronic": electronic,
        "may_sign_in": seat in m.VOTING_POSITIONS and electronic and taking and not present,
        "steps": [code for code, (_fn, position, state) in MEETING_STEPS.items()
                  if seat == position and meeting.state == state],
        "items": item_views,
        "may_download": meeting.state == m.APPROVED and bool(meeting.minutes_storage_name),
        "attendance_modes": m.ATTENDANCE_MODE_CHOICES if electronic else m.ATTENDANCE_MODE_CHOICES[:1],
        "vote_choices": m.VOTE_CHOICES,
        "lang": lang,
    }


@require_GET
@staff_required
def meeting(request: StaffRequest, pk: int) -> HttpResponse:
    found = _visible_meeting(request.user, pk)
    typed = request.session.pop(TYPED_KEY, None)  # the refused form comes back once, never kept longer
    typed = typed if isinstance(typed, dict) and typed.get("meeting") == pk else None
    return render(request, "staff/meetings/meeting.html", _meeting_context(request, found, typed))


def _refused(request: StaffRequest, meeting_pk: int, exc: CaseError, anchor: str) -> HttpResponseBase:
    """A refusal in words: one the person's seat never allows is a 403 with the page; any other
    comes back on the page after a redirect."""
    if isinstance(exc, NotPermitted):
        messages.error(request, exc.message(_lang()))
        found = selectors.meeting(meeting_pk)
        return render(request, "staff/meetings/meeting.html", _meeting_context(request, found), status=403)
    messages.error(request, exc.message(_lang()))
    return _see_other(_meeting_url(meeting_pk, anchor))


@require_POST
@staff_required
def meeting_step(request: StaffRequest, pk: int, step: str) -> HttpResponseBase:
    """Build the agenda, open, close (the secretary) or approve the minutes (the chair)."""
    found = _visible_meeting(request.user, pk)
    if step not in MEETING_STEPS:
        raise Http404("no such step")
    fn = MEETING_STEPS[step][0]
    try:
        done = fn(actor=request.user, meeting_id=found.pk)
    except CaseError as exc:
        return _refused(request, found.pk, exc, "meeting-state")
    if step == "agenda":
        messages.success(request, _("จัดระเบียบวาระการประชุมแล้ว: เพิ่ม %(n)s วาระ") % {"n": len(done)})
    else:
        messages.success(request, str(DONE[step]))
    return _see_other(_meeting_url(found.pk))


@require_POST
@staff_required
def attend(request: StaffRequest, pk: int) -> HttpResponseBase:
    """The secretary records a member present (in the room or electronically); a member signs
    themselves in electronically (no ``user`` posted)."""
    found = _visible_meeting(request.user, pk)
    raw = request.POST.get("user", "")
    who: User | None = request.user
    if raw:
        day = found.scheduled_for.date()
        who = next((s.user for s in selectors.members(found.committee, day) if str(s.user_id) == raw), None)
    mode = request.POST.get("mode", m.ELECTRONIC if not raw else m.IN_PERSON)
    if who is None:
        messages.error(request, _("ไม่พบกรรมการที่เลือก กรุณาเลือกจากรายการ"))
        return _see_other(_meeting_url(found.pk, "attendance"))
    try:
        services.record_attendance(actor=request.user, meeting_id=found.pk, user=who, mode=mode)
    except CaseError as exc:
        return _refused(request, found.pk, exc, "attendance")
    messages.success(request, _("บันทึกการเข้าประชุมของ %(name)s แล้ว") % {"name": who.get_full_name() or who.username})
    return _see_other(_meeting_url(found.pk, "attendance"))


@require_GET
@staff_required
def minutes(request: StaffRequest, pk: int) -> HttpResponseBase:
    """The approved minutes as a PDF download (never shown in the app's origin), audited."""
    found = _visible_meeting(request.user, pk)
    if found.state != m.APPROVED or not found.minutes_storage_name:
        raise Http404("no approved minutes")
    try:
        data = services.read_stored(found.minutes_storage_name)
    except OSError:
        raise Http404("minutes not stored") from None
    record("minutes_downloaded", actor=request.user, object_type="meeting", object_id=str(found.pk),
           reference=str(found), details={"sha256": found.minutes_sha256})
    return pdf_attachment(data, f"minutes-{found.committee.code}-{found.number}-{found.fiscal_year}.pdf")


# --------------------------------------------------------------------------- agenda items


def _item_of(user: User, item_id: int) -> m.AgendaItem:
    try:
        found = selectors.item(item_id)
    except m.AgendaItem.DoesNotExist:
        raise Http404("item not found") from None
    _visible_meeting(user, found.meeting_id)
    return found


@require_POST
@staff_required
def item_step(request: StaffRequest, pk: int, step: str) -> HttpResponseBase:
    """A member declares a conflict or votes; the secretary acknowledges an urgent decision."""
    found = _item_of(request.user, pk)
    anchor = f"item-{found.pk}"
    try:
        if step == "conflict":
            services.declare_conflict(actor=request.user, item_id=found.pk, note=_text(request.POST.get("note", ""), 2000))
        elif step == "vote":
            services.cast_vote(actor=request.user, item_id=found.pk, choice=request.POST.get("choice", ""))
        elif step == "acknowledge":
            services.acknowledge(actor=request.user, item_id=found.pk)
        else:
            raise Http404("no such step")
    except CaseError as exc:
        return _refused(request, found.meeting_id, exc, anchor)
    messages.success(request, str(DONE[step]))
    return _see_other(_meeting_url(found.meeting_id, anchor))


# --------------------------------------------------------------------------- the resolution


class ResolutionForm(NamedErrors, forms.Form):
    """The secretary's record of the meeting's resolution on an item. The form only offers the
    choices; ``services.decide_at_meeting`` judges them (every problem at once, each on its field)."""

    outcome = forms.ChoiceField(label=gettext_lazy("มติที่ประชุม"), widget=forms.RadioSelect, required=False)
    reason_codes = forms.MultipleChoiceField(label=gettext_lazy("เหตุผล"), required=False)
    cause = forms.ChoiceField(label=gettext_lazy("สาเหตุที่ยุติเรื่อง"), required=False)
    note = forms.CharField(label=gettext_lazy("บันทึกเพิ่มเติม"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False, max_length=5000,
                           help_text=gettext_lazy("ข้อความเพิ่มเติมจากเหตุผลที่เลือก ไม่ใช้แทนเหตุผล"))

    def __init__(self, *args: Any, item: m.AgendaItem, **kwargs: Any):
        super().__init__(*args, **kwargs)
        lang = _lang()
        self.item = item
        action = "decide_appeal" if item.kind == m.APPEAL else "record_subcommittee_decision"
        self.outcomes = services.DECIDING_OUTCOMES[action]
        self._choices("outcome", [(o, reasons.outcome_name(o, lang)) for o in self.outcomes])
        self._choices("reason_codes", [(r.code, r.name(lang)) for r in reasons.all_reasons().values()])
        self._choices("cause", [("", _("— เลือกสาเหตุ —")),
                                *((c, reasons.cause_name(c, lang)) for c in reasons.CAUSE_NAMES)])
        self.amount_fields: list[tuple[str, str, Any]] = []
        for i in (item.summary or {}).get("items", []):
            name = f"item_{i['key']}"
            label = i.get("en" if lang == "en" else "th", i["key"])
            self.fields[name] = forms.CharField(label=_("%(item)s: จำนวนเงินที่อนุมัติ (บาท)") % {"item": label},
                                                required=False, max_length=20, initial=i.get("amount", ""),
                                                widget=forms.TextInput(attrs={"inputmode": "decimal"}))
            self.amount_fields.append((i["key"], name, i.get("amount", "")))
        missing = [(n, a) for _k, n, a in self.amount_fields if self.add_prefix(n) not in self.data]
        if self.is_bound and missing:  # amounts not on the form yet (an outcome without them was chosen): the requested
            assert isinstance(self.data, QueryDict)  # request.GET/POST, or _as_query
            filled = self.data.copy()
            for n, a in missing:
                filled[self.add_prefix(n)] = str(a)
            self.data = filled
        name_errors(self.fields)

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    @property
    def chosen_outcome(self) -> str:
        return str(self.data.get(self.add_prefix("outcome"), "")) if self.is_bound else ""

    def chosen_codes(self) -> list[str]:
        if not self.is_bound:
            return []
        assert isinstance(self.data, QueryDict)
        return list(self.data.getlist(self.add_prefix("reason_codes")))

    def amounts(self) -> dict[str, str]:
        return {key: str(self.data.get(self.add_prefix(name), "")).strip() for key, name, _default in self.amount_fields}

    def reason_groups(self) -> list[dict[str, Any]]:
        """The reasons that fit the chosen outcome (every reason before one is chosen), grouped by
        the category of fact they rest on, each once."""
        lang, chosen = _lang(), set(self.chosen_codes())
        outcome = self.chosen_outcome
        if outcome in self.outcomes:
            offered = reasons.for_outcome(outcome)
        else:
            offered = [r for r in reasons.all_reasons().values() if set(r.outcomes) & set(self.outcomes)]
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in offered:
            groups.setdefault(r.category, []).append({"code": r.code, "name": r.name(lang), "checked": r.code in chosen})
        return [{"category": reasons.category_name(cat, lang), "key": cat, "reasons": rows} for cat, rows in groups.items()]

    def show_amounts(self) -> bool:
        return self.chosen_outcome in ("", *services.APPROVING)

    def show_cause(self) -> bool:
        return self.chosen_outcome in ("", "terminated")


def _resolution_form(item: m.AgendaItem, data: dict[str, Any] | None = None,
                     errors: list[dict[str, str]] | None = None) -> ResolutionForm:
    form = ResolutionForm(_as_query(data) if data is not None else None, item=item, prefix=f"r{item.pk}")
    if data is not None:
        form.is_valid()
        lang = _lang()
        for e in errors or []:
            field = e.get("field", "")
            target = f"item_{field.removeprefix('items.')}" if field.startswith("items.") else RESOLUTION_FIELDS.get(field)
            if target == "items":
                target = form.amount_fields[0][1] if form.amount_fields else None
            form.add_error(target if target in form.fields else None, field_message(e, lang))
    return form


def _as_query(data: dict[str, Any]) -> Any:
    q = QueryDict(mutable=True)
    for k, v in data.items():
        if isinstance(v, list):
            q.setlist(k, [str(x) for x in v])
        else:
            q[k] = str(v)
    return q


@require_GET
@staff_required
def resolution_fields(request: StaffRequest, pk: int) -> HttpResponse:
    """htmx: the resolution form's reasons, amounts and cause for the outcome chosen (what was
    already typed kept)."""
    found = _item_of(request.user, pk)
    form = ResolutionForm(request.GET, item=found, prefix=f"r{found.pk}")
    return render(request, "staff/meetings/_resolution_fields.html", {"form": form, "it": {"item": found}})


@require_POST
@staff_required
def decide(request: StaffRequest, pk: int) -> HttpResponseBase:
    """The secretary records the resolution (``services.decide_at_meeting``); a refusal comes back
    on the form's fields, what was typed kept."""
    found = _item_of(request.user, pk)
    form = ResolutionForm(request.POST, item=found, prefix=f"r{found.pk}")
    form.is_valid()
    anchor = f"item-{found.pk}"
    amounts = {k: v for k, v in form.amounts().items() if v} if form.chosen_outcome in services.APPROVING else {}
    try:
        services.decide_at_meeting(
            actor=request.user, item_id=found.pk, outcome=form.chosen_outcome, reason_codes=form.chosen_codes(),
            note=_text(request.POST.get(form.add_prefix("note"), ""), 5000), items=amounts,
            cause=str(request.POST.get(form.add_prefix("cause"), "")) if form.chosen_outcome == "terminated" else "")
    except NotPermitted as exc:
        return _refused(request, found.meeting_id, exc, anchor)
    except CaseError as exc:
        prefix = form.add_prefix("")
        data = {k: request.POST.getlist(k) if k.endswith("reason_codes") else v
                for k, v in request.POST.items() if k.startswith(prefix)}
        errors = exc.errors or [{"field": "__all__", "message_th": exc.th, "message_en": exc.en}]
        request.session[TYPED_KEY] = {"meeting": found.meeting_id, "item": found.pk, "data": data, "errors": errors}
        messages.error(request, _("บันทึกมติไม่ได้ กรุณาตรวจสอบ"))
        return _see_other(_meeting_url(found.meeting_id, anchor))
    messages.success(request, str(DONE["decide"]))
    return _see_other(_meeting_url(found.meeting_id, anchor))


__all__ = ["ResolutionForm", "ScheduleForm", "attend", "decide", "item_step", "meeting", "meeting_step", "meetings",
           "minutes", "resolution_fields"]
