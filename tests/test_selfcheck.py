"""The citizen's self-check (docs/self-check.md): questions from the conditions of the criteria in force,
skipped when they cannot matter, answers checked and kept, and one outcome page per result: likely
eligible, not eligible (in words, never a code, with where to go instead), cannot tell yet. Each service
is walked through the service functions and through the pages."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from jfs.eligibility import selfcheck as sc

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)  # B.E. 2569

#: (service, answers) → expected outcome; each service has an eligible, a not-eligible and an unknown path
PATHS: dict[str, dict[str, dict[str, str]]] = {
    "LIT": {
        sc.ELIGIBLE: {"party_role": "defendant", "birth_date": "1980-05-17", "amount_requested": "25000"},
        sc.NOT_ELIGIBLE: {"party_role": "other"},
        sc.CANNOT_TELL: {
            "party_role": "plaintiff",
            "birth_date": "?",
            "representative_type": "?",
            "amount_requested": "12000",
        },
    },
    "BAIL": {
        sc.ELIGIBLE: {"is_detained": "true", "bail_amount": "50000"},
        sc.NOT_ELIGIBLE: {"is_detained": "false"},
        sc.CANNOT_TELL: {"is_detained": "?", "bail_amount": "80000"},
    },
    "HR": {
        sc.ELIGIBLE: {"hr_violation_claimed": "true", "birth_date": "1975-01-02"},
        sc.NOT_ELIGIBLE: {"hr_violation_claimed": "true", "birth_date": "2012-03-01", "representative_type": "none"},
        sc.CANNOT_TELL: {"hr_violation_claimed": "?", "birth_date": "1975-01-02"},
    },
    "PROJECT": {
        sc.ELIGIBLE: {"organisation": "true", "legal_knowledge": "true"},
        sc.NOT_ELIGIBLE: {"organisation": "false"},
        sc.CANNOT_TELL: {"organisation": "true", "legal_knowledge": "?"},
    },
}

CODE_RE = re.compile(r"\b(?:LIT|BAIL|HR|PROJECT)[-/]|\b[a-z]+_[a-z_]+\b|BAIL-2016|LIT-2016|HR-2016")


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield


def _text(html: bytes) -> str:
    body = html.decode()
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


# ------------------------------------------------------------------------------------------ data


def test_the_data_files_are_complete() -> None:
    assert sc.data_problems() == []


def test_questions_come_from_the_conditions_only() -> None:
    asked = {c.code: [q.slug for q in c.questions] for c in sc.services()}
    assert asked["BAIL"] == ["is_detained", "bail_amount"]
    assert asked["LIT"] == ["party_role", "birth_date", "representative_type", "amount_requested"]
    assert asked["HR"] == ["hr_violation_claimed", "birth_date", "representative_type"]
    assert asked["CONSULT"] == []
    # considerations (hardship, merit, risks) are never asked
    for slugs in asked.values():
        assert not {"monthly_income", "household_monthly_income", "flight_risk", "case_has_merit"} & set(slugs)


# ------------------------------------------------------------------------------ service functions


@pytest.mark.parametrize("code", sorted(PATHS))
@pytest.mark.parametrize("result", [sc.ELIGIBLE, sc.NOT_ELIGIBLE, sc.CANNOT_TELL])
def test_each_path_reaches_its_outcome(code: str, result: str) -> None:
    check = sc.service_check(code)
    answers = PATHS[code][result]
    assert sc.progress(check, answers).complete
    o = sc.evaluate(check, answers)
    assert o.result == result
    if result == sc.ELIGIBLE:
        assert o.met and not o.not_met and o.documents
        assert o.apply_url == f"/apply/?service={code}"
    elif result == sc.NOT_ELIGIBLE:
        assert o.not_met and o.referrals
        for line in o.not_met:
            assert not CODE_RE.search(str(line.name) + str(line.because))
    else:
        assert o.unknown_facts and all(u.find_out.th for u in o.unknown_facts)


def test_consultation_needs_no_question_and_is_open_to_everyone() -> None:
    check = sc.service_check("CONSULT")
    assert sc.progress(check, {}).complete
    assert sc.evaluate(check, {}).result == sc.ELIGIBLE


def test_a_no_that_decides_skips_the_remaining_questions() -> None:
    check = sc.service_check("LIT")
    p = sc.progress(check, {"party_role": "other"})
    assert p.complete and [q.slug for q in p.asked] == ["party_role"]


def test_an_adult_is_not_asked_who_files() -> None:
    check = sc.service_check("LIT")
    p = sc.progress(check, {"party_role": "plaintiff", "birth_date": "1980-05-17"})
    assert p.next is not None and p.next.slug == "amount_requested"
    minor = sc.progress(check, {"party_role": "plaintiff", "birth_date": "2012-03-01"})
    assert minor.next is not None and minor.next.slug == "representative_type"


def test_i_dont_know_stays_unknown_and_the_next_question_is_still_asked() -> None:
    check = sc.service_check("BAIL")
    p = sc.progress(check, {"is_detained": "?"})
    assert p.next is not None and p.next.slug == "bail_amount"


def test_the_eligible_outcome_explains_with_the_figures_given_and_dated_thresholds() -> None:
    o = sc.evaluate(sc.service_check("BAIL"), PATHS["BAIL"][sc.ELIGIBLE])
    reasons = " ".join(str(m.because) for m in o.met)
    assert "50,000 บาท" in reasons
    thresholds = [str(t) for w in o.weighed for t in w.thresholds]
    assert any("15,000 บาท" in t and "2559" in t for t in thresholds)  # B.E. date of the value in force
    assert "หมายขัง/หมายจำคุก" in [str(d) for d in o.documents]


def test_a_consideration_never_turns_the_outcome_down() -> None:
    """Hardship, risks and help elsewhere are weighed, never a condition of the self-check's outcome."""
    o = sc.evaluate(sc.service_check("BAIL"), PATHS["BAIL"][sc.ELIGIBLE])
    assert o.result == sc.ELIGIBLE
    assert {str(w.what) for w in o.weighed} >= {str(sc.Bi(sc._data()["considerations"]["release_risks"]["th"]))}


