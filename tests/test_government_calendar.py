"""The government calendar the 21-working-day clock counts, pinned for B.E. 2564-2570 (2021-2027).

Every expected date names its source (the letters below). [H] — the ``holidays`` package — is a
secondary source; dates known only from it, or only from news reports, are ``confirmed: false`` in
calendar/special_days.yaml. Lunar dates (Makha, Visakha, Asarnha Bucha, Buddhist Lent) and most
substitution days come from [H] and the rule [R].

[P] Prime Minister's Office announcement on government holidays, 2019: 19 days a year, with the Royal
    Ploughing Ceremony Day and without Labour Day (tnews.co.th, 28 May 2019; ryt9.com/s/govh/2992831).
[R] substitution rule: a holiday on a Saturday or Sunday gives the next working day; two consecutive
    weekend holidays give one day (cabinet resolutions of 2001 and 3 Feb 2004, as cited by [H]).
[H] holidays==0.108, holidays/countries/thailand.py.
[C64] cabinet resolution 29 Dec 2020 (ryt9.com/s/cabt/3187736); 27 Jul 2021 cancelled 29 Jun 2021 (Bangkok Post).
[N64] Prachachat's May 2021 list (regis-news.com/content/6151): 1 May bank holiday only, 3 May its substitute,
      4 May Coronation, 10 May Royal Ploughing, 26 May Visakha Bucha.
[C65] cabinet resolution 4 Nov 2021: 15 Jul, 29 Jul, 14 Oct, 30 Dec 2022 (goodtimestory.com/11939).
[N65] InfoQuest's 2022 list (infoquest.co.th/2021/217657): 2 May Labour Day substitute for banks only, 13 May
      Royal Ploughing for government only, 16 May Visakha substitute; Thansettakij 6 May 2022.
[N66] the cabinet's 2023 overview (prachachat.net/politics/news-1356520): 2 Jan the only New Year substitute,
      17 Apr Songkran substitute; Qatar embassy's 2023 list: 5 Jun, 1-2 Aug, 14 Aug, 11 Dec; MCOT (5 May);
      The Nation (31 Jul); Thairath (1 May 2023 not a government holiday).
[C67] cabinet resolution 24 Oct 2023: 2 Jan 2024 substitute moved to 29 Dec 2023; 30 Dec 2024 special
      (sorbdee.net/article/4497); 13 Feb 2024: 12 Apr 2024 special (komchadluek.net/news/society/568942);
      thai-mecc.go.th: 10 May 2024 Royal Ploughing.
[C68] cabinet resolution 12 Nov 2024: 2 Jun, 11 Aug 2025, 2 Jan 2026 (nationthailand.com/news/tourism/40043214);
      Thansettakij's May 2025 list: 5 May Coronation substitute, 9 May Royal Ploughing, 12 May Visakha substitute;
      Kapook (Oct, Dec 2025 holidays).
[N69] The Thaiger 2 Dec 2025 (2026 list; 2 Jun and 31 Jul proposals withdrawn); QuantLib PR 2686 (3 Mar,
      1 Jun, 29 Jul 2026, Bank of Thailand list); Thai mission to the UN, 2026 (7 Dec substitute, 10 Dec, 31 Dec).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays
import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from holidays.constants import GOVERNMENT, PUBLIC

from jfs.accounts.models import Office
from jfs.cases import calendar
from jfs.cases.calendar import calendar_for, government_holidays
from jfslib.special_days import SpecialDaysError, parse
from jfslib.workdays import WorkingCalendar

CAL = WorkingCalendar.from_dates(government_holidays())
DATA_FILE = Path(__file__).resolve().parent.parent / "calendar" / "special_days.yaml"


def d(text: str) -> date:
    return date.fromisoformat(text)


def weekday_holidays(year: int) -> set[date]:
    return {x for x in government_holidays() if x.year == year and x.weekday() < 5}


# --------------------------------------------------------------------------- every year, every weekday holiday

EXPECTED: dict[int, list[str]] = {
    2021: [
        "01-01",  # New Year's Day [P]
        "02-12",  # special (Chinese New Year) [C64]
        "02-26",  # Makha Bucha [H]
        "04-06",  # Chakri Day [P]
        "04-12",  # special (Songkran) [C64]
        "04-13", "04-14", "04-15",  # Songkran [P]
        "05-04",  # Coronation Day [P][N64]
        "05-10",  # Royal Ploughing [N64]
        "05-26",  # Visakha Bucha [N64]
        "06-03",  # the Queen's birthday [P]
        "07-26",  # substitute for Asarnha Bucha (Sat 24) and Lent (Sun 25), one day [R]; Bangkok Post
        "07-28",  # the King's birthday [P]
        "08-12",  # the Queen Mother's birthday, Mother's Day [P]
        "09-24",  # special (Mahidol Day) [C64]
        "10-13",  # King Bhumibol Memorial Day [P]
        "10-22",  # Chulalongkorn Day (Sat 23) substitute, moved from Mon 25 [C64]
        "12-06",  # substitute for 5 Dec (Sun) [R][H]
        "12-10",  # Constitution Day [P]
        "12-31",  # New Year's Eve [P]
    ],
    2022: [
        "01-03",  # substitute for New Year's Day (Sat) [N65]
        "02-16",  # Makha Bucha [N65]
        "04-06", "04-13", "04-14", "04-15",  # Chakri Day, Songkran [P][N65]
        "05-04", "05-13", "05-16",  # Coronation, Royal Ploughing, Visakha substitute [N65]
        "06-03",  # [P]
        "07-13", "07-14",  # Asarnha Bucha, Buddhist Lent [N65]
        "07-15",  # special [C65]
        "07-28",  # [P]
        "07-29",  # special [C65]
        "08-12", "10-13",  # [P]
        "10-14",  # special [C65]
        "10-24",  # substitute for Chulalongkorn Day (Sun 23) [R][H]
        "12-05",  # [P]
        "12-12",  # substitute for Constitution Day (Sat 10) [R][H]
        "12-30",  # special [C65]
    ],
    2023: [
        "01-02",  # the one substitute for New Year's Eve (Sat) and Day (Sun) [N66]
        "03-06", "04-06", "04-13", "04-14",  # [N66]
        "04-17",  # Songkran substitute (Sat 15) [N66]
        "05-04",  # [P]
        "05-05",  # special [N66]
        "05-17",  # Royal Ploughing [N66] (The Phuket News, TNN)
        "06-05",  # substitute for the Queen's birthday and Visakha Bucha (Sat 3) [N66]
        "07-28",  # [P]
        "07-31",  # special [N66]
        "08-01", "08-02",  # Asarnha Bucha, Buddhist Lent [N66]
        "08-14",  # substitute for 12 Aug (Sat) [N66]
        "10-13", "10-23", "12-05",  # [P]
        "12-11",  # substitute for Constitution Day (Sun 10) [N66]
        "12-29",  # New Year's Eve substitute, moved from Tue 2 Jan 2024 [C67]
    ],
    2024: [
        "01-01",  # [P]; 2 Jan is not a holiday (moved to 29 Dec 2023) [C67]
        "02-26",  # Makha Bucha (Sat 24) substitute [H]
        "04-08",  # Chakri Day (Sat 6) substitute [H]
        "04-12",  # special [C67]
        "04-15",  # Songkran (Mon) [P]
        "04-16",  # Songkran (Sat 13 - Mon 15) substitute [R][H]
        "05-06",  # Coronation Day (Sat 4) substitute [H]
        "05-10",  # Royal Ploughing [C67]
        "05-22",  # Visakha Bucha [H]
        "06-03",  # [P]
        "07-22",  # substitute for Asarnha Bucha (Sat 20) and Lent (Sun 21), one day [R][H]
        "07-29",  # the King's birthday (Sun 28) substitute [R][H]
        "08-12",  # [P]
        "10-14",  # King Bhumibol Memorial Day (Sun 13) substitute [R][H]
        "10-23", "12-05", "12-10",  # [P]
        "12-30",  # special [C67]
        "12-31",  # New Year's Eve [P]
    ],
    2025: [
        "01-01",  # [P]
        "02-12",  # Makha Bucha [H]
        "04-07",  # Chakri Day (Sun 6) substitute [R][H]
        "04-14", "04-15",  # Songkran (Sun 13 - Tue 15) [P]
        "04-16",  # Songkran substitute [H] (vacanza/holidays PR 2081, citing Thairath)
        "05-05", "05-09", "05-12",  # Coronation substitute, Royal Ploughing, Visakha substitute [C68]
        "06-02",  # special [C68]
        "06-03",  # [P]
        "07-10", "07-11",  # Asarnha Bucha, Buddhist Lent [H]
        "07-28",  # [P]
        "08-11",  # special [C68]
        "08-12", "10-13", "10-23", "12-05", "12-10", "12-31",  # [P][C68]
    ],
    2026: [
        "01-01",  # [P]
        "01-02",  # special [C68]
        "03-03",  # Makha Bucha [N69]
        "04-06", "04-13", "04-14", "04-15",  # [N69]
        "05-04",  # [N69]
        "05-13",  # Royal Ploughing [H] only: UNCONFIRMED in the data file (others give 11 May)
        "06-01",  # Visakha Bucha (Sun 31 May) substitute [N69]
        "06-03", "07-28",  # [N69]
        "07-29", "07-30",  # Asarnha Bucha, Buddhist Lent [N69]
        "08-12", "10-13", "10-23",  # [P]
        "12-07",  # 5 Dec (Sat) substitute [N69]
        "12-10", "12-31",  # [N69]
    ],
    2027: [  # nothing announced yet: the rules only [P][R][H]; Royal Ploughing Day pending
        "01-01",
        "02-22",  # Makha Bucha (Sun 21) substitute [H]
        "04-06", "04-13", "04-14", "04-15", "05-04",
        "05-20",  # Visakha Bucha [H]
        "06-03",
        "07-19",  # Buddhist Lent [H]
        "07-20",  # Asarnha Bucha (Sun 18) substitute, after Lent on Mon 19 [R][H]
        "07-28", "08-12", "10-13",
        "10-25",  # Chulalongkorn Day (Sat 23) substitute [R][H]
        "12-06",  # 5 Dec (Sun) substitute [R][H]
        "12-10", "12-31",
    ],
}


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_every_weekday_government_holiday_of_the_year(year: int) -> None:
    expected = {date(year, *map(int, md.split("-"))) for md in EXPECTED[year]}
    got = weekday_holidays(year)
    assert got == expected, f"extra: {sorted(got - expected)}, missing: {sorted(expected - got)}"


# --------------------------------------------------------------------------- the days the brief names


@pytest.mark.parametrize("day", ["2021-05-03", "2022-05-02", "2023-05-01", "2024-05-01", "2025-05-01",
                                 "2026-05-01", "2027-05-03"])
def test_labour_day_and_its_substitute_are_working_days_for_government_offices(day: str) -> None:
    """[P][N64][N65][N66]: Labour Day is a holiday for banks and the private sector only."""
    assert CAL.is_working_day(d(day))
    private_sector = holidays.country_holidays("TH", years=d(day).year, categories=(PUBLIC,))
    assert d(day) in private_sector  # the package's public calendar, which the clock used before


@pytest.mark.parametrize("day", ["2020-05-11", "2021-05-10", "2022-05-13", "2023-05-17", "2024-05-10",
                                 "2025-05-09", "2026-05-13"])
def test_royal_ploughing_ceremony_day_is_a_government_holiday(day: str) -> None:
    assert not CAL.is_working_day(d(day))
    data = calendar.special_days()
    assert data.ploughing_day(d(day).year) == d(day)
    # the package's government category (secondary) agrees for every year it has
    package = holidays.country_holidays("TH", years=d(day).year, categories=(GOVERNMENT,))
    assert set(package) == {d(day)}


def test_2027_royal_ploughing_day_is_pending_and_counts_as_a_working_day_until_announced() -> None:
    """When the palace announces it: add the entry, drop the pending line, update EXPECTED[2027]."""
    data = calendar.special_days()
    assert data.ploughing_day(2027) is None
    assert [(p.year, p.what) for p in data.pending] == [(2027, "ploughing")]
    assert not [x for x in government_holidays() if x.year == 2027 and x.month == 5 and x.day not in (4, 20)]


@pytest.mark.parametrize("year", range(2021, 2028))
def test_songkran_13_to_15_april(year: int) -> None:
    for day in (13, 14, 15):
        assert date(year, 4, day) in government_holidays()  # [P]


@pytest.mark.parametrize("year", range(2021, 2028))
def test_the_kings_birthday_28_july(year: int) -> None:
    assert date(year, 7, 28) in government_holidays()  # [P]


def test_the_kings_birthday_on_a_sunday_gives_monday() -> None:
    assert not CAL.is_working_day(d("2024-07-29"))  # [R][H]
    assert CAL.add_working_days(d("2024-07-26"), 1) == d("2024-07-30")


@pytest.mark.parametrize("year", range(2021, 2028))
def test_chulalongkorn_day_23_october(year: int) -> None:
    assert date(year, 10, 23) in government_holidays()  # [P]


@pytest.mark.parametrize(("substitute", "working"), [
    ("2021-10-22", "2021-10-25"),  # Sat 23: the cabinet moved the substitute from Monday to Friday [C64]
    ("2022-10-24", None),  # Sun 23 -> Mon [R][H]
    ("2027-10-25", None),  # Sat 23 -> Mon [R][H]
])
def test_chulalongkorn_day_substitutes(substitute: str, working: str | None) -> None:
    assert not CAL.is_working_day(d(substitute))
    if working:
        assert CAL.is_working_day(d(working))


@pytest.mark.parametrize("year", range(2021, 2028))
def test_new_years_eve_31_december(year: int) -> None:
    assert date(year, 12, 31) in government_holidays()  # [P]


def test_new_years_eve_on_a_weekend() -> None:
    # 2022: Sat 31 Dec + Sun 1 Jan -> one substitute, Mon 2 Jan; Tue 3 Jan is a working day [N66][R]
    assert not CAL.is_working_day(d("2023-01-02")) and CAL.is_working_day(d("2023-01-03"))
    # 2023: Sun 31 Dec -> substitute moved from Tue 2 Jan 2024 to Fri 29 Dec 2023 [C67]
    assert not CAL.is_working_day(d("2023-12-29")) and CAL.is_working_day(d("2024-01-02"))


@pytest.mark.parametrize("day", ["2021-07-27", "2026-06-02", "2026-07-31"])
def test_special_days_cancelled_or_withdrawn_are_working_days(day: str) -> None:
    assert CAL.is_working_day(d(day))  # [C64] (cancelled 29 Jun 2021), [N69] (withdrawn 2 Dec 2025)


# --------------------------------------------------------------------------- the data file and the package


def test_the_package_is_the_pinned_version() -> None:
    assert holidays.__version__ == "0.108"  # the calendar overrides two of its internals


def test_every_special_day_of_the_package_is_in_the_data_file_with_a_source() -> None:
    """For the years the file covers its announced days replace the package's; none is lost."""
    data = calendar.special_days()
    years = range(data.first_year, 2027)
    everything = calendar._GovernmentThailand(years=years, categories=(PUBLIC,), language="th")
    rules = calendar._RuleBasedThailand(years=years, categories=(PUBLIC,), language="th")
    package_specials = set(everything) - set(rules)
    assert package_specials, "the package's special days were not told apart"
    assert package_specials <= data.days_off()
    for day in data.days:
        assert day.source and day.name_th and day.name_en


