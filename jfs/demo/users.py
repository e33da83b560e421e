"""Demo log-ins, one or more per role, all with the same password and TOTP secret.

Password: ``demo-password-2569``. TOTP secret (base32): ``GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ``
(add it to any authenticator app, or run ``manage.py demo_totp`` for the current code).
These accounts exist only when demo data is loaded; never in production.
"""

from __future__ import annotations

import base64
from datetime import date

from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from jfs.accounts.models import CENTRAL_OFFICE_CODE, Office, User
from jfs.decisions.models import Committee, Membership
from jfs.decisions.services import ensure_committees
from jfslib import roles

DEMO_PASSWORD = "demo-password-2569"
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"
DEMO_TOTP_BASE32 = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode()

CHIANG_MAI = "50"
KHON_KAEN = "40"

#: username, role, office code, first name, last name
DEMO_USERS: list[tuple[str, str, str | None, str, str]] = [
    ("intake.cm", roles.INTAKE_OFFICER, CHIANG_MAI, "สมหญิง", "ใจดี"),
    ("officer.cm", roles.CASE_OFFICER, CHIANG_MAI, "สมชาย", "รักงาน"),
    ("officer2.cm", roles.CASE_OFFICER, CHIANG_MAI, "วิภา", "ตั้งใจ"),
    ("head.cm", roles.OFFICE_HEAD, CHIANG_MAI, "ประเสริฐ", "มั่นคง"),
    ("secretary.cm", roles.SUBCOMMITTEE_SECRETARY, CHIANG_MAI, "อรุณี", "บันทึกดี"),
    ("member.cm", roles.SUBCOMMITTEE_MEMBER, CHIANG_MAI, "ธนา", "ยุติธรรม"),
    ("member2.cm", roles.SUBCOMMITTEE_MEMBER, CHIANG_MAI, "นงลักษณ์", "ธรรมดี"),
    ("member3.cm", roles.SUBCOMMITTEE_MEMBER, CHIANG_MAI, "ชาญ", "ชอบธรรม"),
    ("chair.cm", roles.SUBCOMMITTEE_CHAIR, CHIANG_MAI, "ประยูร", "เป็นกลาง"),
    ("finance.cm", roles.FINANCE_OFFICER, CHIANG_MAI, "มาลี", "รอบคอบ"),
    ("officer.kk", roles.CASE_OFFICER, KHON_KAEN, "บุญมี", "ขยัน"),
    ("head.kk", roles.OFFICE_HEAD, KHON_KAEN, "สุรชัย", "เที่ยงตรง"),
    ("intake.central", roles.INTAKE_OFFICER, CENTRAL_OFFICE_CODE, "กมล", "ต้อนรับ"),
    ("officer.central", roles.CASE_OFFICER, CENTRAL_OFFICE_CODE, "ปิยะ", "ช่วยเหลือ"),
    ("head.central", roles.OFFICE_HEAD, CENTRAL_OFFICE_CODE, "วรรณา", "นำทาง"),
    ("secretary.central", roles.SUBCOMMITTEE_SECRETARY, CENTRAL_OFFICE_CODE, "จันทร์เพ็ญ", "เรียบร้อย"),
    ("finance.central", roles.FINANCE_OFFICER, CENTRAL_OFFICE_CODE, "ศักดิ์ชัย", "ตรงเวลา"),
    ("chair.central", roles.SUBCOMMITTEE_CHAIR, CENTRAL_OFFICE_CODE, "สมพงษ์", "รอบรู้"),
    ("member.central", roles.SUBCOMMITTEE_MEMBER, CENTRAL_OFFICE_CODE, "ดารณี", "สุจริต"),
    ("member2.central", roles.SUBCOMMITTEE_MEMBER, CENTRAL_OFFICE_CODE, "เกียรติ", "มั่นธรรม"),
    ("chair.board", roles.SUBCOMMITTEE_CHAIR, CENTRAL_OFFICE_CODE, "วิชัย", "ประธานกองทุน"),
    ("executive", roles.EXECUTIVE, CENTRAL_OFFICE_CODE, "ผู้บริหาร", "กองทุน"),
    ("auditor", roles.AUDITOR, CENTRAL_OFFICE_CODE, "ผู้ตรวจ", "สอบบัญชี"),
    ("steward", roles.DATA_STEWARD, CENTRAL_OFFICE_CODE, "ผู้ดูแล", "ข้อมูล"),
    ("admin", roles.ADMINISTRATOR, CENTRAL_OFFICE_CODE, "ผู้ดูแล", "ระบบ"),
    ("citizen", roles.CITIZEN, None, "สมศรี", "ประชาชน"),
]


#: the demo citizen's national ID: the digital-ID simulator (oidc_sim) knows her by it, so signing in
#: with the digital ID lands in this account (docs/portal-sign-in.md)
DEMO_CITIZEN_NATIONAL_ID = "1509900123453"


def ensure_demo_users() -> dict[str, User]:
    offices = {o.code: o for o in Office.objects.all()}
    users: dict[str, User] = {}
    hashed = ""  # one (slow, salted) hash shared by every demo account: they share the password anyway
    for username, role, office_code, first, last in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role, "office": offices.get(office_code) if office_code else None,
                "first_name": first, "last_name": last,
                "is_staff": role == roles.ADMINISTRATOR, "is_superuser": role == roles.ADMINISTRATOR,
                "national_id": DEMO_CITIZEN_NATIONAL_ID if role == roles.CITIZEN else "",
            },
        )
        if created:
            if role == roles.CITIZEN:
                # a citizen never signs in with a password: the digital ID (its simulator's password is
                # the demo password) or a one-time code
                user.set_unusable_password()
            else:
                hashed = hashed or make_password(DEMO_PASSWORD)
                user.password = hashed
            user.save()
            if role in roles.STAFF_ROLES:
                TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY_HEX, confirmed=True)
        users[username] = user
    return users


#: who sits where in the demo: Chiang Mai's subcommittee, the central subcommittees and the Justice
#: Fund Committee (username, position); the other provinces' subcommittees have no demo members
DEMO_SEATS: dict[str, list[tuple[str, str]]] = {
    "P50": [("chair.cm", "chair"), ("member.cm", "member"), ("member2.cm", "member"), ("member3.cm", "member"),
            ("secretary.cm", "secretary")],
    **{code: [("chair.central", "chair"), ("member.central", "member"), ("member2.central", "member"),
              ("secretary.central", "secretary")] for code in ("C-AID", "C-HR", "C-PROJECT")},
    "BOARD": [("chair.board", "chair"), ("member.central", "member"), ("member2.central", "member"),
              ("secretary.central", "secretary")],
}


def ensure_demo_seats(since: date) -> int:
    """The committees (``ensure_committees``) and the demo members' seats on them, from ``since``."""
    ensure_committees()
    users = {u.username: u for u in User.objects.filter(username__in=[n for seats in DEMO_SEATS.values() for n, _ in seats])}
    made = 0
    for code, seats in DEMO_SEATS.items():
        committee = Committee.objects.get(code=code)
        for username, position in seats:
            _, created = Membership.objects.get_or_create(committee=committee, user=users[username],
                                                          defaults={"position": position, "since": since})
            made += created
    return made
