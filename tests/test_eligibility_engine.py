"""The eligibility engine: loading and validation, three-valued logic, UNKNOWN handling,
explanations, derivations and effective dates. Pure Python (no database)."""

from __future__ import annotations

import itertools
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jfslib.eligibility import (
    FactError,
    NoRulesetInForce,
    Outcome,
    RuleBook,
    RuleDefinitionError,
    compile_select,
    evaluate,
    load_rulebook,
)
from jfslib.eligibility import expr as ex
from jfslib.eligibility.facts import build_vocabulary
from jfslib.eligibility.parameters import ParameterDef, parameter_from_mapping
from jfslib.eligibility.rules import build_ruleset

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
ON = date(2025, 6, 1)

ELIGIBLE_LIT: dict[str, Any] = {
    "birth_date": date(1980, 5, 17), "has_thai_registration": True, "monthly_income": Decimal("8500"),
    "household_size": 4, "representative_type": "none", "amount_requested": Decimal("17000"),
    "case_kind": "civil", "party_role": "defendant", "other_help_received": False,
}


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return load_rulebook(RULES)


# --------------------------------------------------------------------------- a small test vocabulary

VOCAB = {
    "facts": {
        "income": {"type": "decimal", "th": "รายได้", "en": "income", "unit_th": "บาท", "source": "applicant"},
        "size": {"type": "int", "th": "สมาชิก", "en": "members", "min": 1, "source": "applicant"},
        "card": {"type": "bool", "th": "บัตร", "en": "card", "source": "registry", "registry": "welfare_card"},
        "role": {"type": "enum", "th": "ฐานะ", "en": "role", "source": "jfs",
                 "values": {"a": {"th": "เอ", "en": "A"}, "b": {"th": "บี", "en": "B"}}},
        "born": {"type": "date", "th": "วันเกิด", "en": "born", "source": "jfs"},
        "age": {"type": "int", "th": "อายุ", "en": "age", "derive": {"fn": "age_years", "of": "born"}},
        "per_member": {"type": "decimal", "th": "ต่อคน", "en": "per member",
                       "derive": {"fn": "ratio", "of": "income", "per": "size"}},
    }
}


def limit_parameter() -> dict[str, ParameterDef]:
    return {"limit": parameter_from_mapping("limit", {
        "type": "decimal", "th": "เกณฑ์", "en": "limit",
        "values": {"2024-01-01": {"value": 1000, "unconfirmed": True, "reference": [{"title": "test"}]}},
    })}


def ruleset_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service": "T", "version": "T-1", "effective_from": date(2024, 1, 1), "status": "active",
        "th": "ทดสอบ", "en": "test",
        "groups": [{"id": "g", "th": "กลุ่ม", "en": "group", "combine": "all"}],
        "criteria": [{
            "id": "low", "group": "g", "th": "รายได้น้อย", "en": "low income",
            "when": {"fact": "income", "le": {"param": "limit"}},
            "citations": [{"law": "พ.ร.บ.", "clause": "มาตรา 1", "unconfirmed": True}],
            "explain": {"th": {"yes": "รายได้ {income} บาท ไม่เกิน {limit} บาท", "no": "เกิน"},
                        "en": {"yes": "ok", "no": "over"}},
        }],
    }
    data.update(changes)
    return data


def problems_of(data: dict[str, Any]) -> str:
    vocab = build_vocabulary(VOCAB)
    with pytest.raises(RuleDefinitionError) as info:
        build_ruleset(data, vocab, "test.yaml", limit_parameter())
    return "\n".join(info.value.problems)


def test_the_shipped_rule_files_load_and_validate(book: RuleBook) -> None:
    assert set(book.services) >= {"LIT", "BAIL", "HR"}
    for versions in book.versions.values():
        for rs in versions:
            for c in rs.criteria:
                assert c.citations, f"{rs.version} {c.id} cites no clause"
            for p in rs.parameters.values():
                assert p.references, f"{rs.key} parameter {p.name} names no source"


def test_a_rule_naming_an_unknown_fact_fails_to_load_with_a_clear_message() -> None:
    data = ruleset_data()
    data["criteria"][0]["when"] = {"fact": "salary", "le": 5}
    assert "unknown fact 'salary'" in problems_of(data)