def test_where_the_file_overrules_the_package() -> None:
    """The cabinet moved or dropped days the package's rules give (secondary source): offices open."""
    data = calendar.special_days()
    assert data.days_open() == {d("2020-12-07"), d("2021-10-25"), d("2023-01-03"), d("2024-01-02")}
    package = holidays.country_holidays("TH", years=range(2020, 2025), categories=(PUBLIC,))
    assert {d("2020-12-07"), d("2021-10-25"), d("2023-01-03")} <= set(package)
    assert all(CAL.is_working_day(x) for x in data.days_open())


def test_unconfirmed_days_are_marked() -> None:
    data = calendar.special_days()
    unconfirmed = {x.date for x in data.unconfirmed()}
    assert d("2026-05-13") in unconfirmed  # Royal Ploughing 2026: the package only, other sources differ
    assert d("2021-02-12") not in unconfirmed  # read in the resolution's text [C64]
    assert all(isinstance(x.confirmed, bool) for x in data.days)


# --------------------------------------------------------------------------- regional holidays and offices


@pytest.mark.django_db
def test_a_regional_holiday_closes_only_that_regions_offices(offices: Any) -> None:
    north, northeast = calendar_for(offices["50"].pk), calendar_for(offices["40"].pk)
    central, south = calendar_for(offices["00"].pk), calendar_for(offices["90"].pk)  # Bangkok, Songkhla
    assert not north.is_working_day(d("2021-03-26")) and northeast.is_working_day(d("2021-03-26"))
    assert not south.is_working_day(d("2021-10-06")) and north.is_working_day(d("2021-10-06"))
    assert not central.is_working_day(d("2021-10-21")) and south.is_working_day(d("2021-10-21"))
    assert calendar_for(None).is_working_day(d("2021-03-26"))  # no office, no region