def test_referrals_fit_the_reason() -> None:
    hr = sc.evaluate(sc.service_check("HR"), PATHS["HR"][sc.NOT_ELIGIBLE])
    assert "nhrc" in [r.key for r in hr.referrals]
    bail = sc.evaluate(sc.service_check("BAIL"), PATHS["BAIL"][sc.NOT_ELIGIBLE])
    assert "nhrc" not in [r.key for r in bail.referrals]
    assert all(r.unconfirmed for r in sc.referrals())  # not yet checked against the organisations' pages


def test_dial_is_the_hotline_without_extension() -> None:
    r = next(r for r in sc.referrals() if r.key == "rlpd")
    assert r.dial == "1111"


# ----------------------------------------------------------------------------------------- input


def _q(code: str, slug: str) -> sc.Question:
    q = sc.service_check(code).question(slug)
    assert q is not None
    return q


@pytest.mark.parametrize(("typed", "stored"), [("50,000", "50000"), ("๕๐,๐๐๐", "50000"), (" 1,234.50 บาท", "1234.50")])
def test_numbers_with_commas_and_thai_digits_are_read(typed: str, stored: str) -> None:
    assert sc.parse_answer(_q("BAIL", "bail_amount"), {"answer": typed}).value == stored


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("-500", "ติดลบ"),
        ("abc", "ตัวเลขเท่านั้น"),
        ("1000000000", "ไม่เกิน 99,999,999 บาท"),
        ("12.345", "ทศนิยม"),
        ("", "ไม่ทราบ"),
    ],
)
def test_bad_numbers_are_explained_and_kept(typed: str, words: str) -> None:
    parsed = sc.parse_answer(_q("BAIL", "bail_amount"), {"answer": typed})
    assert parsed.value is None and words in parsed.errors[0].message.th
    assert parsed.kept["answer"] == typed


