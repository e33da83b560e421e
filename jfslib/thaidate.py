"""Buddhist-era dates and Thai government fiscal years.

B.E. = C.E. + 543. Fiscal year N (B.E.) runs 1 October of N-1 to 30 September of N,
so FY2570 = 1 Oct 2569 – 30 Sep 2570 (B.E.) = 1 Oct 2026 – 30 Sep 2027 (C.E.).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from jfslib.bilingual import BilingualValueError

BE_OFFSET = 543

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
THAI_MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
EN_MONTHS_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class DateInputError(BilingualValueError):
    """A typed date that cannot be a real date or mixes up B.E. and C.E."""


def to_be_year(ce_year: int) -> int:
    return ce_year + BE_OFFSET


def to_ce_year(be_year: int) -> int:
    return be_year - BE_OFFSET


def fiscal_year(d: date) -> int:
    """Return the B.E. fiscal year a date falls in."""
    return to_be_year(d.year + 1 if d.month >= 10 else d.year)


@dataclass(frozen=True)
class FiscalYear:
    be_year: int

    @property
    def start(self) -> date:
        return date(to_ce_year(self.be_year) - 1, 10, 1)

    @property
    def end(self) -> date:
        return date(to_ce_year(self.be_year), 9, 30)

    def __contains__(self, d: date) -> bool:
        return self.start <= d <= self.end

    def label(self) -> str:
        return f"ปีงบประมาณ พ.ศ. {self.be_year}"


def format_thai(d: date, style: str = "short") -> str:
    """Format a date for Thai readers: 21 พ.ย. 2569 (short) or 21 พฤศจิกายน 2569 (long)."""
    months = THAI_MONTHS if style == "long" else THAI_MONTHS_ABBR
    return f"{d.day} {months[d.month - 1]} {to_be_year(d.year)}"


def format_en(d: date) -> str:
    """English readers still get the Buddhist-era year, with the C.E. year beside it."""
    return f"{d.day} {EN_MONTHS_ABBR[d.month - 1]} B.E. {to_be_year(d.year)} ({d.year})"


_DATE_RE = re.compile(r"^\s*(\d{1,4})[/\-.](\d{1,2})[/\-.](\d{1,4})\s*$")


def parse_date(text: str, *, era: str = "BE", today: date | None = None) -> date:
    """Parse dd/mm/yyyy (or yyyy-mm-dd) typed by a person.

    ``era`` says which calendar the form asked for ("BE" or "CE"). A year that
    clearly belongs to the other era (for example 1990 on a B.E. form, or 2533 on a
    C.E. form) is refused with a message that names the confusion rather than
    silently shifted by 543 years.
    """
    m = _DATE_RE.match(text or "")
    if not m:
        raise DateInputError("รูปแบบวันที่ต้องเป็น วว/ดด/ปปปป", "Date must be dd/mm/yyyy")
    a, b, c = (int(x) for x in m.groups())
    if len(m.group(1)) == 4:
        year, month, day = a, b, c
    else:
        day, month, year = a, b, c
    if year < 100:
        raise DateInputError("กรุณาระบุปีเป็นตัวเลข 4 หลัก", "Please give a 4-digit year")
    if era == "BE":
        if year < 2400:
            raise DateInputError(
                f"ปี {year} ดูเหมือนเป็นปี ค.ศ. กรุณาระบุปี พ.ศ. เช่น {year + BE_OFFSET}",
                f"Year {year} looks like C.E.; please give the B.E. year, e.g. {year + BE_OFFSET}",
            )
        year = to_ce_year(year)
    else:
        if year > 2400:
            raise DateInputError(
                f"ปี {year} ดูเหมือนเป็นปี พ.ศ. กรุณาระบุปี ค.ศ. เช่น {year - BE_OFFSET}",
                f"Year {year} looks like B.E.; please give the C.E. year, e.g. {year - BE_OFFSET}",
            )
    try:
        result = date(year, month, day)
    except ValueError:
        raise DateInputError("ไม่มีวันที่นี้ในปฏิทิน", "This date does not exist in the calendar") from None
    if today is not None and result > today:
        raise DateInputError("วันที่ต้องไม่อยู่ในอนาคต", "Date cannot be in the future")
    return result
