"""Workflow definitions are data, validated at start-up: every kind of mistake is reported,
all problems at once, and a broken directory stops Django with ImproperlyConfigured."""

from __future__ import annotations

import copy
import functools
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from jfs.cases import workflows
from jfs.cases.models import SERVICE_CHOICES
from jfslib import roles
from jfslib.workflow import OUTCOMES, PREVIOUS, WorkflowDefinitionError, build, load_dir

WORKFLOW_DIR = Path(__file__).resolve().parent.parent / "workflows"


@functools.cache
def real_definitions() -> dict[str, Any]:
    return load_dir(WORKFLOW_DIR)


def minimal() -> dict[str, Any]:
    """A small but valid definition: every test below breaks exactly one thing."""
    return {
        "service": "TEST", "th": "ทดสอบ", "en": "Test", "initial": "received", "standard_days": 21,
        "states": {
            "received": {"th": "รับคำขอ", "en": "Received", "sla_days": 1},
            "waiting": {"th": "รอเอกสาร", "en": "Waiting", "clock": "paused"},
            "working": {"th": "ดำเนินการ", "en": "Working", "sla_days": 10},
            "closed": {"th": "ปิดเรื่อง", "en": "Closed", "clock": "stopped", "terminal": True},
        },
        "documents": {"id_card": {"th": "บัตรประชาชน", "en": "ID card", "required": True}},
        "actions": {
            "start": {"th": "เริ่ม", "en": "Start", "from": ["received"], "to": "working",
                      "roles": ["case_officer"], "documents_required": "@required"},
            "wait": {"th": "รอ", "en": "Wait", "from": ["received", "working"], "to": "waiting",
                     "roles": ["case_officer"]},
            "resume": {"th": "ต่อ", "en": "Resume", "from": ["waiting"], "to": PREVIOUS, "roles": ["case_officer"]},
            "close": {"th": "ปิด", "en": "Close", "from": ["working"], "to": "closed", "roles": ["office_head"]},
        },
    }


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(WorkflowDefinitionError) as exc:
        build(data, source="test.yaml")
    return exc.value.problems


def test_minimal_definition_builds() -> None:
    wf = build(minimal(), source="test.yaml")
    assert wf.service == "TEST"
    assert wf.actions["start"].documents_required == ("id_card",)  # "@required" expands
    assert [a.code for a in wf.available_actions("received", roles.CASE_OFFICER)] == ["start", "wait"]


def test_action_from_unknown_state_is_reported() -> None:
    d = minimal()
    d["actions"]["start"]["from"] = ["recieved"]
    assert any("unknown state 'recieved'" in p for p in problems_of(d))


def test_action_to_unknown_state_is_reported() -> None:
    d = minimal()
    d["actions"]["close"]["to"] = "archived"
    assert any("goes to unknown state 'archived'" in p for p in problems_of(d))


def test_unknown_role_is_reported() -> None:
    d = minimal()
    d["actions"]["close"]["roles"] = ["office_head", "janitor"]
    assert 'test.yaml: actions.close.roles[1]: "janitor" is not one of: citizen, intake_officer' in problems_of(d)[0]


def test_action_without_roles_is_reported() -> None:
    d = minimal()
    d["actions"]["close"]["roles"] = []
    assert "test.yaml: actions.close.roles: a list of at least one role allowed to take this action" in problems_of(d)


def test_dead_end_state_is_reported() -> None:
    d = minimal()
    d["states"]["stuck"] = {"th": "ค้าง", "en": "Stuck", "sla_days": 1}
    d["actions"]["stick"] = {"th": "ค้าง", "en": "Stick", "from": ["working"], "to": "stuck", "roles": ["case_officer"]}
    assert any("'stuck' is a dead end" in p for p in problems_of(d))


def test_unreachable_state_is_reported() -> None:
    d = minimal()
    d["states"]["orphan"] = {"th": "กำพร้า", "en": "Orphan", "sla_days": 1}
    d["actions"]["leave_orphan"] = {"th": "ออก", "en": "Leave", "from": ["orphan"], "to": "closed",
                                    "roles": ["case_officer"]}
    assert any("'orphan' cannot be reached" in p for p in problems_of(d))


def test_state_that_cannot_reach_a_terminal_is_reported() -> None:
    d = minimal()
    d["states"]["loop_a"] = {"th": "ก", "en": "A", "sla_days": 1}
    d["states"]["loop_b"] = {"th": "ข", "en": "B", "sla_days": 1}
    d["actions"]["to_a"] = {"th": "ก", "en": "A", "from": ["working", "loop_b"], "to": "loop_a", "roles": ["case_officer"]}
    d["actions"]["to_b"] = {"th": "ข", "en": "B", "from": ["loop_a"], "to": "loop_b", "roles": ["case_officer"]}
    found = problems_of(d)
    assert any("from state 'loop_a' no terminal state can be reached" in p for p in found)


