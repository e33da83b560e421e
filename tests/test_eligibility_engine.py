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
import yaml

from jfslib.eligibility import (
    FactError,
    NoRulesetInForce,
    Outcome,
    RuleBook,
    RuleDefinitionError,
    evaluate,
    load_rulebook,
)
from jfslib.eligibility import expr as ex
from jfslib.eligibility.facts import build_vocabulary
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


def ruleset_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service": "T", "version": "T-1", "effective_from": date(2024, 1, 1), "status": "active",
        "th": "ทดสอบ", "en": "test",
        "parameters": {"limit": {"type": "decimal", "value": 1000, "th": "เกณฑ์", "en": "limit",
                                 "sources": [{"title": "test"}]}},
        "groups": [{"id": "g", "th": "กลุ่ม", "en": "group", "combine": "all"}],
        "criteria": [{
            "id": "low", "group": "g", "th": "รายได้น้อย", "en": "low income",
            "when": {"fact": "income", "le": {"param": "limit"}},
            "citations": [{"law": "พ.ร.บ.", "clause": "มาตรา 1"}],
            "explain": {"th": {"yes": "รายได้ {income} บาท ไม่เกิน {limit} บาท", "no": "เกิน"},
                        "en": {"yes": "ok", "no": "over"}},
        }],
    }
    data.update(changes)
    return data


def problems_of(data: dict[str, Any]) -> str:
    vocab = build_vocabulary(VOCAB)
    with pytest.raises(RuleDefinitionError) as info:
        build_ruleset(data, vocab, "test.yaml")
    return "\n".join(info.value.problems)


def test_the_shipped_rule_files_load_and_validate(book: RuleBook) -> None:
    assert set(book.services) >= {"LIT", "BAIL", "HR"}
    for versions in book.versions.values():
        for rs in versions:
            for c in rs.criteria:
                assert c.citations, f"{rs.version} {c.id} cites no clause"
            for p in rs.parameters.values():
                assert p.sources, f"{rs.version} parameter {p.name} names no source"


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
    ({"fact": "income", "le": 1, "ge": 0}, "exactly one operator"),
    ({"fact": "role", "in": []}, "non-empty list"),
    ({"fact": "per_member", "in": [1]}, "can only be compared"),
    ({"any": []}, "non-empty list"),
    ({"all": [{"fact": "income", "le": 1}], "fact": "income"}, "must stand alone"),
])
def test_type_errors_in_expressions_fail_to_load(when: dict[str, Any], message: str) -> None:
    data = ruleset_data()
    data["criteria"][0]["when"] = when
    assert message in problems_of(data)


def test_every_problem_is_listed_at_once() -> None:
    data = ruleset_data(status="maybe")
    data["criteria"][0]["citations"] = []
    data["criteria"][0]["explain"]["th"]["yes"] = "{nonsense}"
    text = problems_of(data)
    assert "'status' must be one of" in text
    assert "cites at least one clause" in text
    assert "placeholder {nonsense}" in text


def test_vocabulary_rejects_bad_declarations() -> None:
    bad = {"facts": {
        "x": {"type": "float", "th": "x", "en": "x"},
        "y": {"type": "int", "th": "y", "en": "y", "derive": {"fn": "age_years", "of": "x"}},
        "z": {"type": "bool", "th": "z", "en": "z", "source": "registry"},
    }}
    with pytest.raises(RuleDefinitionError) as info:
        build_vocabulary(bad)
    text = "\n".join(info.value.problems)
    assert "type must be one of" in text and "unknown fact 'x'" in text and "names its registry" in text


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
    # above the income limit: now every other hardship route is missing
    e = evaluate(rs, {**ELIGIBLE_LIT, "monthly_income": Decimal("20000")}, ON)
    assert e.outcome is Outcome.UNKNOWN
    assert [m.name for m in e.missing_facts] == [
        "household_monthly_income", "has_welfare_card", "vulnerable_household_level", "has_disability_card",
    ]
    assert "บัตรสวัสดิการแห่งรัฐ" in e.explanation_th
    registry = {m.name: m.registry for m in e.missing_facts if m.source == "registry"}
    assert registry == {"has_welfare_card": "welfare_card", "vulnerable_household_level": "mso_logbook",
                        "has_disability_card": "disability"}
    # a ratio whose denominator is known lists only the numerator
    c = e.criterion("household_income_within_limit")
    assert [m.name for m in c.missing_facts] == ["household_monthly_income"]


