"""Portal pages for legal consultation (issue 12, item 8): a public start page; booking an
appointment one question per page (office, day, time, in person or video, topic, check); asking a
question online (office, the question, about you, where you live: a CONSULT request the officers
answer from the workspace); the citizen's appointments (cancel) and questions with their answers.

Drafts live in the session until sent. Another citizen's appointment or question is a 404, audited."""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Any

import geothai
from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from jfs.accounts import selectors as account_selectors
from jfs.accounts.models import Office, User
from jfs.audit.services import record
from jfs.cases.errors import CaseError, field_message
from jfs.cases.services import ApplicantInput
from jfs.consultations import policy, selectors, services
from jfs.core import clock
from jfs.portal.access import citizen_required
from jfs.portal.http import citizen as _citizen
from jfs.portal.http import lang as _lang
from jfs.portal.http import see_other as _see_other
from jfslib import thai_id
from jfslib.thaidate import DateInputError, format_en, format_thai, parse_date

BOOK = "consult_booking"
ASK = "consult_question"
#: the question the session's last draft became (a repeated "send" lands on it)
ASKED = "consult_asked"
BOOK_STEPS = ("office", "day", "slot", "mode", "topic")
ASK_STEPS = ("office", "question", "you", "postcode", "place")
#: the answer each question page leaves in the draft (a later page needs the earlier ones answered)
ASK_KEYS = {"office": "office", "question": "topic", "you": "first_name", "postcode": "postcode", "place": "place"}