def test_terminal_state_with_exits_is_reported() -> None:
    d = minimal()
    d["actions"]["reopen"] = {"th": "เปิดใหม่", "en": "Reopen", "from": ["closed"], "to": "working",
                              "roles": ["office_head"]}
    assert any("terminal state 'closed' has outgoing actions" in p for p in problems_of(d))


@pytest.mark.parametrize("missing", ["th", "en"])
def test_state_without_thai_or_english_name_is_reported(missing: str) -> None:
    d = minimal()
    del d["states"]["working"][missing]
    assert f"test.yaml: states.working: '{missing}' is missing" in problems_of(d)


@pytest.mark.parametrize("missing", ["th", "en"])
def test_action_without_thai_or_english_label_is_reported(missing: str) -> None:
    d = minimal()
    del d["actions"]["close"][missing]
    assert f"test.yaml: actions.close: '{missing}' is missing" in problems_of(d)


@pytest.mark.parametrize("bad", [-1, "three", 1.5, True, [1]])
def test_bad_sla_days_is_reported(bad: Any) -> None:
    d = minimal()
    d["states"]["working"]["sla_days"] = bad
    assert any(p.startswith("test.yaml: states.working.sla_days: should be a whole number of working days, 0 or more")
               for p in problems_of(d))


def test_clock_restart_on_a_state_without_a_running_clock_is_reported() -> None:
    d = minimal()
    d["states"]["working"].update(clock="paused", restarts_clock=True)
    assert 'test.yaml: states.working.clock: restarts_clock needs a running clock (found "paused")' in problems_of(d)


def test_unknown_clock_mode_is_reported() -> None:
    d = minimal()
    d["states"]["working"]["clock"] = "frozen"
    assert ('test.yaml: states.working.clock: "frozen" is not one of: running, paused, stopped, not_started'
            in problems_of(d))


def test_a_misspelt_key_is_reported_with_a_suggestion() -> None:
    d = minimal()
    d["states"]["working"]["sla_dayz"] = 3
    d["actions"]["close"]["rolse"] = ["office_head"]
    found = problems_of(d)
    assert ("test.yaml: states.working.sla_dayz: unknown key 'sla_dayz' — did you mean 'sla_days'? "
            "(allowed here: clock, en, restarts_clock, sla_days, stage, terminal, th)") in found
    assert any(p.startswith("test.yaml: actions.close.rolse: unknown key 'rolse' — did you mean 'roles'?")
               for p in found)


@pytest.mark.parametrize("bad", [0, -5, "21"])
def test_bad_standard_days_is_reported(bad: Any) -> None:
    d = minimal()
    d["standard_days"] = bad
    assert any(p.startswith("test.yaml: standard_days: should be a positive whole number of working days")
               for p in problems_of(d))


def test_step_allowances_above_the_21_day_standard_are_reported() -> None:
    d = minimal()
    d["states"]["working"]["sla_days"] = 21  # 1 + 21 = 22 running days
    assert any("add up to 22 working days, more than the 21-day standard" in p for p in problems_of(d))


def test_allowances_of_paused_and_stopped_states_do_not_count_towards_the_standard() -> None:
    d = minimal()
    d["states"]["working"]["sla_days"] = 20  # 1 + 20 = 21 exactly
    d["states"]["waiting"]["sla_days"] = 30  # paused: the clock is not running
    d["states"]["closed"]["sla_days"] = 30  # stopped
    assert build(d).standard_days == 21


def test_required_unknown_document_is_reported() -> None:
    d = minimal()
    d["actions"]["close"]["documents_required"] = ["court_order"]
    assert any("requires unknown document 'court_order'" in p for p in problems_of(d))


def test_return_to_previous_from_a_non_pausing_state_is_reported() -> None:
    d = minimal()
    d["actions"]["resume"]["from"] = ["waiting", "working"]
    found = problems_of(d)
    assert any("'resume' returns to the previous state but 'working' is not a pausing state" in p for p in found)
    assert not any("'waiting' is not a pausing state" in p for p in found)


def test_undeclared_initial_state_is_reported() -> None:
    d = minimal()
    d["initial"] = "draft"
    assert any("initial state 'draft' is not declared" in p for p in problems_of(d))


