"""Staff pages for complaints (issue 12, item 7): the office's queue with the answer-time colour,
and a complaint's page to take it, answer it and close it. A complaint about an officer reaches
the office heads only, never the officer it names (``jfs.complaints.selectors.staff_complaints``);
every complaint opened is audited (a citizen's personal data)."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jfs.accounts.http import StaffRequest
from jfs.cases.errors import CaseError
from jfs.complaints import policy, selectors, services
from jfs.staff.access import staff_required


def _lang() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


class ActionForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("คำตอบถึงผู้ร้องเรียน"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )


@staff_required
def queue(request: StaffRequest) -> HttpResponse:
    pol = policy.load()
    show = request.GET.get("show", "open")
    qs = selectors.staff_complaints(request.user)
    if show != "all":
        qs = qs.filter(state__in=pol.open_states)
    rows = [(c, pol.states[c.state], pol.kinds.get(c.kind), selectors.colour(c)) for c in qs.order_by("due_on")[:200]]
    return render(request, "staff/complaints/queue.html", {"rows": rows, "show": show})


@staff_required
@require_http_methods(["GET", "POST"])
def complaint(request: StaffRequest, pk: int) -> HttpResponse:
    pol = policy.load()
    c = selectors.staff_complaint(request.user, pk)
    if c is None:
        raise Http404
    form = ActionForm()
    status = 200
    if request.method == "POST":
        form = ActionForm(request.POST)
        action = request.POST.get("action", "")
        if form.is_valid():
            try:
                services.act(actor=request.user, complaint_id=c.pk, action=action, comment=form.cleaned_data["comment"])
            except CaseError as exc:
                form.add_error("comment" if exc.errors else None, exc.message(_lang()))
                status = 422
            else:
                resp = HttpResponseRedirect(reverse("staff:complaint", args=[c.pk]))
                resp.status_code = 303
                return resp
        else:
            status = 422
    services.audit_view(request.user, c)
    actions = pol.actions_from(c.state, policy.STAFF) if selectors.may_handle(request.user, c) else []
    return render(
        request,
        "staff/complaints/complaint.html",
        {
            "c": c,
            "state": pol.states[c.state],
            "kind": pol.kinds.get(c.kind),
            "colour": selectors.colour(c),
            "steps": [(s, pol.states.get(s.to_state)) for s in selectors.steps(c)],
            "actions": actions,
            "form": form,
            "lang": _lang(),
        },
        status=status,
    )


urlpatterns: list[URLPattern] = [
    path("complaints/", queue, name="complaints"),
    path("complaints/<int:pk>/", complaint, name="complaint"),
]
