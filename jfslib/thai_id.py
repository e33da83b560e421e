"""Thai 13-digit national ID numbers: check digit, registration rules, masking.

d13 = (11 - sum(d_i * (14 - i) for i in 1..12) mod 11) mod 10.

A correct check digit is not enough: the registry (กรมการปกครอง) issues numbers by person
category (digit 1) and registration office (digits 2–5, digits 2–3 a province code), so
some numbers are never issued. ``CATEGORIES`` holds those rules as data, each with the
source it was taken from and whether it was checked against a primary source
(``confirmed``). IDs that begin with 0 (people without Thai registration status) and
those of people without Thai nationality (categories 6, 7, 8) are valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jfslib.bilingual import BilingualValueError

_NON_DIGITS = re.compile(r"[\s\-]")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _ascii_digits(value: str) -> bool:
    # str.isdigit() alone accepts "²" and other characters int() cannot read
    return value.isascii() and value.isdigit()


class InvalidNationalID(BilingualValueError):
    """Raised when a national ID is not valid."""


#: where the category rules come from. No primary text of กรมการปกครอง (DOPA) on the
#: numbering was found; these government and public pages restate it. Until a DOPA
#: circular is on file every rule below is ``confirmed=False``.
SOURCE_EGA = (
    "สพร. (สำนักงานพัฒนารัฐบาลดิจิทัล) “เลข 13 หลักในบัตรประชาชนสำคัญฉันใด” 12 ก.พ. 2562 "
    "https://www.egov.go.th/th/content/817/78/ ; มาตรฐานข้อมูล CitizenID กระทรวงการพัฒนาสังคมฯ "
    "https://datastandard.m-society.go.th/datatable/index/1 (อ้างความหมายจากกรมการปกครอง)"
)
SOURCE_NO_STATUS = (
    "ประเภท 0 (บุคคลที่ไม่มีสถานะทางทะเบียน, นักเรียนที่ไม่มีหลักฐานทางทะเบียน): "
    "https://www.gotoknow.org/posts/643736 (เลขกลุ่มหลักที่ 6–7 ของเลข 6, 8 และ 0) ; "
    "https://th.wikipedia.org/wiki/เลขประจำตัวประชาชนไทย"
)
SOURCE_NINE = (
    "https://th.wikipedia.org/wiki/เลขประจำตัวประชาชนไทย : เลขที่ขึ้นต้นด้วย 9 สงวนไว้สำหรับบุคคลที่ได้รับยกเว้น "
    "(พ.ร.บ.การทะเบียนราษฎร พ.ศ. 2534 ม.16, กฎกระทรวง ฉบับที่ 4 (พ.ศ. 2535)) ไม่ออกให้บุคคลทั่วไป"
)
#: digits 2–3 of a category 1–8 number: the Ministry of the Interior's province codes,
#: 10 (Bangkok) to 96 (Narathiwat); not every code in between is a province
PROVINCE_CODES = range(10, 97)


@dataclass(frozen=True)
class Category:
    """What digit 1 of a national ID says about the person, and which numbers exist."""

    digit: str
    th: str
    en: str
    #: the registry issues numbers beginning with this digit
    issued: bool
    #: digits 2–3 are the province code (10–96) of the registration office that issued the number
    province_office: bool
    #: digits 2–12 may not all be zero (a number with no office and no running number); for
    #: categories 1–8 the province rule already refuses it
    nonzero_body: bool
    source: str
    #: checked against a primary source (a DOPA regulation or circular)
    confirmed: bool


CATEGORIES: dict[str, Category] = {c.digit: c for c in (
    Category("0", "บุคคลที่ไม่มีสถานะทางทะเบียน (ไร้สัญชาติ นักเรียนที่ไม่มีหลักฐานทางทะเบียน แรงงานต่างด้าว)",
             "people without Thai registration status (stateless people, students without registration evidence, "
             "migrant workers)", True, False, True, SOURCE_NO_STATUS, False),
    Category("1", "คนสัญชาติไทยที่เกิดและแจ้งเกิดภายในกำหนด (ตั้งแต่ 1 ม.ค. 2527)",
             "Thai nationals born and registered on time (from 1 January 1984)", True, True, False, SOURCE_EGA, False),
    Category("2", "คนสัญชาติไทยที่เกิดและแจ้งเกิดเกินกำหนด (ตั้งแต่ 1 ม.ค. 2527)",
             "Thai nationals born and registered late (from 1 January 1984)", True, True, False, SOURCE_EGA, False),
    Category("3", "คนไทยและคนต่างด้าวที่มีชื่อในทะเบียนบ้านก่อน 31 พ.ค. 2527",
             "Thai people and registered aliens on house registers before 31 May 1984", True, True, False, SOURCE_EGA, False),
    Category("4", "คนไทยและคนต่างด้าวที่แจ้งย้ายเข้าโดยยังไม่มีเลขประจำตัวในสมัยเริ่มแรก",
             "Thai people and registered aliens who moved in without an ID number at the start (1984)",
             True, True, False, SOURCE_EGA, False),
    Category("5", "คนไทยที่ได้รับอนุมัติให้เพิ่มชื่อในทะเบียนบ้านภายหลัง (ตกสำรวจ หรือกรณีอื่น)",
             "Thai people added to a house register later (missed by the census or otherwise)",
             True, True, False, SOURCE_EGA, False),
    Category("6", "คนต่างด้าวที่อยู่ชั่วคราว ผู้เข้าเมืองโดยไม่ชอบด้วยกฎหมาย และผู้ที่ไม่มีสถานะทางทะเบียนตามกลุ่มที่กำหนด",
             "foreigners living in Thailand temporarily, people who entered unlawfully and listed groups without "
             "registration status", True, True, False, SOURCE_EGA, False),
    Category("7", "บุตรของบุคคลประเภท 6 ที่เกิดในประเทศไทย",
             "children of category 6 born in Thailand", True, True, False, SOURCE_EGA, False),
    Category("8", "คนต่างด้าวที่เข้าเมืองโดยชอบด้วยกฎหมาย ได้สัญชาติไทยหรือมีถิ่นที่อยู่ถาวร (หลังปี 2527)",
             "foreigners who entered lawfully and were naturalised or became permanent residents (after 1984)",
             True, True, False, SOURCE_EGA, False),
    Category("9", "ไม่มีการออกเลขที่ขึ้นต้นด้วย 9 ให้บุคคลทั่วไป (สงวนไว้)",
             "no number beginning with 9 is issued to the public (reserved)", False, False, True, SOURCE_NINE, False),
)}


def check_digit(first12: str) -> int:
    """Return the check digit for the first twelve digits of an ID."""
    if len(first12) != 12 or not _ascii_digits(first12):
        raise ValueError("need exactly 12 digits")
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def normalize(raw: str) -> str:
    """Strip spaces and dashes people type (1-2345-67890-12-3); Thai numerals become 0-9."""
    return _NON_DIGITS.sub("", (raw or "").translate(_THAI_DIGITS))


def has_valid_check_digit(raw: str) -> bool:
    """Thirteen digits whose last is the check digit of the others (the registry rules aside)."""
    value = normalize(raw)
    return len(value) == 13 and _ascii_digits(value) and check_digit(value[:12]) == int(value[12])


def is_valid(raw: str) -> bool:
    """Whether ``validate`` accepts the number: check digit and registration rules."""
    try:
        validate(raw)
    except InvalidNationalID:
        return False
    return True


def category(raw: str) -> Category | None:
    """The person category of a number (by its first digit), or None if it is not 13 digits."""
    value = normalize(raw)
    return CATEGORIES.get(value[0]) if len(value) == 13 and _ascii_digits(value) else None


def validate(raw: str) -> str:
    """Return the normalised ID or raise InvalidNationalID saying what is wrong, in Thai and English."""
    value = normalize(raw)
    if not _ascii_digits(value) or len(value) != 13:
        raise InvalidNationalID("เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก", "National ID must be 13 digits")
    if check_digit(value[:12]) != int(value[12]):
        raise InvalidNationalID(
            "เลขประจำตัวประชาชนไม่ถูกต้อง: หลักตรวจสอบไม่ตรง", "National ID check digit does not match"
        )
    cat = CATEGORIES[value[0]]
    if not cat.issued:
        raise InvalidNationalID(
            f"เลขประจำตัวประชาชนไม่มีการออกเลขที่ขึ้นต้นด้วย {cat.digit}",
            f"No national ID is issued beginning with {cat.digit}",
        )
    if cat.nonzero_body and not value[1:12].strip("0"):
        raise InvalidNationalID(
            f"เลขประจำตัวประชาชนไม่ถูกต้อง: เลขที่ขึ้นต้นด้วย {cat.digit} ต้องมีรหัสสำนักทะเบียนหรือเลขลำดับ "
            "หลักที่ 2–12 เป็นศูนย์ทั้งหมดไม่ได้",
            f"National ID is not valid: a number beginning with {cat.digit} needs an office or running number; "
            "digits 2–12 cannot all be zero",
        )
    if len(set(value[:12])) == 1:
        raise InvalidNationalID(
            "เลขประจำตัวประชาชนไม่ถูกต้อง: ตัวเลข 12 หลักแรกเหมือนกันทั้งหมด ไม่มีการออกเลขเช่นนี้",
            "National ID is not valid: its first 12 digits are all the same, which is never issued",
        )
    if cat.province_office and int(value[1:3]) not in PROVINCE_CODES:
        raise InvalidNationalID(
            f"เลขประจำตัวประชาชนไม่ถูกต้อง: หลักที่ 2–3 ({value[1:3]}) ต้องเป็นรหัสจังหวัด 10–96 "
            "ของสำนักทะเบียนที่ออกเลข",
            f"National ID is not valid: digits 2–3 ({value[1:3]}) must be the province code (10–96) of the "
            "registration office that issued it",
        )
    return value


_THIRTEEN_DIGITS = re.compile(r"\d{13}")


def contains_id(text: str) -> bool:
    """Whether text holds something that could be a national ID: thirteen digits in a row once
    spaces and dashes are taken out (valid or not: a mistyped ID is personal data too)."""
    return bool(_THIRTEEN_DIGITS.search(normalize(text)))


def mask(value: str) -> str:
    """Show only the first and last three digits: 1-xxxx-xxxxx-12-3 → 1-XXXX-XXXXX-X2-3 style."""
    v = normalize(value)
    if len(v) != 13:
        return "•" * len(v)
    return f"{v[0]}-XXXX-XXXXX-{v[10]}{v[11]}-{v[12]}"


def format_id(value: str) -> str:
    v = normalize(value)
    if len(v) != 13:
        return v
    return f"{v[0]}-{v[1:5]}-{v[5:10]}-{v[10:12]}-{v[12]}"


def make_valid(first12: str) -> str:
    """Append the check digit (used by synthetic data generators)."""
    return first12 + str(check_digit(first12))