def test_a_known_exclusion_decides_no_even_when_other_facts_are_missing(book: RuleBook) -> None:
    rs = book.ruleset_for("BAIL", ON)
    e = evaluate(rs, {"offence_category": "human_trafficking"}, ON)
    assert e.outcome is Outcome.NO
    assert e.missing_facts == ()
    assert "เข้าข้อยกเว้น" in e.explanation_th


def test_advisory_criteria_never_change_the_overall_result(book: RuleBook) -> None:
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


# --------------------------------------------------------------------------- versions and effective dates

FACTS_YAML = """
facts:
  income: {type: decimal, th: รายได้, en: income, unit_th: บาท, unit_en: baht, source: applicant}
"""


def version_yaml(version: str, effective: str, limit: int, status: str = "active") -> str:
    return textwrap.dedent(f"""
        service: T
        version: "{version}"
        effective_from: {effective}
        status: {status}
        th: ทดสอบ
        en: test
        parameters:
          limit: {{type: decimal, value: {limit}, th: เกณฑ์, en: limit, sources: [{{title: test}}]}}
        groups: [{{id: g, th: กลุ่ม, en: group, combine: all}}]
        criteria:
          - id: low
            group: g
            th: รายได้น้อย
            en: low income
            when: {{fact: income, le: {{param: limit}}}}
            citations: [{{law: test, clause: "1"}}]
            explain:
              th: {{yes: "ไม่เกิน {{limit}}", no: "เกิน {{limit}}"}}
              en: {{yes: "within {{limit}}", no: "over {{limit}}"}}
    """)


@pytest.fixture
def dated_rules(tmp_path: Path) -> Path:
    (tmp_path / "facts.yaml").write_text(FACTS_YAML, encoding="utf-8")
    (tmp_path / "golden").mkdir()  # not a service folder: ignored
    svc = tmp_path / "T"
    svc.mkdir()
    (svc / "2024-01-01.yaml").write_text(version_yaml("T-1", "2024-01-01", 10000), encoding="utf-8")
    (svc / "2025-01-01.yaml").write_text(version_yaml("T-2", "2025-01-01", 15000), encoding="utf-8")
    (svc / "2026-01-01.yaml").write_text(version_yaml("T-3", "2026-01-01", 20000, "draft"), encoding="utf-8")
    return tmp_path


def test_switching_versions_changes_outcomes_only_from_the_effective_date(dated_rules: Path) -> None:
    book = load_rulebook(dated_rules)
    facts = {"income": Decimal("12000")}

    def result(on: date) -> tuple[str, Outcome]:
        rs = book.ruleset_for("T", on)
        return rs.version, evaluate(rs, facts, on).outcome

    assert result(date(2024, 12, 31)) == ("T-1", Outcome.NO)
    assert result(date(2025, 1, 1)) == ("T-2", Outcome.YES)
    # the draft is never in force, whatever its date
    assert result(date(2026, 6, 1)) == ("T-2", Outcome.YES)
    assert [r.version for r in book.drafts("T")] == ["T-3"]
    with pytest.raises(NoRulesetInForce):
        book.ruleset_for("T", date(2023, 12, 31))
    # old versions are kept and can still explain past decisions
    assert evaluate(book.version("T", "T-1"), facts, date(2024, 6, 1)).criteria[0].explanation_th == "เกิน 10,000"


def test_the_file_name_must_be_the_effective_date(dated_rules: Path) -> None:
    (dated_rules / "T" / "2027-01-01.yaml").write_text(version_yaml("T-4", "2027-02-01", 1), encoding="utf-8")
    with pytest.raises(RuleDefinitionError, match="named after its effective date"):
        load_rulebook(dated_rules)


def test_two_active_versions_on_one_date_are_refused(dated_rules: Path) -> None:
    path = dated_rules / "T" / "2026-01-01.yaml"
    path.write_text(version_yaml("T-3", "2026-01-01", 20000, "active"), encoding="utf-8")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["version"] = "T-2"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RuleDefinitionError, match="version names must be unique"):
        load_rulebook(dated_rules)


def test_a_broken_file_stops_loading_with_every_problem(dated_rules: Path) -> None:
    text = version_yaml("T-9", "2028-01-01", 1).replace("fact: income", "fact: wages")
    (dated_rules / "T" / "2028-01-01.yaml").write_text(text, encoding="utf-8")
    (dated_rules / "T" / "2029-01-01.yaml").write_text("service: [", encoding="utf-8")
    with pytest.raises(RuleDefinitionError) as info:
        load_rulebook(dated_rules)
    text = str(info.value)
    assert "T/2028-01-01.yaml: criterion 'low': when: unknown fact 'wages'" in text
    assert "T/2029-01-01.yaml: cannot read" in text
