"""Where a request stands (jfslib.progress): stages of the real workflows, their status, who acts,
their dates (done, due, estimated on the working calendar) and the next step."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

from jfslib import progress as p
from jfslib.progress import Step
from jfslib.workdays import WorkingCalendar
from jfslib.workflow import WorkflowDefinition, build, load_dir

WORKFLOW_DIR = Path(__file__).resolve().parent.parent / "workflows"
MON = date(2026, 11, 30)  # a Monday
CAL = WorkingCalendar.from_dates({date(2026, 12, 7)})  # a Monday holiday (King Bhumibol's birthday is the 5th)


@functools.cache
def wfs() -> dict[str, WorkflowDefinition]:
    return load_dir(WORKFLOW_DIR)


def codes(pr: p.Progress) -> list[str]:
    return [s.code for s in pr.stages]


def statuses(pr: p.Progress) -> dict[str, str]:
    return {s.code: s.status for s in pr.stages}


def test_main_path_is_the_first_state_of_each_stage() -> None:
    assert p.main_path(wfs()["LIT"]) == [
        "received", "screening", "fact_finding", "opinion", "consideration", "decided", "notified", "follow_up",
        "closed"]
    assert p.main_path(wfs()["CONSULT"]) == ["received", "advised", "closed"]


def test_a_new_request_received_today() -> None:
    wf = wfs()["LIT"]
    pr = p.progress(wf, state="received", history=[Step("", "received", MON)], today=MON, cal=CAL,
                    step_due_on=date(2026, 12, 1))
    # side states are not listed until the request goes there
    assert codes(pr) == p.main_path(wf)
    assert statuses(pr)["received"] == p.IN_PROGRESS
    assert all(s.status == p.NOT_STARTED for s in pr.stages[1:])
    first = pr.stage("received")
    assert first is not None and first.date == date(2026, 12, 1) and first.date_kind == p.DATE_DUE
    assert first.roles == ("intake_officer", "case_officer")
    # estimates add each later step's allowance, from the current step's due date, skipping the holiday
    screening, fact_finding = pr.stage("screening"), pr.stage("fact_finding")
    assert screening is not None and screening.date == date(2026, 12, 2) and screening.date_kind == p.DATE_ESTIMATE
    assert fact_finding is not None and fact_finding.date == date(2026, 12, 14)  # 7 working days, the 7th off
    # the clock-stopped stages (notified, follow-up, closed) have no date
    notified = pr.stage("notified")
    assert notified is not None and notified.date is None and notified.date_kind == ""
    assert pr.next.actions[0].code == "start_screening" and not pr.next.finished
    assert pr.has_estimates
    assert pr.next.due == date(2026, 12, 1)


def test_estimates_start_from_today_when_the_step_is_overdue() -> None:
    wf = wfs()["LIT"]
    pr = p.progress(wf, state="received", history=[], today=MON, cal=CAL, step_due_on=date(2026, 11, 2))
    screening = pr.stage("screening")
    assert screening is not None and screening.date == date(2026, 12, 1)


def test_who_acts_is_named_by_the_forward_actions() -> None:
    wf = wfs()["LIT"]
    pr = p.progress(wf, state="received", history=[], today=MON, cal=CAL)
    by = {s.code: s.roles for s in pr.stages}
    assert by["consideration"] == ("subcommittee_chair", "subcommittee_secretary")
    assert by["fact_finding"] == ("case_officer",)
    assert set(by["notified"]) == {"case_officer", "finance_officer", "office_head"}
    assert by["closed"] == ()
    # refer / withdraw / ask for documents are not the way forward
    received = pr.stage("received")
    assert received is not None and [a.code for a in received.actions] == ["start_screening"]


def test_waiting_for_documents_pauses_the_step_it_returns_to() -> None:
    wf = wfs()["LIT"]
    history = [Step("", "received", MON), Step("received", "screening", MON, "สมชาย"),
               Step("screening", "awaiting_documents", date(2026, 12, 1))]
    pr = p.progress(wf, state="awaiting_documents", previous_state="screening", history=history,
                    today=date(2026, 12, 2), cal=CAL, step_due_on=None)
    assert codes(pr)[:4] == ["received", "screening", "awaiting_documents", "fact_finding"]
    st = statuses(pr)
    assert st["received"] == p.DONE and st["screening"] == p.PAUSED and st["awaiting_documents"] == p.PAUSED
    assert st["fact_finding"] == p.NOT_STARTED
    received = pr.stage("received")
    assert received is not None and received.date == MON and received.done_by == "สมชาย"
    waiting = pr.stage("awaiting_documents")
    assert waiting is not None and waiting.side and waiting.date is None
    # the officer records them received, or the applicant sends them on the portal
    assert [a.code for a in pr.next.actions] == ["documents_received", "send_documents"]
    assert pr.next.paused and pr.next.due is None


def test_a_closed_request_skips_what_it_never_went_through() -> None:
    wf = wfs()["LIT"]
    history = [Step("", "received", MON)]
    chain = ["received", "screening", "fact_finding", "opinion", "consideration", "decided", "notified", "closed"]
    history += [Step(a, b, date(2026, 12, 1 + i)) for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False))]
    pr = p.progress(wf, state="closed", history=history, today=date(2026, 12, 20), cal=CAL)
    st = statuses(pr)
    assert st["follow_up"] == p.SKIPPED
    assert st["closed"] == p.DONE
    closed = pr.stage("closed")
    assert closed is not None and closed.date == date(2026, 12, 7)  # the 7th change
    assert all(st[c] == p.DONE for c in chain)
    assert pr.next.finished and pr.next.actions == ()
    assert not pr.has_estimates


def test_a_referred_request_lists_the_referral_not_the_closure() -> None:
    wf = wfs()["LIT"]
    history = [Step("", "received", MON), Step("received", "screening", MON),
               Step("screening", "referred", date(2026, 12, 1))]
    pr = p.progress(wf, state="referred", history=history, today=date(2026, 12, 2), cal=CAL)
    assert "closed" not in codes(pr) and codes(pr)[-1] == "referred"
    st = statuses(pr)
    assert st["screening"] == p.DONE and st["fact_finding"] == p.SKIPPED and st["referred"] == p.DONE


def test_an_appeal_is_listed_after_notification_and_follow_up_is_still_ahead() -> None:
    wf = wfs()["LIT"]
    chain = ["received", "screening", "fact_finding", "opinion", "consideration", "decided", "notified", "appeal"]
    history = [Step(a, b, date(2026, 12, 1 + i)) for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False))]
    pr = p.progress(wf, state="appeal", history=history, today=date(2026, 12, 20), cal=CAL)
    assert codes(pr)[6:9] == ["notified", "appeal", "follow_up"]
    st = statuses(pr)
    assert st["notified"] == p.DONE and st["appeal"] == p.IN_PROGRESS and st["follow_up"] == p.NOT_STARTED
    assert pr.next.roles == ("subcommittee_secretary",)


def test_consultation() -> None:
    wf = wfs()["CONSULT"]
    pr = p.progress(wf, state="advised", history=[Step("", "received", MON), Step("received", "advised", MON)],
                    today=MON, cal=CAL)
    assert statuses(pr) == {"received": p.DONE, "advised": p.IN_PROGRESS, "closed": p.NOT_STARTED}
    assert [a.code for a in pr.next.actions] == ["close"]


def test_a_workflow_without_stage_numbers_lists_its_states_as_declared() -> None:
    wf = build({
        "service": "T", "th": "ท", "en": "T", "initial": "a", "standard_days": 21,
        "states": {"a": {"th": "ก", "en": "A", "sla_days": 2}, "b": {"th": "ข", "en": "B", "sla_days": 3},
                   "z": {"th": "ฮ", "en": "Z", "clock": "stopped", "terminal": True}},
        "actions": {"go": {"th": "ไป", "en": "Go", "from": ["a"], "to": "b", "roles": ["case_officer"]},
                    "end": {"th": "จบ", "en": "End", "from": ["b"], "to": "z", "roles": ["office_head"]}},
    })
    pr = p.progress(wf, state="a", history=[], today=MON, cal=CAL, step_due_on=date(2026, 12, 2))
    assert codes(pr) == ["a", "b", "z"]  # b: 3 working days after the 2nd (Thu, Fri, Tue: the 7th is off)
    b = pr.stage("b")
    assert b is not None and b.date == date(2026, 12, 8) and b.roles == ("office_head",)