@pytest.mark.django_db
def test_every_office_has_a_province_in_one_region(offices: Any) -> None:
    data = calendar.special_days()
    regional = [x for x in data.days if x.provinces is not None]
    for office in Office.objects.all():
        province = calendar.province_of(office.pk)
        assert province is not None
        # one regional holiday per region in 2021: each office keeps exactly one of them
        assert sum(1 for x in regional if x.applies_to(province)) == 1, office.code


@pytest.mark.django_db
def test_the_clock_counts_labour_day_and_skips_royal_ploughing(make_request: Any) -> None:
    """A request received Thu 30 Apr 2026: its first step is due on Labour Day (offices open)."""
    req = make_request(received_on=d("2026-04-30"))
    assert req.step_due_on == d("2026-05-01")
    # 21 working days: Labour Day (Fri 1 May) counts; Coronation Day (Mon 4 May), Royal Ploughing (Wed 13 May),
    # the Visakha Bucha substitute (Mon 1 Jun) and the Queen's birthday (Wed 3 Jun) do not: day 21 is Thu 4 Jun
    assert req.due_on == CAL.add_working_days(d("2026-04-30"), 21) == d("2026-06-04")


# --------------------------------------------------------------------------- the file is checked


def _minimal(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "covers": {"from": 2030, "to": 2030},
        "days": [{"date": date(2030, 5, 14), "kind": "ploughing", "name_th": "วันพืชมงคล",
                  "name_en": "Royal Ploughing Ceremony Day", "source": "test", "confirmed": False}],
    }
    data.update(changes)
    return data