@pytest.mark.parametrize("when, message", [
    ({"fact": "income", "le": "lots"}, "is not a decimal value"),
    ({"fact": "card", "ge": 1}, "needs a number or date fact"),
    ({"fact": "role", "in": ["a", "z"]}, "is not a declared value of 'role'"),
    ({"fact": "income", "is_true": True}, "needs a bool fact"),
    ({"fact": "size", "le": {"param": "nope"}}, "unknown parameter 'nope'"),
    ({"fact": "size", "le": {"param": "limit"}}, "parameter 'limit' is decimal, fact 'size' is int"),
    ({"fact": "income", "le": 1, "ge": 0}, "'fact' and exactly one operator"),
    ({"fact": "income", "lee": 1}, "unknown key 'lee' — did you mean 'le'?"),
    ({"fact": "role", "in": []}, "criteria[0].when.in (in 'low'): needs at least 1 item"),
    ({"fact": "per_member", "in": [1]}, "can only be compared"),
    ({"any": []}, "needs at least 1 item"),
    ({"all": [{"fact": "income", "le": 1}], "fact": "income"}, "unknown key 'fact' (allowed here: all)"),
    ({"not": {"fact": "card", "is_true": "yes"}}, "write 'is_true: true'"),
])
def test_type_errors_in_expressions_fail_to_load(when: dict[str, Any], message: str) -> None:
    data = ruleset_data()
    data["criteria"][0]["when"] = when
    assert message in problems_of(data)


def test_every_problem_is_listed_at_once() -> None:
    data = ruleset_data(status="maybe")
    data["criteria"][0]["citations"] = []
    data["criteria"][0]["explain"]["th"]["yes"] = "{nonsense}"
    data["criteria"][0]["when"] = {"fact": "wages", "le": 1}
    text = problems_of(data)
    assert 'test.yaml: status: "maybe" is not one of: active, draft' in text
    assert "test.yaml: criteria[0].citations (in 'low'): needs at least 1 item" in text
    assert "test.yaml: criteria[0].explain.th.yes (in 'low'): placeholder {nonsense}" in text
    assert "test.yaml: criteria[0].when.fact (in 'low'): unknown fact 'wages'" in text


def test_vocabulary_rejects_bad_declarations() -> None:
    bad = {"facts": {
        "x": {"type": "float", "th": "x", "en": "x"},
        "y": {"type": "int", "th": "y", "en": "y", "derive": {"fn": "age_years", "of": "born"}},
        "z": {"type": "bool", "th": "z", "en": "z", "source": "registry"},
        "b": {"type": "bool", "th": "b", "en": "b", "source": "jfs"},
        "w": {"type": "decimal", "th": "w", "en": "w", "derive": {"fn": "multiply", "of": "b", "by": 2}},
        "v": {"type": "int", "th": "v", "en": "v", "unti_th": "ปี"},
    }}
    with pytest.raises(RuleDefinitionError) as info:
        build_vocabulary(bad, "facts.yaml")
    text = "\n".join(info.value.problems)
    assert 'facts.yaml: facts.x.type: "float" is not one of: int, decimal, bool, str, date, enum' in text
    assert "facts.yaml: facts.y.derive: 'of' names unknown fact 'born'" in text
    assert "facts.yaml: facts.z: a registry fact names its registry" in text
    assert "facts.yaml: facts.w.derive: multiply needs a number, 'b' is bool" in text
    assert "facts.yaml: facts.v.unti_th: unknown key 'unti_th' — did you mean 'unit_th'?" in text


def test_facts_of_the_wrong_type_are_refused(book: RuleBook) -> None:
    rs = book.ruleset_for("LIT", ON)
    with pytest.raises(FactError) as info:
        evaluate(rs, {"monthly_income": 8500.5, "household_size": "4", "party_role": "judge",
                      "salary": 1, "age_years": 30, "monthly_income_x": 1}, ON)
    text = str(info.value)
    assert "monthly_income" in text and "household_size" in text and "judge" in text
    assert "unknown fact 'salary'" in text and "'age_years' is derived" in text
    with pytest.raises(FactError, match="at most 2 decimal places"):
        evaluate(rs, {"monthly_income": Decimal("1.005")}, ON)
    with pytest.raises(FactError, match="above the maximum"):
        evaluate(rs, {"vulnerable_household_level": 4}, ON)