def test_missing_service_code_is_reported() -> None:
    d = minimal()
    del d["service"]
    assert any("'service' is missing" in p for p in problems_of(d))


def test_every_problem_is_listed_at_once() -> None:
    d = minimal()
    d["actions"]["close"]["roles"] = ["janitor"]
    d["states"]["working"]["sla_days"] = -1
    d["actions"]["start"]["to"] = "nowhere"
    with pytest.raises(WorkflowDefinitionError) as exc:
        build(d, source="test.yaml")
    text = str(exc.value)
    assert len(exc.value.problems) >= 3
    for fragment in ('"janitor" is not one of', "states.working.sla_days: should be", "unknown state 'nowhere'"):
        assert fragment in text
    assert all(p.startswith("test.yaml:") for p in exc.value.problems)  # each names its file


# --------------------------------------------------------------------------- files


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_broken_yaml_is_reported_with_the_file_name(tmp_path: Path) -> None:
    write(tmp_path, "broken.yaml", "service: X\nstates: {received: [unclosed\n")
    with pytest.raises(WorkflowDefinitionError) as exc:
        load_dir(tmp_path)
    assert any(p.startswith("broken.yaml: not valid YAML") for p in exc.value.problems)


def test_top_level_that_is_not_a_mapping_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "list.yaml", "- a\n- b\n")
    with pytest.raises(WorkflowDefinitionError) as exc:
        load_dir(tmp_path)
    assert 'list.yaml line 1: (top level): ["a", "b"] should be a mapping (key: value)' in exc.value.problems


def test_circular_extends_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "extends: _b.yaml\nservice: A\n")
    write(tmp_path, "_b.yaml", "extends: a.yaml\n")
    with pytest.raises(WorkflowDefinitionError) as exc:
        load_dir(tmp_path)
    assert any("circular 'extends'" in p for p in exc.value.problems)


def test_circular_extends_through_a_relative_path_is_reported(tmp_path: Path) -> None:
    directory = tmp_path / "wf"
    directory.mkdir()
    write(directory, "self.yaml", "extends: ../wf/self.yaml\nservice: S\n")
    with pytest.raises(WorkflowDefinitionError) as exc:
        load_dir(directory)
    assert any("circular 'extends'" in p for p in exc.value.problems)


def test_extending_a_missing_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "extends: _nowhere.yaml\nservice: A\n")
    with pytest.raises(WorkflowDefinitionError) as exc:
        load_dir(tmp_path)
    assert any("extends missing file _nowhere.yaml" in p for p in exc.value.problems)


def test_empty_directory_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "_base.yaml", "states: {}\n")  # bases alone define no service
    with pytest.raises(WorkflowDefinitionError) as exc:
        load_dir(tmp_path)
    assert "no workflow definitions found" in exc.value.problems[0]