def _problems(data: dict[str, Any]) -> str:
    with pytest.raises(SpecialDaysError) as info:
        parse(data, provinces={"10", "50"})
    return "\n".join(info.value.problems)


def test_a_minimal_file_is_accepted() -> None:
    assert parse(_minimal()).ploughing_day(2030) == date(2030, 5, 14)


@pytest.mark.parametrize(("change", "message"), [
    ({"confirmed": "yes"}, "confirmed must be true or false"),
    ({"kind": "bridge"}, "kind must be one of"),
    ({"date": "14 May 2030"}, "date must be written YYYY-MM-DD"),
    ({"date": date(2030, 5, 11)}, "closes nothing"),  # a Saturday
    ({"date": date(2031, 5, 14)}, "outside covers"),
    ({"source": " "}, "source must be a non-empty text"),
    ({"provinces": ["99"]}, "not province codes: 99"),
    ({"colour": "red"}, "unknown keys colour"),
    ({"urls": ["ftp://x"]}, "urls must be a list"),
])
def test_a_bad_entry_is_refused_with_a_reason(change: dict[str, Any], message: str) -> None:
    data = _minimal()
    data["days"][0].update(change)
    assert message in _problems(data)


def test_a_year_without_its_royal_ploughing_day_must_say_it_is_pending() -> None:
    assert "no Royal Ploughing Ceremony Day" in _problems(_minimal(days=[]))
    assert parse(_minimal(days=[], pending=[{"year": 2030, "what": "ploughing", "note": "not announced"}]))