# --------------------------------------------------------------------------- three-valued logic

TRI = [True, False, None]


@pytest.mark.parametrize("a, b", list(itertools.product(TRI, TRI)))
def test_and_or_not_follow_kleene_truth_tables(a: bool | None, b: bool | None) -> None:
    def kleene_and(x: bool | None, y: bool | None) -> bool | None:
        if x is False or y is False:
            return False
        return None if x is None or y is None else True

    def kleene_or(x: bool | None, y: bool | None) -> bool | None:
        if x is True or y is True:
            return True
        return None if x is None or y is None else False

    assert ex.k_and([a, b]) is kleene_and(a, b)
    assert ex.k_or([a, b]) is kleene_or(a, b)
    assert ex.k_not(a) is (None if a is None else not a)


def test_a_criterion_over_a_missing_fact_is_unknown_not_no(book: RuleBook) -> None:
    rs = book.ruleset_for("LIT", ON)
    facts = dict(ELIGIBLE_LIT)
    del facts["monthly_income"]
    e = evaluate(rs, facts, ON)
    c = e.criterion("income_within_limit")
    assert c.outcome is Outcome.UNKNOWN
    assert [m.name for m in c.missing_facts] == ["monthly_income"]
    assert c.missing_facts[0].th == "รายได้ต่อเดือนของผู้ขอ"


def test_unknown_lists_exactly_the_facts_that_could_change_the_result(book: RuleBook) -> None:
    rs = book.ruleset_for("LIT", ON)
    # eligible on income: the unchecked registries do not matter and are not listed
    e = evaluate(rs, ELIGIBLE_LIT, ON)
    assert e.outcome is Outcome.YES and e.missing_facts == ()
    # above the income limit: hardship is a consideration (issue 10: the Act sets no income cut-off),
    # so the overall result stays YES and lists nothing; the hardship group itself is unknown and its
    # criteria name every other route still missing (what the subcommittee would want to see)
    e = evaluate(rs, {**ELIGIBLE_LIT, "monthly_income": Decimal("20000")}, ON)
    assert e.outcome is Outcome.YES and e.missing_facts == ()
    hardship = next(g for g in e.groups if g.id == "hardship")
    assert hardship.outcome is Outcome.UNKNOWN and hardship.finding == "unknown"
    missing = [m for c in e.criteria_of("hardship") for m in c.missing_facts]
    assert [m.name for m in missing] == [
        "household_monthly_income", "has_welfare_card", "vulnerable_household_level", "has_disability_card",
    ]
    # a missing *condition* fact is what makes the overall result UNKNOWN, and only it is listed
    u = evaluate(rs, {**ELIGIBLE_LIT, "monthly_income": Decimal("20000"), "party_role": None}, ON)
    assert u.outcome is Outcome.UNKNOWN and [m.name for m in u.missing_facts] == ["party_role"]
    registry = {m.name: m.registry for m in missing if m.source == "registry"}
    assert registry == {"has_welfare_card": "welfare_card", "vulnerable_household_level": "mso_logbook",
                        "has_disability_card": "disability"}
    # a ratio whose denominator is known lists only the numerator
    c = e.criterion("household_income_within_limit")
    assert [m.name for m in c.missing_facts] == ["household_monthly_income"]


def test_a_known_failed_condition_decides_no_even_when_other_facts_are_missing(book: RuleBook) -> None:
    # (was: an excluded charge decided NO. Issue 10: the 2019 campaign's charge list binds that
    # campaign only, and a consideration never decides NO; a failed condition still does.)
    rs = book.ruleset_for("BAIL", ON)
    e = evaluate(rs, {"offence_category": "human_trafficking", "is_detained": False}, ON)
    assert e.outcome is Outcome.NO
    assert e.missing_facts == ()
    assert "ผู้ต้องหาหรือจำเลยถูกควบคุมหรือขังอยู่" in e.explanation_th
    # the charge alone, or a campaign request with that charge, is a note for the subcommittee
    campaign = evaluate(rs, {"offence_category": "human_trafficking", "proactive_campaign_2019": True,
                             "is_detained": True, "bail_amount": Decimal("50000")}, ON)
    assert campaign.outcome is Outcome.YES
    assert campaign.criterion("excluded_charge").outcome is Outcome.YES
    assert campaign.criterion("excluded_charge").finding == "note"


