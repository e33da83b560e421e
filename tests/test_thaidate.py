"""Buddhist-era dates and Thai fiscal years."""

from __future__ import annotations

import pickle
import re
from datetime import date

import pytest

from jfslib.thaidate import (
    DateInputError,
    FiscalYear,
    fiscal_year,
    format_en,
    format_thai,
    parse_date,
    to_be_year,
    to_ce_year,
)


def test_be_is_ce_plus_543() -> None:
    assert to_be_year(2026) == 2569 and to_ce_year(2569) == 2026


def test_fy2570_runs_1_october_2569_to_30_september_2570() -> None:
    fy = FiscalYear(2570)
    assert (fy.start, fy.end) == (date(2026, 10, 1), date(2027, 9, 30))
    assert date(2026, 10, 1) in fy and date(2027, 9, 30) in fy
    assert date(2026, 9, 30) not in fy and date(2027, 10, 1) not in fy
    assert fy.label() == "ปีงบประมาณ พ.ศ. 2570"


@pytest.mark.parametrize(("day", "fy"), [
    (date(2026, 9, 30), 2569),
    (date(2026, 10, 1), 2570),
    (date(2026, 12, 31), 2570),
    (date(2027, 1, 1), 2570),
    (date(2027, 9, 30), 2570),
    (date(2027, 10, 1), 2571),
    (date(2021, 10, 1), 2565),  # FY2565 of the seed documents starts 1 Oct 2564
])
def test_fiscal_year_of_a_date(day: date, fy: int) -> None:
    assert fiscal_year(day) == fy
    assert day in FiscalYear(fy)


def test_every_day_of_a_fiscal_year_maps_back_to_it() -> None:
    fy = FiscalYear(2570)
    d = fy.start
    from datetime import timedelta

    while d <= fy.end:
        assert fiscal_year(d) == 2570
        d += timedelta(days=1)


def test_parse_be_date() -> None:
    assert parse_date("15/08/2530") == date(1987, 8, 15)
    assert parse_date("1/2/2569") == date(2026, 2, 1)
    assert parse_date("2569-02-01") == date(2026, 2, 1)
    assert parse_date(" 29/02/2567 ") == date(2024, 2, 29)  # 2024 is a leap year


def test_ce_year_on_a_be_form_is_refused_naming_the_confusion() -> None:
    with pytest.raises(DateInputError) as exc:
        parse_date("15/08/1987", era="BE")
    msg = str(exc.value)
    assert "ค.ศ." in msg and "พ.ศ." in msg and "C.E." in msg and "B.E." in msg
    assert "2530" in msg  # suggests the B.E. year


def test_be_year_on_a_ce_form_is_refused_naming_the_confusion() -> None:
    with pytest.raises(DateInputError) as exc:
        parse_date("15/08/2530", era="CE")
    assert "พ.ศ." in str(exc.value) and "B.E." in str(exc.value) and "1987" in str(exc.value)
    assert parse_date("15/08/1987", era="CE") == date(1987, 8, 15)


@pytest.mark.parametrize("text", ["31/02/2569", "29/02/2569", "31/04/2569", "00/01/2569", "15/13/2569"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(DateInputError, match="does not exist in the calendar"):
        parse_date(text)


@pytest.mark.parametrize("text", ["", "15 สิงหาคม 2530", "15/08", "abc", "15/08/30"])
def test_malformed_or_two_digit_years_are_refused(text: str) -> None:
    with pytest.raises(DateInputError):
        parse_date(text)


def test_future_dates_are_refused_when_today_is_given() -> None:
    today = date(2026, 11, 21)
    assert parse_date("21/11/2569", today=today) == today
    with pytest.raises(DateInputError, match="cannot be in the future"):
        parse_date("22/11/2569", today=today)
    assert parse_date("22/11/2569") == date(2026, 11, 22)  # no `today`: no future check


@pytest.mark.parametrize(("text", "era", "th", "en"), [
    ("15-08", "BE", "รูปแบบวันที่ต้องเป็น วว/ดด/ปปปป", "Date must be dd/mm/yyyy"),
    ("15/08/30", "BE", "กรุณาระบุปีเป็นตัวเลข 4 หลัก", "Please give a 4-digit year"),
    ("15/08/1987", "BE", "ปี 1987 ดูเหมือนเป็นปี ค.ศ. กรุณาระบุปี พ.ศ. เช่น 2530",
     "Year 1987 looks like C.E.; please give the B.E. year, e.g. 2530"),
    ("15/08/2530", "CE", "ปี 2530 ดูเหมือนเป็นปี พ.ศ. กรุณาระบุปี ค.ศ. เช่น 1987",
     "Year 2530 looks like B.E.; please give the C.E. year, e.g. 1987"),
    ("31/02/2569", "BE", "ไม่มีวันที่นี้ในปฏิทิน", "This date does not exist in the calendar"),
    ("22/11/2569", "BE", "วันที่ต้องไม่อยู่ในอนาคต", "Date cannot be in the future"),
])
def test_refusals_carry_thai_and_english_texts_separately(text: str, era: str, th: str, en: str) -> None:
    with pytest.raises(DateInputError) as exc:
        parse_date(text, era=era, today=date(2026, 11, 21))
    assert (exc.value.th, exc.value.en) == (th, en)
    assert not re.search("[\u0e00-\u0e7f]", exc.value.en)
    assert (exc.value.message("th"), exc.value.message("en")) == (th, en)
    assert str(exc.value) == f"{th} ({en})"
    copy = pickle.loads(pickle.dumps(exc.value))
    assert (copy.th, copy.en) == (th, en)


def test_formatting_for_thai_and_english_readers() -> None:
    d = date(2026, 11, 21)
    assert format_thai(d) == "21 พ.ย. 2569"
    assert format_thai(d, "long") == "21 พฤศจิกายน 2569"
    assert format_en(d) == "21 Nov B.E. 2569 (2026)"


def test_formatted_date_parses_back() -> None:
    d = date(2026, 2, 28)
    assert parse_date(f"{d.day:02d}/{d.month:02d}/{to_be_year(d.year)}") == d