def test_clashes_and_order_are_refused() -> None:
    base = _minimal()["days"][0]
    special = dict(base, kind="holiday", date=date(2030, 1, 2))
    opened = dict(special, kind="working")
    assert "both a day off and a working day" in _problems(_minimal(days=[base, special, opened]))
    assert "listed twice" in _problems(_minimal(days=[special, special, base]))
    assert "date order" in _problems(_minimal(days=[base, special]))


def test_every_problem_is_reported_at_once() -> None:
    data = _minimal()
    data["days"][0].update(kind="bridge", confirmed=None)
    data["covers"] = {"from": 2030}
    problems = _problems(data)
    for message in ("covers:", "kind must be one of", "confirmed must be true or false"):
        assert message in problems


@pytest.fixture
def broken_calendar_dir(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Point the calendar at a copy of the data file that the test may break; forget cached calendars."""
    (tmp_path / "special_days.yaml").write_text(DATA_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    settings.CALENDAR_DIR = tmp_path
    _forget()
    yield tmp_path
    _forget()


def _forget() -> None:
    for fn in (calendar.special_days, calendar.rule_based_holidays, calendar.government_holidays):
        fn.cache_clear()


def test_a_broken_file_stops_the_server_at_start_up(broken_calendar_dir: Path) -> None:
    from django.apps import apps

    path = broken_calendar_dir / "special_days.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["days"][0]["confirmed"] = "maybe"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="confirmed must be true or false"):
        apps.get_app_config("cases").ready()


def test_a_special_day_the_steward_adds_changes_the_clock(broken_calendar_dir: Path) -> None:
    path = broken_calendar_dir / "special_days.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    monday = d("2027-03-01")
    assert CAL.is_working_day(monday)
    data["days"].append({"date": monday, "kind": "holiday", "name_th": "วันหยุดราชการเพิ่มเป็นกรณีพิเศษ",
                         "name_en": "Special government holiday", "source": "test", "confirmed": False})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert monday in government_holidays()
    assert WorkingCalendar.from_dates(government_holidays()).add_working_days(monday - timedelta(days=3), 1) \
        == monday + timedelta(days=1)


@pytest.mark.django_db
def test_many_offices_calendars_at_once_are_each_office_s_calendar(offices: dict[str, Office]) -> None:
    """A list of requests from every office reads the calendars in two queries; each is the office's
    own (its province's regional days, the closures of every office and its own)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jfs.accounts.models import OfficeClosure

    everywhere, chiang_mai_only = date(2026, 12, 3), date(2026, 12, 4)
    OfficeClosure.objects.create(office=None, date=everywhere, reason="ไฟฟ้าดับทั้งระบบ")
    OfficeClosure.objects.create(office=offices["50"], date=chiang_mai_only, reason="น้ำท่วม")
    ids = [o.pk for o in Office.objects.all()]
    with CaptureQueriesContext(connection) as queries:
        many = calendar.calendars_for(ids)
    assert len(queries.captured_queries) == 2
    assert set(many) == set(ids)
    for pk in ids:
        assert many[pk] == calendar_for(pk), pk
    assert chiang_mai_only in many[offices["50"].pk].non_working
    assert chiang_mai_only not in many[offices["40"].pk].non_working
    assert all(everywhere in cal.non_working for cal in many.values())