def test_a_consideration_never_turns_the_result_into_no(book: RuleBook) -> None:
    """Every consideration of every service at its worst still leaves a request meeting its conditions YES."""
    for service, base in (("LIT", ELIGIBLE_LIT), ("BAIL", {"is_detained": True, "bail_amount": Decimal("50000")})):
        rs = book.ruleset_for(service, ON)
        worst = {**base, "monthly_income": Decimal("90000"), "household_size": 1,
                 "household_monthly_income": Decimal("90000"), "has_welfare_card": False,
                 "vulnerable_household_level": 0, "has_disability_card": False, "other_help_received": True,
                 "case_has_merit": False, "flight_risk": True, "evidence_tampering_risk": True,
                 "absconded_before": True, "lawyers_council_lawyer": True,
                 "detainee_household_size": 1, "detainee_household_monthly_income": Decimal("90000")}
        e = evaluate(rs, worst, ON)
        assert e.outcome is Outcome.YES, service
        findings = {g.id: g.finding for g in e.considerations}
        assert findings["hardship"] == "against" and findings["other_help"] == "against"
        assert all(not c.finding for c in e.criteria if c.group in {g.id for g in e.conditions})
    lit = evaluate(book.ruleset_for("LIT", ON), {**ELIGIBLE_LIT, "case_has_merit": False}, ON)
    assert lit.criterion("case_merit").finding == "none" and lit.outcome is Outcome.YES


def test_considerations_never_change_the_overall_result(book: RuleBook) -> None:
    rs = book.ruleset_for("LIT", ON)
    base = evaluate(rs, ELIGIBLE_LIT, ON)
    flagged = evaluate(rs, {**ELIGIBLE_LIT, "has_thai_registration": False, "lawyers_council_lawyer": True}, ON)
    assert base.outcome is flagged.outcome is Outcome.YES
    assert flagged.criterion("status_check").outcome is Outcome.YES
    assert flagged.criterion("lawyers_council_aid").outcome is Outcome.YES
    assert base.criterion("lawyers_council_aid").outcome is Outcome.UNKNOWN  # shown, but not blocking


# --------------------------------------------------------------------------- explanations


def test_explanations_are_thai_with_thousands_separators_and_cite_the_clause(book: RuleBook) -> None:
    rs = book.ruleset_for("LIT", ON)
    e = evaluate(rs, ELIGIBLE_LIT, ON)
    c = e.criterion("income_within_limit")
    assert c.explanation_th == "รายได้ต่อเดือน 8,500 บาท ไม่เกินเกณฑ์ 15,000 บาท"
    assert c.explanation_en == "Monthly income of 8,500 baht is within the 15,000 baht limit"
    party = e.criterion("party_to_case")
    assert party.explanation_th == "ผู้ขอเป็นจำเลยในคดี"
    assert party.citations[0].text() == "พ.ร.บ.กองทุนยุติธรรม พ.ศ. 2558 มาตรา 9 (1)"
    assert (e.version, e.effective_from) == ("LIT-2016.1", date(2016, 4, 24))
    assert "LIT-2016.1" in e.explanation_th and e.explanation_th.endswith("ผ่านเกณฑ์เบื้องต้นทุกข้อ")


def test_every_intermediate_figure_is_recorded(book: RuleBook) -> None:
    rs = book.ruleset_for("LIT", ON)
    e = evaluate(rs, {**ELIGIBLE_LIT, "household_monthly_income": Decimal("10000"), "household_size": 3}, ON)
    figures = {f.name: f for f in e.figures()}
    assert figures["age_years"].value == 45 and figures["age_years"].display_th == "45 ปี"
    per_member = figures["household_income_per_member"]
    assert per_member.derived and per_member.display_th == "40,000 บาท"
    assert figures["birth_date"].display_th == "17 พ.ค. 2523"
    assert figures["has_welfare_card"].display_th == "ไม่ทราบ"
    assert e.criterion("household_income_within_limit").explanation_th == (
        "รายได้เฉลี่ยต่อสมาชิกครัวเรือน 40,000 บาทต่อปี ไม่เกินเกณฑ์ 100,000 บาท"
    )


