"""Demo log-ins, one or more per role, all with the same password and TOTP secret.

Password: ``demo-password-2569``. TOTP secret (base32): ``GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ``
(add it to any authenticator app, or run ``manage.py demo_totp`` for the current code).
These accounts exist only when demo data is loaded; never in production.
"""

from __future__ import annotations

import base64

from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from jfs.accounts.models import CENTRAL_OFFICE_CODE, Office, User
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
    ("finance.cm", roles.FINANCE_OFFICER, CHIANG_MAI, "มาลี", "รอบคอบ"),
    ("officer.kk", roles.CASE_OFFICER, KHON_KAEN, "บุญมี", "ขยัน"),
    ("head.kk", roles.OFFICE_HEAD, KHON_KAEN, "สุรชัย", "เที่ยงตรง"),
    ("intake.central", roles.INTAKE_OFFICER, CENTRAL_OFFICE_CODE, "กมล", "ต้อนรับ"),
    ("officer.central", roles.CASE_OFFICER, CENTRAL_OFFICE_CODE, "ปิยะ", "ช่วยเหลือ"),
    ("head.central", roles.OFFICE_HEAD, CENTRAL_OFFICE_CODE, "วรรณา", "นำทาง"),
    ("secretary.central", roles.SUBCOMMITTEE_SECRETARY, CENTRAL_OFFICE_CODE, "จันทร์เพ็ญ", "เรียบร้อย"),
    ("finance.central", roles.FINANCE_OFFICER, CENTRAL_OFFICE_CODE, "ศักดิ์ชัย", "ตรงเวลา"),
    ("executive", roles.EXECUTIVE, CENTRAL_OFFICE_CODE, "ผู้บริหาร", "กองทุน"),
    ("auditor", roles.AUDITOR, CENTRAL_OFFICE_CODE, "ผู้ตรวจ", "สอบบัญชี"),
    ("steward", roles.DATA_STEWARD, CENTRAL_OFFICE_CODE, "ผู้ดูแล", "ข้อมูล"),
    ("admin", roles.ADMINISTRATOR, CENTRAL_OFFICE_CODE, "ผู้ดูแล", "ระบบ"),
    ("citizen", roles.CITIZEN, None, "สมศรี", "ประชาชน"),
]


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
            },
        )
        if created:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
            user.save()
            if role in roles.STAFF_ROLES:
                TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY_HEX, confirmed=True)
        users[username] = user
    return users