def test_a_christian_era_year_is_questioned_with_its_buddhist_era_year() -> None:
    parsed = sc.parse_answer(_q("LIT", "birth_date"), {"day": "17", "month": "5", "year": "1987"}, TODAY)
    assert parsed.value is None and parsed.suggestion == "2530"
    assert "พ.ศ. 2530" in parsed.errors[0].message.th
    # the suggestion's button keeps the day and month and uses the year
    fixed = sc.parse_answer(
        _q("LIT", "birth_date"), {"day": "17", "month": "5", "year": "1987", "use_year": "2530"}, TODAY
    )
    assert fixed.value == "1987-05-17"


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ({"day": "31", "month": "2", "year": "2530"}, "ไม่มีวันที่ 31"),
        ({"day": "1", "month": "13", "year": "2530"}, "1 ถึง 12"),
        ({"day": "1", "month": "1", "year": "2400"}, "ระหว่าง"),
        ({"day": "1", "month": "12", "year": "2569"}, "อนาคต"),
        ({"day": "x", "month": "1", "year": "2530"}, "ตัวเลข"),
    ],
)
def test_bad_dates_are_explained_and_kept(typed: dict[str, str], words: str) -> None:
    parsed = sc.parse_answer(_q("LIT", "birth_date"), typed, TODAY)
    assert parsed.value is None and words in parsed.errors[0].message.th
    assert parsed.kept["day"] == typed["day"]


# ----------------------------------------------------------------------------------------- pages


def _walk(client: Client, code: str, answers: dict[str, str]) -> Any:
    """Answer page by page, following the redirects, as a person would."""
    r = client.post("/check/", {"service": code})
    assert r.status_code == 302
    url = r["Location"]
    while "/answers/" not in url and "/result/" not in url:
        slug = url.rstrip("/").split("/")[-1]
        value = answers[slug]
        page = client.get(url)
        assert page.status_code == 200
        if value == sc.UNKNOWN:
            data = {"dont_know": "1", "answer": sc.UNKNOWN}
        elif slug == "birth_date":
            d = date.fromisoformat(value)
            data = {"day": str(d.day), "month": str(d.month), "year": str(d.year + 543)}
        else:
            data = {"answer": value}
        r = client.post(url, data)
        assert r.status_code == 302, _text(r.content)
        url = r["Location"]
    if "/answers/" in url:
        page = client.get(url)
        assert page.status_code == 200
        url = f"/check/{code}/result/"
    return client.get(url)


@pytest.mark.parametrize("code", sorted(PATHS))
@pytest.mark.parametrize("result", [sc.ELIGIBLE, sc.NOT_ELIGIBLE, sc.CANNOT_TELL])
def test_each_path_through_the_pages(client: Client, code: str, result: str) -> None:
    page = _walk(client, code, PATHS[code][result])
    assert page.status_code == 200
    text = _text(page.content)
    o = sc.evaluate(sc.service_check(code), PATHS[code][result])
    if result == sc.ELIGIBLE:
        assert "คุณน่าจะขอรับความช่วยเหลือได้" in text
        assert f'href="/apply/?service={code}"' in page.content.decode()
        assert "ไม่ใช่หน้านี้" in text  # the decision is the subcommittee's
    elif result == sc.NOT_ELIGIBLE:
        assert "กองทุนอาจช่วยเรื่องนี้ไม่ได้" in text
        assert str(o.not_met[0].name) in text  # the condition named in words
        assert "คุณยังยื่นคำขอได้" in text and "1111 กด 77" in text
        assert o.referrals[0].name.th in text
        assert "error-summary" not in page.content.decode()  # explained, never shown as an error
    else:
        assert "ยังบอกผลไม่ได้" in text
        assert str(o.unknown_facts[0].question) in text
    assert not CODE_RE.search(text), CODE_RE.search(text)


def test_consultation_goes_straight_to_its_outcome(client: Client) -> None:
    r = client.post("/check/", {"service": "CONSULT"})
    assert r["Location"] == "/check/CONSULT/result/"
    text = _text(client.get(r["Location"]).content)
    assert "ทุกคนขอคำปรึกษากฎหมาย" in text