def test_fractional_figures_show_satang() -> None:
    from jfslib.eligibility import fmt

    assert fmt.number(Decimal("8333.333")) == "8,333.33"
    assert fmt.number(Decimal("1234567")) == "1,234,567"
    assert fmt.number(Decimal("0.005")) == "0.01"
    assert fmt.number(12) == "12"


# --------------------------------------------------------------------------- derivations


@pytest.mark.parametrize("born, on, age", [
    (date(2005, 6, 1), date(2025, 6, 1), 20),
    (date(2005, 6, 2), date(2025, 6, 1), 19),
    (date(2004, 2, 29), date(2024, 2, 28), 19),
    (date(2004, 2, 29), date(2024, 2, 29), 20),
    (date(2004, 2, 29), date(2025, 2, 28), 20),
    (date(2004, 2, 29), date(2025, 3, 1), 21),
])
def test_age_counts_completed_years(book: RuleBook, born: date, on: date, age: int) -> None:
    rs = book.ruleset_for("LIT", on)
    e = evaluate(rs, {"birth_date": born}, on)
    assert e.values["age_years"] == age


def test_ratios_compare_exactly_at_the_limit(book: RuleBook) -> None:
    rs = book.ruleset_for("LIT", ON)

    def outcome(monthly: str, size: int) -> Outcome:
        facts = {"household_monthly_income": Decimal(monthly), "household_size": size}
        return evaluate(rs, facts, ON).criterion("household_income_within_limit").outcome

    # 100,000 a year per member: 8,333.33… a month for one person is never exactly representable
    assert outcome("25000", 3) is Outcome.YES
    assert outcome("25000.01", 3) is Outcome.NO
    assert outcome("8333.33", 1) is Outcome.YES
    assert outcome("8333.34", 1) is Outcome.NO


# --------------------------------------------------------------------------- versions, parameters, effective dates

FACTS_YAML = """
facts:
  income: {type: decimal, th: รายได้, en: income, unit_th: บาท, unit_en: baht, source: applicant}
"""

LIMIT_YAML = """
type: decimal
th: เกณฑ์
en: limit
unit_th: บาท
unit_en: baht
values:
  2024-01-01: {value: 10000, unconfirmed: true, reference: [{title: first line}]}
  2025-01-01: {value: 15000, reference: [{title: raised, url: "https://example.org/raise"}]}
  2026-01-01: {value: 20000, status: draft, unconfirmed: true, reference: [{title: proposed}]}
"""


def criteria_yaml(version: str, effective: str, op: str = "le", status: str = "active") -> str:
    return textwrap.dedent(f"""
        service: T
        version: "{version}"
        effective_from: {effective}
        status: {status}
        th: ทดสอบ
        en: test
        groups: [{{id: g, th: กลุ่ม, en: group, combine: all}}]
        criteria:
          - id: low
            group: g
            th: รายได้น้อย
            en: low income
            when: {{fact: income, {op}: {{param: limit}}}}
            citations: [{{law: test, clause: "1", unconfirmed: true}}]
            explain:
              th: {{yes: "ไม่เกิน {{limit}}", no: "เกิน {{limit}}"}}
              en: {{yes: "within {{limit}}", no: "over {{limit}}"}}
    """)


@pytest.fixture
def dated_rules(tmp_path: Path) -> Path:
    """Criteria T-1 from 2024 (income <= limit), T-2 from 2027 (income < limit); the limit
    10,000 from 2024, 15,000 from 2025, and a draft 20,000 from 2026."""
    (tmp_path / "facts.yaml").write_text(FACTS_YAML, encoding="utf-8")
    (tmp_path / "golden").mkdir()  # not a service folder: ignored
    (tmp_path / "parameters").mkdir()
    (tmp_path / "parameters" / "limit.yaml").write_text(LIMIT_YAML, encoding="utf-8")
    svc = tmp_path / "T"
    svc.mkdir()
    (svc / "2024-01-01.yaml").write_text(criteria_yaml("T-1", "2024-01-01"), encoding="utf-8")
    (svc / "2027-01-01.yaml").write_text(criteria_yaml("T-2", "2027-01-01", "lt"), encoding="utf-8")
    return tmp_path