def test_service_defined_twice_is_reported(tmp_path: Path) -> None:
    import yaml

    for name in ("one.yaml", "two.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump(minimal(), allow_unicode=True), encoding="utf-8")
    with pytest.raises(WorkflowDefinitionError) as exc:
        load_dir(tmp_path)
    assert any("service 'TEST' is defined twice" in p for p in exc.value.problems)


def test_problems_of_every_file_are_collected(tmp_path: Path) -> None:
    import yaml

    bad_role = minimal()
    bad_role["service"] = "ONE"
    bad_role["actions"]["close"]["roles"] = ["janitor"]
    bad_state = minimal()
    bad_state["service"] = "TWO"
    bad_state["actions"]["close"]["to"] = "archived"
    (tmp_path / "one.yaml").write_text(yaml.safe_dump(bad_role, allow_unicode=True), encoding="utf-8")
    (tmp_path / "two.yaml").write_text(yaml.safe_dump(bad_state, allow_unicode=True), encoding="utf-8")
    write(tmp_path, "three.yaml", ": : :\n")
    with pytest.raises(WorkflowDefinitionError) as exc:
        load_dir(tmp_path)
    files = {p.split(":")[0].split(" line ")[0] for p in exc.value.problems}
    assert files == {"one.yaml", "two.yaml", "three.yaml"}


def test_extends_merges_the_base_and_null_removes_an_inherited_entry(tmp_path: Path) -> None:
    import yaml

    base = minimal()
    del base["service"]
    base["states"]["extra"] = {"th": "เพิ่ม", "en": "Extra", "clock": "stopped", "terminal": True}
    base["actions"]["extra"] = {"th": "เพิ่ม", "en": "Extra", "from": ["working"], "to": "extra", "roles": ["case_officer"]}
    (tmp_path / "_base.yaml").write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
    write(tmp_path, "child.yaml", """\
        extends: _base.yaml
        service: CHILD
        states:
          extra: null
        actions:
          extra: null
          close: {roles: [office_head, case_officer]}
        """)
    wf = load_dir(tmp_path)["CHILD"]
    assert "extra" not in wf.states and "extra" not in wf.actions
    assert wf.actions["close"].roles == ("office_head", "case_officer")
    assert wf.actions["close"].target == "closed"  # the rest of the inherited action is kept


# --------------------------------------------------------------------------- the real definitions


def test_all_real_definitions_load() -> None:
    defs = real_definitions()
    assert set(defs) == {code for code, _ in SERVICE_CHOICES} == {"LIT", "BAIL", "HR", "PROJECT", "CONSULT"}


@pytest.mark.parametrize("service", ["LIT", "BAIL", "HR", "PROJECT"])
def test_fund_services_share_the_21_day_main_path(service: str) -> None:
    wf = real_definitions()[service]
    assert wf.standard_days == 21
    running = {code: s.sla_days for code, s in wf.states.items() if s.clock == "running"}
    # receive 1 + screening 1 + fact-finding 7 + opinion 1 + consideration 10 + notify 1 = 21
    assert running == {"received": 1, "screening": 1, "fact_finding": 7, "opinion": 1, "consideration": 10, "decided": 1}
    assert wf.states["awaiting_documents"].clock == "paused"
    assert wf.required_documents(), "a fund service asks for at least one document"
    assert set(wf.actions["accept"].documents_required) == {d.code for d in wf.required_documents()}


#: what the applicant does on the e-Service portal: send the documents asked for, appeal a decision
CITIZEN_ACTIONS = {"send_documents", "appeal"}


def test_no_real_action_is_open_to_read_only_roles_and_citizens_take_only_theirs() -> None:
    for wf in real_definitions().values():
        for action in wf.actions.values():
            assert not set(action.roles) & (roles.READ_ONLY | {roles.ADMINISTRATOR}), action.code
            if roles.CITIZEN in action.roles:
                assert action.code in CITIZEN_ACTIONS and not action.sets_outcome, action.code
    standard = real_definitions()["LIT"]
    assert {a.code for a in standard.actions.values() if roles.CITIZEN in a.roles} == CITIZEN_ACTIONS


def test_decisions_need_an_outcome_and_a_reason_and_every_outcome_has_a_reason() -> None:
    from jfs.cases.reasons import all_reasons

    outcomes_with_reason = {o for r in all_reasons().values() for o in r.outcomes}
    assert outcomes_with_reason == set(OUTCOMES)
    from jfs.cases.services import ACTION_OWNERS

    wf = real_definitions()["LIT"]
    # the outcome is the workflow's to ask for; the reason codes (one or more that fit the outcome) are the
    # decision rules', which own every deciding action (jfs.decisions, tests/test_decisions.py)
    for code in ("decide_urgent", "record_subcommittee_decision", "decide_appeal", "terminate", "withdraw", "refer"):
        assert wf.actions[code].sets_outcome and code in ACTION_OWNERS


# --------------------------------------------------------------------------- Django start-up


@pytest.fixture
def restore_registry() -> Any:
    yield
    workflows._registry.clear()  # reloaded lazily from the (restored) real WORKFLOW_DIR


def test_startup_fails_with_improperly_configured_listing_the_problems(
    tmp_path: Path, settings: Any, restore_registry: None
) -> None:
    import yaml

    d = minimal()
    d["actions"]["close"]["roles"] = ["janitor"]
    d["states"]["working"]["sla_days"] = 30
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    settings.WORKFLOW_DIR = tmp_path
    with pytest.raises(ImproperlyConfigured) as exc:
        apps.get_app_config("cases").ready()
    text = str(exc.value)
    assert "broken.yaml" in text
    assert '"janitor" is not one of' in text
    assert "more than the 21-day standard" in text


def test_startup_succeeds_with_the_real_definitions(restore_registry: None) -> None:
    apps.get_app_config("cases").ready()
    assert set(workflows.all_definitions()) == {"LIT", "BAIL", "HR", "PROJECT", "CONSULT"}
    assert Path(django_settings.WORKFLOW_DIR).resolve() == WORKFLOW_DIR


def test_definitions_are_not_shared_mutable_state() -> None:
    d = minimal()
    before = copy.deepcopy(d)
    build(d)
    assert d == before  # building never edits the input mapping