def test_considerations_are_shown_as_to_be_weighed_never_as_a_refusal(client: Client) -> None:
    text = _text(_walk(client, "BAIL", PATHS["BAIL"][sc.ELIGIBLE]).content)
    assert "สิ่งที่จะนำมาพิจารณาประกอบ" in text and "ไม่ได้ทำให้คุณหมดสิทธิ์" in text
    assert "ความเสี่ยงเมื่อได้รับการปล่อยตัว" in text
    assert "15,000 บาท" in text and "24 เม.ย. 2559" in text
    assert "ไม่ผ่าน" not in text


def test_choosing_no_service_is_explained(client: Client) -> None:
    page = client.post("/check/", {})
    assert page.status_code == 200
    assert "กรุณาเลือกบริการที่ต้องการตรวจสอบ" in _text(page.content)
    assert client.get("/check/NOPE/").status_code == 404


def test_bad_input_is_kept_and_explained_on_the_page(client: Client) -> None:
    client.post("/check/", {"service": "BAIL"})
    client.post("/check/BAIL/is_detained/", {"answer": "true"})
    page = client.post("/check/BAIL/bail_amount/", {"answer": "-5,000"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="error-summary"' in html and 'href="#answer"' in html
    assert 'value="-5,000"' in html and "ตัวเลขต้องไม่ติดลบ" in html
    assert "<title>ข้อผิดพลาด:" in html


def test_a_christian_era_year_gets_a_question_on_the_page(client: Client) -> None:
    client.post("/check/", {"service": "LIT"})
    client.post("/check/LIT/party_role/", {"answer": "plaintiff"})
    page = client.post("/check/LIT/birth_date/", {"day": "17", "month": "5", "year": "1987"})
    html = page.content.decode()
    assert "คุณหมายถึง พ.ศ. 2530 ใช่หรือไม่" in html
    assert 'name="use_year" value="2530"' in html and 'value="1987"' in html
    r = client.post("/check/LIT/birth_date/", {"day": "17", "month": "5", "year": "1987", "use_year": "2530"})
    assert r.status_code == 302 and r["Location"].endswith("/amount_requested/")


def test_answers_page_has_change_links_and_changing_an_answer_returns_there(client: Client) -> None:
    _walk(client, "BAIL", PATHS["BAIL"][sc.ELIGIBLE])
    page = client.get("/check/BAIL/answers/")
    html = page.content.decode()
    assert 'href="/check/BAIL/bail_amount/?change=1"' in html and "50,000 บาท" in html
    r = client.post("/check/BAIL/bail_amount/?change=1", {"answer": "70000"})
    assert r["Location"] == "/check/BAIL/answers/"
    assert "70,000 บาท" in client.get("/check/BAIL/answers/").content.decode()


def test_a_question_that_cannot_matter_is_skipped_and_incomplete_answers_go_back(client: Client) -> None:
    client.post("/check/", {"service": "LIT"})
    assert client.get("/check/LIT/result/")["Location"] == "/check/LIT/party_role/"
    client.post("/check/LIT/party_role/", {"answer": "other"})
    # party_role "other" decides: the remaining questions are skipped
    assert client.get("/check/LIT/amount_requested/")["Location"] == "/check/LIT/answers/"


def test_answers_are_kept_in_the_session_per_service_without_signing_in(client: Client) -> None:
    _walk(client, "BAIL", PATHS["BAIL"][sc.ELIGIBLE])
    assert client.session["selfcheck"]["BAIL"] == {"is_detained": "true", "bail_amount": "50000"}
    r = client.post("/check/BAIL/answers/")  # start again
    assert r["Location"] == "/check/BAIL/is_detained/"
    assert client.session["selfcheck"]["BAIL"] == {}


def test_pages_read_in_english(client: Client) -> None:
    client.cookies["django_language"] = "en"
    page = _walk(client, "BAIL", PATHS["BAIL"][sc.NOT_ELIGIBLE])
    html = page.content.decode()
    assert "The suspect or defendant is not in custody" in html
    assert "Lawyers Council of Thailand" in html