def test_a_parameter_value_is_chosen_by_the_receipt_date(dated_rules: Path) -> None:
    """The day before a new value takes effect the old one applies; from that day, the new one —
    in the explained evaluator, its explanation (parameter, value, source) and the SQL alike."""
    book = load_rulebook(dated_rules)
    facts = {"income": Decimal("12000")}
    before, on = date(2024, 12, 31), date(2025, 1, 1)
    old, new = book.ruleset_for("T", before), book.ruleset_for("T", on)
    assert old.version == new.version == "T-1"  # one criteria file, two values of the threshold
    assert (old.key, new.key) == ("T-1@2024-01-01", "T-1@2025-01-01")
    e_old, e_new = evaluate(old, facts, before), evaluate(new, facts, on)
    assert (e_old.outcome, e_new.outcome) == (Outcome.NO, Outcome.YES)
    assert e_old.criteria[0].explanation_th == "เกิน 10,000" and e_new.criteria[0].explanation_en == "within 15,000"
    used = e_new.criteria[0].parameters[0]
    assert (used.name, used.value, used.since, used.unconfirmed) == ("limit", Decimal(15000), on, False)
    assert used.references[0].url == "https://example.org/raise"
    assert used.describe("en") == (
        "limit (limit) = 15,000 baht from 1 Jan B.E. 2568 (2025); source: raised (https://example.org/raise)"
    )
    assert "ค่าชั่วคราว" in e_old.parameters[0].describe("th")  # the 2024 value is unconfirmed
    assert e_new.in_force_from == on and "thresholds from 1 Jan B.E. 2568 (2025)" in e_new.explanation_en
    assert "ค่าเกณฑ์ตั้งแต่ 1 ม.ค. 2568" in e_new.explanation_th  # dates in the Buddhist era
    assert "income\" <= 10000" in compile_select(old, source="p", dialect="duckdb", on=before)
    assert "income\" <= 15000" in compile_select(new, source="p", dialect="duckdb", on=on)
    assert "-- limit = 15000 (from 2025-01-01)" in compile_select(new, source="p", dialect="duckdb", on=on)


def test_criteria_change_only_from_their_effective_date_and_drafts_are_never_in_force(dated_rules: Path) -> None:
    book = load_rulebook(dated_rules)

    def result(on: date, income: str) -> tuple[str, Outcome]:
        rs = book.ruleset_for("T", on)
        return rs.key, evaluate(rs, {"income": Decimal(income)}, on).outcome

    # the draft value of 2026 is never in force: 15,000 still applies in 2026
    assert result(date(2026, 6, 1), "15000") == ("T-1@2025-01-01", Outcome.YES)
    # T-2 (strictly below the limit) from its own date, with the limit in force then
    assert result(date(2026, 12, 31), "15000") == ("T-1@2025-01-01", Outcome.YES)
    assert result(date(2027, 1, 1), "15000") == ("T-2@2027-01-01", Outcome.NO)
    with pytest.raises(NoRulesetInForce):
        book.ruleset_for("T", date(2023, 12, 31))
    # the draft: what would be in force if it were approved
    draft = book.draft("T", date(2026, 1, 1))
    assert (draft.key, draft.status, draft.parameters["limit"].value) == ("T-1@2026-01-01+draft", "draft", 20000)
    assert [r.key for r in book.drafts("T")] == ["T-1@2026-01-01+draft", "T-2@2027-01-01+draft"]
    assert "a draft, not in force" in evaluate(draft, {"income": Decimal(1)}, date(2026, 1, 1)).explanation_en
    # old versions are kept and can still explain past decisions
    assert evaluate(book.version("T", "T-1"), {"income": Decimal(12000)}, date(2024, 6, 1)).criteria[0].explanation_th == (
        "เกิน 10,000"
    )


def test_the_file_name_must_be_the_effective_date(dated_rules: Path) -> None:
    (dated_rules / "T" / "2028-01-01.yaml").write_text(criteria_yaml("T-4", "2028-02-01"), encoding="utf-8")
    with pytest.raises(RuleDefinitionError, match="named after its effective date"):
        load_rulebook(dated_rules)


