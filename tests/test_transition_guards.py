"""Every action's state and role guard, for every service, state and role; and the same
guards enforced by ``services.transition`` on real requests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from jfs.cases import services
from jfs.cases.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from jfs.cases.models import Request, Transition
from jfslib import roles
from jfslib.workflow import PREVIOUS, TransitionRefused, load_dir, plan_transition

DEFINITIONS = load_dir(Path(__file__).resolve().parent.parent / "workflows")
THAI = re.compile(r"[\u0E00-\u0E7F]")

CASES = [
    (service, action, state)
    for service, wf in sorted(DEFINITIONS.items())
    for action in wf.actions
    for state in wf.states
]


def _previous_for(wf: Any, state: str) -> str:
    """A state that could have led into a pausing state (for "@previous" actions)."""
    for a in wf.actions.values():
        if a.target == state:
            return a.sources[0]
    return wf.initial


def _guard_outcome(wf: Any, action: str, state: str, role: str) -> str:
    """"allowed", or the refusal code; everything else the action asks for is supplied."""
    a = wf.actions[action]
    previous = _previous_for(wf, state)
    try:
        plan = plan_transition(
            wf, state=state, previous_state=previous, action_code=action, role=role,
            documents_on_file=set(wf.documents), fields={"outcome": "approved", "reason_code": "A01"},
            comment="เหตุผลประกอบ", is_assignee=True,
        )
    except TransitionRefused as exc:
        assert THAI.search(exc.th) and exc.en and not THAI.search(exc.en), (exc.th, exc.en)
        return exc.code
    assert plan.from_state == state
    assert plan.to_state == (previous if a.target == PREVIOUS else a.target)
    assert plan.clock_before == wf.states[state].clock
    assert plan.clock_after == wf.states[plan.to_state].clock
    return "allowed"


# One test per service × action × state; inside it every role is checked (11 roles), so the
# whole matrix (about 10,000 combinations) is covered without 10,000 separate test items.
@pytest.mark.parametrize(("service", "action", "state"), CASES, ids=["-".join(c) for c in CASES])
def test_action_is_allowed_iff_state_is_a_source_and_role_is_listed(service: str, action: str, state: str) -> None:
    wf = DEFINITIONS[service]
    a = wf.actions[action]
    wrong = {}
    for role in roles.ALL_ROLES:
        if state not in a.sources:
            expected = "wrong_state"
        elif role not in a.roles:
            expected = "wrong_role"
        else:
            expected = "allowed"
        got = _guard_outcome(wf, action, state, role)
        if got != expected:
            wrong[role] = (expected, got)
    assert wrong == {}, f"roles whose outcome differs (expected, got): {wrong}"


def test_the_guard_matrix_covers_every_service_action_and_state() -> None:
    expected = sum(len(wf.actions) * len(wf.states) for wf in DEFINITIONS.values())
    assert len(CASES) == expected > 900
    allowed = sum(len(a.sources) * len(a.roles) for wf in DEFINITIONS.values() for a in wf.actions.values())
    assert allowed > 100  # the matrix has both allowed and refused cells


# --------------------------------------------------------------------------- other refusals (pure)


LIT = DEFINITIONS["LIT"]


def plan(**overrides: Any) -> Any:
    kwargs: dict[str, Any] = {
        "state": "consideration", "previous_state": None, "action_code": "decide_urgent",
        "role": roles.SUBCOMMITTEE_CHAIR, "documents_on_file": (), "fields": {"outcome": "approved", "reason_code": "A01"},
        "comment": "อนุมัติ", "is_assignee": True,
    }
    kwargs.update(overrides)
    return plan_transition(LIT, **kwargs)


def refusal(**overrides: Any) -> TransitionRefused:
    with pytest.raises(TransitionRefused) as exc:
        plan(**overrides)
    return exc.value


def test_unknown_action_is_refused() -> None:
    assert refusal(action_code="approve_everything").code == "unknown_action"


def test_missing_documents_are_named_in_both_languages() -> None:
    r = refusal(state="screening", action_code="accept", role=roles.CASE_OFFICER, documents_on_file={"id_card"})
    assert r.code == "missing_documents"
    assert "ทะเบียนบ้าน" in r.th and "House registration" in r.en
    assert "บัตรประจำตัวประชาชน" not in r.th  # the one on file is not listed


def test_decision_needs_an_outcome() -> None:
    # the workflow asks for the outcome; the reason codes are the decision rules' (jfs.decisions: one or
    # more codes that fit the outcome, tests/test_decisions.py)
    r = refusal(fields={})
    assert r.code == "missing_fields" and "outcome" in r.en


def test_decision_with_an_unknown_outcome_is_refused() -> None:
    assert refusal(fields={"outcome": "maybe", "reason_code": "A01"}).code == "bad_outcome"


def test_comment_is_required_where_the_definition_says_so() -> None:
    assert refusal(state="opinion", action_code="submit_opinion", role=roles.CASE_OFFICER, comment="   ",
                   fields={}).code == "comment_required"


def test_returning_from_a_pause_without_a_previous_state_is_refused() -> None:
    r = refusal(state="awaiting_documents", action_code="documents_received", role=roles.CASE_OFFICER,
                previous_state="")
    assert r.code == "no_previous"


def test_returning_from_a_pause_goes_back_to_where_the_request_was() -> None:
    p = plan(state="awaiting_documents", action_code="documents_received", role=roles.CASE_OFFICER,
             previous_state="fact_finding")
    assert (p.to_state, p.clock_before, p.clock_after) == ("fact_finding", "paused", "running")


def test_assignee_only_actions_refuse_other_officers() -> None:
    import dataclasses

    wf = dataclasses.replace(LIT, actions={**LIT.actions, "accept": dataclasses.replace(LIT.actions["accept"], assignee_only=True)})
    with pytest.raises(TransitionRefused) as exc:
        plan_transition(wf, state="screening", previous_state=None, action_code="accept", role=roles.CASE_OFFICER,
                        documents_on_file=set(wf.documents), is_assignee=False)
    assert exc.value.code == "not_assignee"


@pytest.mark.parametrize(("action", "role"), [
    ("decide_urgent", roles.SUBCOMMITTEE_CHAIR),
    ("record_subcommittee_decision", roles.SUBCOMMITTEE_SECRETARY),
])
def test_only_the_authorised_role_decides(action: str, role: str) -> None:
    for other in roles.ALL_ROLES:
        if other == role:
            assert plan(action_code=action, role=other).to_state == "decided"
        else:
            assert refusal(action_code=action, role=other).code == "wrong_role"


# --------------------------------------------------------------------------- through the services


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["executive", "auditor", "steward", "admin"])
def test_read_only_roles_and_administrators_cannot_transition(username: str, make_request: Any, users: Any) -> None:
    req = make_request()
    n = Transition.objects.filter(request=req).count()
    with pytest.raises(NotPermitted) as exc:
        services.transition(actor=users[username], request_id=req.pk, action="start_screening",
                            expected_version=req.version)
    assert exc.value.status == 403 and THAI.search(exc.value.th) and "not permitted" in exc.value.en
    req.refresh_from_db()
    assert (req.state, req.version) == ("received", 1)
    assert Transition.objects.filter(request=req).count() == n


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["executive", "auditor", "steward", "admin", "citizen"])
def test_read_only_roles_administrators_and_citizens_cannot_register_requests(
    username: str, users: Any, offices: Any
) -> None:
    from tests.conftest import DETAILS, applicant_input

    with pytest.raises(NotPermitted):
        services.create_request(actor=users[username], service="LIT", office=offices["50"],
                                applicant=applicant_input(), details=DETAILS["LIT"])
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_officer_cannot_register_a_request_for_another_office(users: Any, offices: Any) -> None:
    from tests.conftest import DETAILS, applicant_input

    with pytest.raises(NotPermitted):
        services.create_request(actor=users["officer.kk"], service="LIT", office=offices["50"],
                                applicant=applicant_input(), details=DETAILS["LIT"])


@pytest.mark.django_db
def test_central_office_may_register_for_any_office(users: Any, offices: Any) -> None:
    from tests.conftest import DETAILS, applicant_input

    req = services.create_request(actor=users["intake.central"], service="LIT", office=offices["50"],
                                  applicant=applicant_input(), details=DETAILS["LIT"])
    assert req.office.code == "50" and req.number.startswith("JF1-50-")


@pytest.mark.django_db
def test_wrong_state_action_raises_transition_not_allowed_in_thai_and_english(make_request: Any, users: Any) -> None:
    req = make_request()
    with pytest.raises(TransitionNotAllowed) as exc:
        services.transition(actor=users["officer.cm"], request_id=req.pk, action="complete_fact_finding",
                            expected_version=req.version)
    e = exc.value
    assert e.status == 409 and e.code == "wrong_state"
    assert "แสวงหาข้อเท็จจริงเสร็จสิ้น" in e.th and "รับคำขอ" in e.th
    assert "Fact-finding complete" in e.en and "Received" in e.en
    assert e.message("en") == e.en and e.message("th") == e.th
    req.refresh_from_db()
    assert (req.state, req.version) == ("received", 1)


@pytest.mark.django_db
def test_wrong_role_action_raises_transition_not_allowed(make_request: Any, act: Any) -> None:
    req = make_request()
    act(req, "intake.cm", "start_screening")
    with pytest.raises(TransitionNotAllowed) as exc:
        act(req, "intake.cm", "terminate")  # only the office head terminates
    assert exc.value.code == "wrong_role"


@pytest.mark.django_db
def test_other_office_officer_cannot_transition(make_request: Any, act: Any) -> None:
    req = make_request()
    with pytest.raises(NotPermitted):
        act(req, "officer.kk", "start_screening")


@pytest.mark.django_db
def test_decision_reason_must_fit_the_outcome(make_request: Any, act: Any, attach: Any) -> None:
    req = make_request()
    attach(req, "intake.cm", "@required")
    for username, action in [("intake.cm", "start_screening"), ("intake.cm", "accept"),
                             ("officer.cm", "complete_fact_finding"), ("officer.cm", "submit_opinion")]:
        act(req, username, action)
    with pytest.raises(InvalidInput) as exc:
        act(req, "chair.cm", "decide_urgent", outcome="approved", reason_code="R01")
    assert exc.value.errors[0]["field"] == "reason_codes"
    req = act(req, "chair.cm", "decide_urgent", outcome="rejected", reason_code="R01")
    assert (req.state, req.outcome, req.reason_code) == ("decided", "rejected", "R01")


@pytest.mark.django_db
def test_full_path_records_every_transition_with_a_field_diff(make_request: Any, act: Any, attach: Any) -> None:
    req = make_request()
    act(req, "intake.cm", "start_screening")
    with pytest.raises(TransitionNotAllowed) as exc:
        act(req, "intake.cm", "accept")
    assert exc.value.code == "missing_documents"
    attach(req, "intake.cm", "@required")
    steps = [
        ("intake.cm", "accept", {}),
        ("officer.cm", "complete_fact_finding", {}),
        ("officer.cm", "submit_opinion", {}),
        ("secretary.cm", "record_subcommittee_decision", {"outcome": "approved", "reason_code": "A02"}),
        ("intake.cm", "notify_applicant", {}),
        ("finance.cm", "start_follow_up", {}),
        ("finance.cm", "close", {}),
    ]
    for username, action, fields in steps:
        req = act(req, username, action, **fields)
    assert req.state == "closed" and req.closed_on is not None and req.outcome == "approved"
    history = list(Transition.objects.filter(request=req).values_list("action", "from_state", "to_state"))
    assert history[0] == ("create", "", "received")
    assert [h[0] for h in history[1:]] == ["start_screening"] + [s[1] for s in steps]
    last = Transition.objects.filter(request=req).last()
    assert last.diff["state"] == ["follow_up", "closed"]
    assert req.version == 1 + len(history) - 1
    with pytest.raises(TransitionNotAllowed):
        act(req, "officer.cm", "appeal")  # closed is terminal