def _date_text(d: date) -> str:
    return format_en(d) if _lang() == "en" else format_thai(d, "long")


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class OfficeForm(forms.Form):
    office = forms.ChoiceField(
        label=gettext_lazy("สำนักงานที่ท่านต้องการปรึกษา"),
        help_text=gettext_lazy("สำนักงานยุติธรรมจังหวัดที่ใกล้ท่าน"),
        error_messages={"required": gettext_lazy("กรุณาเลือกสำนักงาน")},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        en = _lang() == "en"
        _choice(self, "office").choices = [("", _("เลือกสำนักงาน"))] + [
            (o.code, o.name_en if en else o.name_th) for o in account_selectors.offices()
        ]


class DayForm(forms.Form):
    day = forms.ChoiceField(
        label=gettext_lazy("วันที่ต้องการนัด"),
        widget=forms.RadioSelect,
        help_text=gettext_lazy("เฉพาะวันทำการของสำนักงาน ไม่รวมวันหยุดราชการและวันปิดทำการ"),
        error_messages={"required": gettext_lazy("กรุณาเลือกวันที่ต้องการนัด")},
    )

    def __init__(self, *args: Any, office: Office, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choice(self, "day").choices = [(d.isoformat(), _date_text(d)) for d in selectors.bookable_days(office.pk)]


class SlotForm(forms.Form):
    slot = forms.ChoiceField(
        label=gettext_lazy("เวลาที่ต้องการนัด"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("กรุณาเลือกเวลาที่ต้องการนัด")},
    )

    def __init__(self, *args: Any, office: Office, day: date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        minutes = policy.load().slot_minutes
        _choice(self, "slot").choices = [
            (
                t.strftime("%H:%M"),
                _("%(start)s น. (%(minutes)s นาที)") % {"start": t.strftime("%H.%M"), "minutes": minutes},
            )
            for t in selectors.free_slots(office.pk, day)
        ]


class ModeForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("ท่านต้องการพบเจ้าหน้าที่อย่างไร"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("กรุณาเลือกวิธีพบเจ้าหน้าที่")},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choice(self, "mode").choices = [(k, m.text(_lang())) for k, m in policy.load().modes.items()]


class TopicForm(forms.Form):
    topic = forms.CharField(
        label=gettext_lazy("เรื่องที่ต้องการปรึกษา"),
        max_length=300,
        help_text=gettext_lazy("สั้น ๆ เช่น ถูกเลิกจ้างไม่ได้รับค่าชดเชย"),
        error_messages={"required": gettext_lazy("กรุณากรอกเรื่องที่ต้องการปรึกษา")},
    )


class QuestionForm(forms.Form):
    topic = forms.CharField(
        label=gettext_lazy("เรื่องที่ต้องการปรึกษา"),
        max_length=300,
        help_text=gettext_lazy("สั้น ๆ เช่น ถูกเลิกจ้างไม่ได้รับค่าชดเชย"),
        error_messages={"required": gettext_lazy("กรุณากรอกเรื่องที่ต้องการปรึกษา")},
    )
    question = forms.CharField(
        label=gettext_lazy("คำถามของท่าน"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("เล่าเหตุการณ์และสิ่งที่ท่านอยากรู้"),
        error_messages={"required": gettext_lazy("กรุณากรอกคำถาม")},
    )


SEX_CHOICES = [("F", gettext_lazy("หญิง")), ("M", gettext_lazy("ชาย")), ("X", gettext_lazy("ไม่ระบุ"))]


class YouForm(forms.Form):
    national_id = forms.CharField(
        label=gettext_lazy("เลขประจำตัวประชาชน 13 หลัก"),
        max_length=17,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": gettext_lazy("กรุณากรอกเลขประจำตัวประชาชน")},
    )
    first_name = forms.CharField(
        label=gettext_lazy("ชื่อ"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": gettext_lazy("กรุณากรอกชื่อ")},
    )
    last_name = forms.CharField(
        label=gettext_lazy("นามสกุล"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": gettext_lazy("กรุณากรอกนามสกุล")},
    )
    birth_date = forms.CharField(
        label=gettext_lazy("วันเกิด"),
        max_length=10,
        help_text=gettext_lazy("วว/ดด/ปปปป ปี พ.ศ. เช่น 15/08/2530"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "bday"}),
        error_messages={"required": gettext_lazy("กรุณากรอกวันเกิด")},
    )
    sex = forms.ChoiceField(
        label=gettext_lazy("เพศ"), choices=SEX_CHOICES, error_messages={"required": gettext_lazy("กรุณาเลือกเพศ")}
    )
    phone = forms.CharField(
        label=gettext_lazy("เบอร์โทรศัพท์"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args: Any, verified_id: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        if verified_id:
            del self.fields["national_id"]

    def clean_national_id(self) -> str:
        try:
            return thai_id.validate(self.cleaned_data["national_id"])
        except thai_id.InvalidNationalID as exc:
            raise forms.ValidationError(exc.en if _lang() == "en" else exc.th) from None

    def clean_birth_date(self) -> str:
        try:
            return parse_date(self.cleaned_data["birth_date"], era="BE", today=clock.today()).isoformat()
        except DateInputError as exc:
            raise forms.ValidationError(exc.en if _lang() == "en" else exc.th) from None


class PostcodeForm(forms.Form):
    postcode = forms.CharField(
        label=gettext_lazy("รหัสไปรษณีย์ของที่อยู่ท่าน"),
        max_length=5,
        min_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        error_messages={"required": gettext_lazy("กรุณากรอกรหัสไปรษณีย์"), "min_length": gettext_lazy("รหัสไปรษณีย์มี 5 หลัก")},
    )

    def clean_postcode(self) -> str:
        code = self.cleaned_data["postcode"].strip()
        if not code.isdigit() or not geothai.by_postal_code(code):
            raise forms.ValidationError(_("ไม่พบรหัสไปรษณีย์นี้ กรุณาตรวจสอบอีกครั้ง"))
        return code


class PlaceForm(forms.Form):
    place = forms.ChoiceField(
        label=gettext_lazy("ตำบลที่ท่านอยู่"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("กรุณาเลือกตำบลที่ท่านอยู่")},
    )

    def __init__(self, *args: Any, postcode: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        en = _lang() == "en"
        choices = []
        for s in geothai.by_postal_code(postcode):
            d, p = geothai.district(s.district_code), geothai.province(s.province_code)
            names = [
                s.name_en if en else s.name_th,
                (d.name_en if en else d.name_th) if d else "",
                (p.name_en if en else p.name_th) if p else "",
            ]
            choices.append((s.code, ", ".join(n for n in names if n)))
        _choice(self, "place").choices = choices


def _draft(request: HttpRequest, key: str) -> dict[str, Any]:
    draft = request.session.get(key)
    return dict(draft) if isinstance(draft, dict) else {}


def _office(code: Any) -> Office | None:
    return account_selectors.offices().filter(code=str(code or "")).first()


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def start(request: HttpRequest) -> HttpResponse:
    """The public start page: book an appointment or ask a question online."""
    pol = policy.load()
    return render(request, "portal/consult/start.html", {"policy": pol, "modes": pol.modes.values()})


def _question_page(
    request: HttpRequest, form: forms.Form, heading: str, back: str, radios: bool, lead: str = ""
) -> HttpResponse:
    return render(
        request,
        "portal/consult/question.html",
        {
            "form": form,
            "heading": heading,
            "back_url": back,
            "radios": radios,
            "lead": lead,
        },
        status=422 if request.method == "POST" else 200,
    )


@citizen_required
@require_http_methods(["GET", "POST"])
def book_step(request: HttpRequest, name: str) -> HttpResponse:
    if name not in BOOK_STEPS:
        raise Http404
    draft = _draft(request, BOOK)
    index = BOOK_STEPS.index(name)
    for earlier in BOOK_STEPS[:index]:  # a page reached without its earlier answers goes back to the first missing
        if not draft.get(earlier):
            return _see_other(reverse("portal:consult_book", args=[earlier]))
    data = request.POST if request.method == "POST" else None
    office = _office(draft.get("office"))
    day = _day(draft.get("day"))
    back = reverse("portal:consult_book", args=[BOOK_STEPS[index - 1]]) if index else reverse("portal:consult")
    form: forms.Form
    lead = ""
    if name == "office":
        form, heading = OfficeForm(data, initial=draft), _("สำนักงานที่ท่านต้องการปรึกษา")
    elif name == "day":
        assert office is not None
        form, heading = DayForm(data, initial=draft, office=office), _("วันที่ต้องการนัด")
    elif name == "slot":
        assert office is not None and day is not None
        form, heading = SlotForm(data, initial=draft, office=office, day=day), _("เวลาที่ต้องการนัด")
        lead = _date_text(day)
        if not _choice(form, "slot").choices:
            lead = _("วันนี้ไม่มีเวลาว่างแล้ว กรุณาย้อนกลับไปเลือกวันอื่น")
    elif name == "mode":
        form, heading = ModeForm(data, initial=draft), _("ท่านต้องการพบเจ้าหน้าที่อย่างไร")
    else:
        form, heading = TopicForm(data, initial=draft), _("เรื่องที่ต้องการปรึกษา")
    if request.method == "POST" and form.is_valid():
        draft.update(form.cleaned_data)
        if name == "office":
            draft.pop("day", None)
            draft.pop("slot", None)
        if name == "day":
            draft.pop("slot", None)
        request.session[BOOK] = draft
        if request.GET.get("change") == "1" and all(draft.get(s) for s in BOOK_STEPS):
            return _see_other(reverse("portal:consult_book_check"))
        nxt = BOOK_STEPS[index + 1] if index + 1 < len(BOOK_STEPS) else None
        return _see_other(reverse("portal:consult_book", args=[nxt]) if nxt else reverse("portal:consult_book_check"))
    return _question_page(request, form, heading, back, name in ("day", "slot", "mode"), lead)


def _book_rows(draft: dict[str, Any]) -> list[tuple[str, str, str]]:
    lang = _lang()
    office, day = _office(draft.get("office")), _day(draft.get("day"))
    mode = policy.load().modes.get(str(draft.get("mode", "")))
    return [
        (_("สำนักงาน"), (office.name_en if lang == "en" else office.name_th) if office else "", "office"),
        (_("วันที่"), _date_text(day) if day else "", "day"),
        (_("เวลา"), str(draft.get("slot", "")).replace(":", "."), "slot"),
        (_("วิธีพบเจ้าหน้าที่"), mode.text(lang) if mode else "", "mode"),
        (_("เรื่องที่ต้องการปรึกษา"), str(draft.get("topic", "")), "topic"),
    ]


@citizen_required
@require_http_methods(["GET", "POST"])
def book_check(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    draft = _draft(request, BOOK)
    if not all(draft.get(s) for s in BOOK_STEPS):
        return _see_other(reverse("portal:consult_book", args=["office"]))
    errors: list[str] = []
    if request.method == "POST":
        office, day = _office(draft.get("office")), _day(draft.get("day"))
        try:
            start_at = time.fromisoformat(str(draft.get("slot")))
            if office is None or day is None:
                raise ValueError
        except ValueError:
            return _see_other(reverse("portal:consult_book", args=["office"]))
        try:
            appt = services.book(
                citizen=user,
                office=office,
                day=day,
                start=start_at,
                mode=str(draft.get("mode")),
                topic=str(draft.get("topic", "")),
            )
        except CaseError as exc:
            errors = [field_message(e, _lang()) for e in exc.errors] or [exc.message(_lang())]
        else:
            request.session.pop(BOOK, None)
            return _see_other(reverse("portal:consult_appointment", args=[appt.pk]))
    return render(
        request,
        "portal/consult/check.html",
        {
            "rows": _book_rows(draft),
            "errors": errors,
            "step_url": "portal:consult_book",
            "heading": _("ตรวจสอบก่อนยืนยันนัด"),
            "button": _("ยืนยันนัด"),
            "back_url": reverse("portal:consult_book", args=["topic"]),
        },
        status=422 if errors else 200,
    )


@citizen_required
@require_http_methods(["GET", "POST"])
def ask_step(request: HttpRequest, name: str) -> HttpResponse:
    user = _citizen(request)
    if name not in ASK_STEPS:
        raise Http404
    draft = _draft(request, ASK)
    index = ASK_STEPS.index(name)
    for earlier in ASK_STEPS[:index]:
        if not draft.get(ASK_KEYS[earlier]):
            return _see_other(reverse("portal:consult_ask", args=[earlier]))
    data = request.POST if request.method == "POST" else None
    back = reverse("portal:consult_ask", args=[ASK_STEPS[index - 1]]) if index else reverse("portal:consult")
    form: forms.Form
    if name == "office":
        form, heading = OfficeForm(data, initial=draft), _("สำนักงานที่ท่านต้องการปรึกษา")
    elif name == "question":
        form, heading = QuestionForm(data, initial=draft), _("คำถามของท่าน")
    elif name == "you":
        initial = {"first_name": user.first_name, "last_name": user.last_name, **draft}
        form, heading = YouForm(data, initial=initial, verified_id=user.national_id), _("เกี่ยวกับท่าน")
    elif name == "postcode":
        form, heading = PostcodeForm(data, initial=draft), _("รหัสไปรษณีย์ของที่อยู่ท่าน")
    else:
        form, heading = PlaceForm(data, initial=draft, postcode=str(draft.get("postcode", ""))), _("ตำบลที่ท่านอยู่")
    if request.method == "POST" and form.is_valid():
        draft.update(form.cleaned_data)
        if name == "postcode":
            draft.pop("place", None)
        # the draft's idempotency key, from its first answer: two submissions of it ask one question
        draft.setdefault("key", uuid.uuid4().hex)
        request.session[ASK] = draft
        nxt = ASK_STEPS[index + 1] if index + 1 < len(ASK_STEPS) else None
        if request.GET.get("change") == "1" and draft.get("place"):
            nxt = None
        return _see_other(reverse("portal:consult_ask", args=[nxt]) if nxt else reverse("portal:consult_ask_check"))
    return _question_page(request, form, heading, back, name == "place")


def _ask_rows(draft: dict[str, Any], user: User) -> list[tuple[str, str, str]]:
    lang = _lang()
    office = _office(draft.get("office"))
    place = geothai.subdistrict(str(draft.get("place", "")))
    birth = _day(draft.get("birth_date"))
    sex = dict(SEX_CHOICES).get(str(draft.get("sex", "")), "")
    national_id = user.national_id or str(draft.get("national_id", ""))
    return [
        (_("สำนักงาน"), (office.name_en if lang == "en" else office.name_th) if office else "", "office"),
        (_("เรื่องที่ต้องการปรึกษา"), str(draft.get("topic", "")), "question"),
        (_("คำถามของท่าน"), str(draft.get("question", "")), "question"),
        (_("เลขประจำตัวประชาชน"), thai_id.mask(national_id) if national_id else "", "you"),
        (_("ชื่อ-นามสกุล"), f"{draft.get('first_name', '')} {draft.get('last_name', '')}", "you"),
        (_("วันเกิด"), _date_text(birth) if birth else "", "you"),
        (_("เพศ"), str(sex), "you"),
        (
            _("ที่อยู่"),
            f"{(place.name_en if lang == 'en' else place.name_th) if place else ''} {draft.get('postcode', '')}",
            "postcode",
        ),
    ]


@citizen_required
@require_http_methods(["GET", "POST"])
def ask_check(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    draft = _draft(request, ASK)
    place = geothai.subdistrict(str(draft.get("place", "")))
    if not draft.get("topic") or not draft.get("first_name") or place is None:
        asked = request.session.get(ASKED)
        if request.method == "POST" and isinstance(asked, int):
            # "send" again after the draft became a question (a double click, the back button)
            return _see_other(reverse("portal:consult_question", args=[asked]))
        return _see_other(reverse("portal:consult_ask", args=["office"]))
    if "key" not in draft:  # a draft begun before drafts had keys
        draft["key"] = uuid.uuid4().hex
        request.session[ASK] = draft
    errors: list[str] = []
    if request.method == "POST":
        office, birth = _office(draft.get("office")), _day(draft.get("birth_date"))
        if office is None or birth is None:
            return _see_other(reverse("portal:consult_ask", args=["office"]))
        applicant = ApplicantInput(
            national_id=user.national_id or str(draft.get("national_id", "")),
            first_name=str(draft["first_name"]),
            last_name=str(draft.get("last_name", "")),
            birth_date=birth,
            sex=str(draft.get("sex", "")),
            province_code=place.province_code,
            district_code=place.district_code,
            subdistrict_code=place.code,
            phone=str(draft.get("phone", "")),
        )
        try:
            q = services.ask_question(
                citizen=user,
                office=office,
                topic=str(draft["topic"]),
                question=str(draft.get("question", "")),
                applicant=applicant,
                submission_key=draft.get("key"),
            )
        except CaseError as exc:
            errors = [field_message(e, _lang()) for e in exc.errors] or [exc.message(_lang())]
        else:
            request.session.pop(ASK, None)
            request.session[ASKED] = q.pk
            return _see_other(reverse("portal:consult_question", args=[q.pk]))
    return render(
        request,
        "portal/consult/check.html",
        {
            "rows": _ask_rows(draft, user),
            "errors": errors,
            "step_url": "portal:consult_ask",
            "heading": _("ตรวจสอบก่อนส่งคำถาม"),
            "button": _("ส่งคำถาม"),
            "back_url": reverse("portal:consult_ask", args=["place"]),
        },
        status=422 if errors else 200,
    )


@citizen_required
def mine(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    pol = policy.load()
    appointments = [(a, pol.modes.get(a.mode)) for a in selectors.citizen_appointments(user)]
    questions = [(q, r, selectors.answer_of(r)) for q, r in selectors.citizen_questions(user)]
    return render(request, "portal/consult/mine.html", {"appointments": appointments, "questions": questions})


def _denied(user: User, what: str, pk: int) -> None:
    record("portal_access_refused", actor=user, object_type=what, object_id=str(pk), purpose="access refused")


@citizen_required
def appointment(request: HttpRequest, pk: int) -> HttpResponse:
    user = _citizen(request)
    appt = selectors.citizen_appointment(user, pk)
    if appt is None:
        _denied(user, "appointment", pk)
        raise Http404
    return render(request, "portal/consult/appointment.html", {"a": appt, "mode": policy.load().modes.get(appt.mode)})


@citizen_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _citizen(request)
    if selectors.citizen_appointment(user, pk) is None:
        _denied(user, "appointment", pk)
        raise Http404
    try:
        services.cancel(citizen=user, appointment_id=pk)
    except CaseError:
        pass  # already cancelled or past: the list shows it as it is
    return _see_other(reverse("portal:consult_mine"))


@citizen_required
def question(request: HttpRequest, pk: int) -> HttpResponse:
    user = _citizen(request)
    q = selectors.citizen_question(user, pk)
    if q is None:
        _denied(user, "question", pk)
        raise Http404
    return render(
        request, "portal/consult/answer.html", {"q": q, "req": q.request, "answer": selectors.answer_of(q.request)}
    )


urlpatterns: list[URLPattern] = [
    path("consult/", start, name="consult"),
    path("consult/book/check/", book_check, name="consult_book_check"),
    path("consult/book/<str:name>/", book_step, name="consult_book"),
    path("consult/ask/check/", ask_check, name="consult_ask_check"),
    path("consult/ask/<str:name>/", ask_step, name="consult_ask"),
    path("consult/mine/", mine, name="consult_mine"),
    path("consult/appointments/<int:pk>/", appointment, name="consult_appointment"),
    path("consult/appointments/<int:pk>/cancel/", cancel, name="consult_cancel"),
    path("consult/questions/<int:pk>/", question, name="consult_question"),
]