def test_two_active_criteria_files_on_one_date_or_one_version_name_twice_are_refused(dated_rules: Path) -> None:
    (dated_rules / "T" / "2028-01-01.yaml").write_text(criteria_yaml("T-2", "2028-01-01"), encoding="utf-8")
    with pytest.raises(RuleDefinitionError, match="the version name 'T-2' is used by two files"):
        load_rulebook(dated_rules)


def test_cross_references_between_files_are_checked(dated_rules: Path) -> None:
    """What no schema can say: parameters named exist and have a value in force, dates are real and
    in order, a parameter is used and is not named like a fact, groups named are declared."""
    params = dated_rules / "parameters"
    (params / "limit.yaml").write_text(LIMIT_YAML.replace("2024-01-01: {value: 10000", "2024-06-01: {value: 10000"),
                                       encoding="utf-8")
    (params / "unused.yaml").write_text(LIMIT_YAML.replace("2025-01-01", "2024-13-01"), encoding="utf-8")
    (params / "income.yaml").write_text(LIMIT_YAML.replace("2025-01-01", "2023-01-01"), encoding="utf-8")
    text = criteria_yaml("T-3", "2028-01-01").replace("{param: limit}", "{param: ceiling}").replace("group: g", "group: h")
    (dated_rules / "T" / "2028-01-01.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleDefinitionError) as info:
        load_rulebook(dated_rules)
    problems = info.value.problems
    assert "parameters/unused.yaml line 9: values.2024-13-01: 2024-13-01 is not a real date" in problems
    assert ("parameters/income.yaml line 9: values.2023-01-01: dates go from oldest to newest: "
            "2023-01-01 is written after 2024-01-01") in problems
    assert ("T/2028-01-01.yaml line 14: criteria[0].when.le.param (in 'low'): unknown parameter 'ceiling' "
            "(parameters are files in rules/parameters/)") in problems
    assert "T/2028-01-01.yaml line 11: criteria[0].group (in 'low'): group 'h' is not declared in groups" in problems
    # fixed one by one, the remaining cross-references show
    (dated_rules / "T" / "2028-01-01.yaml").unlink()
    (params / "unused.yaml").write_text(LIMIT_YAML, encoding="utf-8")
    (params / "income.yaml").unlink()
    with pytest.raises(RuleDefinitionError) as info:
        load_rulebook(dated_rules)
    assert info.value.problems == [
        "T/2024-01-01.yaml: uses parameter 'limit', which has no active value on 2024-01-01 (its first is from 2024-06-01)",
        "parameters/unused.yaml: no criteria file uses this parameter",
    ]
    (params / "unused.yaml").unlink()
    (params / "income.yaml").write_text(LIMIT_YAML, encoding="utf-8")
    (params / "limit.yaml").write_text(LIMIT_YAML, encoding="utf-8")
    with pytest.raises(RuleDefinitionError) as info:
        load_rulebook(dated_rules)
    assert "parameters/income.yaml: a parameter may not have the name of a fact ('income')" in info.value.problems


def test_a_broken_file_stops_loading_with_every_problem(dated_rules: Path) -> None:
    text = criteria_yaml("T-9", "2028-01-01").replace("fact: income", "fact: wages")
    (dated_rules / "T" / "2028-01-01.yaml").write_text(text, encoding="utf-8")
    (dated_rules / "T" / "2029-01-01.yaml").write_text("service: [", encoding="utf-8")
    (dated_rules / "parameters" / "limit.yaml").write_text(LIMIT_YAML.replace("value: 15000", "valeu: 15000"),
                                                           encoding="utf-8")
    with pytest.raises(RuleDefinitionError) as info:
        load_rulebook(dated_rules)
    text = str(info.value)
    assert ("T/2028-01-01.yaml line 14: criteria[0].when.fact (in 'low'): unknown fact 'wages' "
            "(facts are declared in rules/facts.yaml)") in text
    assert "T/2029-01-01.yaml: not valid YAML" in text and 'in "T/2029-01-01.yaml", line 1' in text
    assert ("parameters/limit.yaml line 9: values.2025-01-01.valeu: unknown key 'valeu' — did you mean 'value'? "
            "(allowed here: note, reference, status, unconfirmed, value)") in text


# --------------------------------------------------------------------------- conditions and considerations


def _with_consideration(**group: Any) -> dict[str, Any]:
    data = ruleset_data()
    data["groups"] = [*data["groups"], {"id": "c", "th": "ข้อพิจารณา", "en": "consideration", "combine": "any",
                                        **group}]
    data["criteria"] = [*data["criteria"], {
        "id": "has_card", "group": "c", "th": "บัตร", "en": "card", "when": {"fact": "card", "is_true": True},
        "citations": [{"law": "พ.ร.บ.", "clause": "มาตรา 2", "unconfirmed": True}],
        "explain": {"th": {"yes": "มี", "no": "ไม่มี"}, "en": {"yes": "has", "no": "has not"}},
    }]
    return data


def test_a_consideration_reports_a_finding_and_never_the_result() -> None:
    vocab = build_vocabulary(VOCAB)
    rs = build_ruleset(_with_consideration(kind="consideration", weighs="for"), vocab, "t.yaml", limit_parameter())
    low = evaluate(rs, {"income": Decimal("10"), "card": False}, date(2024, 6, 1))
    assert low.outcome is Outcome.YES  # the consideration's NO does not fail the request
    assert [(g.id, g.finding) for g in low.considerations] == [("c", "against")]
    assert low.criterion("has_card").finding == "none" and low.criterion("low").finding == ""
    unknown = evaluate(rs, {"income": Decimal("10")}, date(2024, 6, 1))
    assert unknown.outcome is Outcome.YES and unknown.missing_facts == ()
    assert unknown.considerations[0].finding == "unknown"
    against = build_ruleset(_with_consideration(kind="consideration", weighs="against"), vocab, "t.yaml",
                            limit_parameter())
    risk = evaluate(against, {"income": Decimal("10"), "card": True}, date(2024, 6, 1))
    assert risk.outcome is Outcome.YES and risk.considerations[0].finding == "against"
    # the older spelling, combine: advisory, is a consideration that notes
    old = build_ruleset(_with_consideration(combine="advisory"), vocab, "t.yaml", limit_parameter())
    assert old.groups[1].kind == "consideration" and old.groups[1].combine == "any"
    assert evaluate(old, {"income": Decimal("10"), "card": True}, date(2024, 6, 1)).considerations[0].finding == "note"


def test_the_validators_refuse_a_confused_group() -> None:
    assert "weighs" in problems_of(_with_consideration(kind="consideration"))
    assert "only a consideration weighs" in problems_of(_with_consideration(weighs="for"))
    assert "a condition cannot be advisory" in problems_of(_with_consideration(kind="condition", combine="advisory"))
    data = _with_consideration(kind="consideration", weighs="for")
    data["groups"][0] = {**data["groups"][0], "kind": "consideration", "weighs": "for"}
    assert "at least one group must be a condition" in problems_of(data)


def test_a_citation_is_verified_only_with_a_primary_source(book: RuleBook) -> None:
    vocab = build_vocabulary(VOCAB)
    cit = {"law": "พ.ร.บ.", "clause": "มาตรา 1"}

    def citation(**c: Any) -> Any:
        data = ruleset_data()
        data["criteria"][0]["citations"] = [{**cit, **c}]
        return build_ruleset(data, vocab, "t.yaml", limit_parameter()).criteria[0].citations[0]

    assert not citation(url="https://example.org/news").verified  # a url that is not primary
    assert not citation(unconfirmed=True, secondary="a report").verified
    assert not citation(url="https://example.org/law", primary=True, unconfirmed=True).verified
    assert citation(url="https://example.org/law", primary=True).verified
    assert "a primary citation needs its url" in problems_of(
        {**ruleset_data(), "criteria": [{**ruleset_data()["criteria"][0],
                                         "citations": [{**cit, "primary": True, "unconfirmed": True}]}]})
    # the shipped rules rest on news reports and summaries: none is verified until a primary source is named
    for versions in book.versions.values():
        for rs in versions:
            for c in rs.criteria:
                for cit_ in c.citations:
                    assert cit_.verified == (cit_.primary and not cit_.unconfirmed)
                    if cit_.secondary and not cit_.url:
                        assert not cit_.verified
