"""Citizens' sign-in on the portal: the state digital ID (verified claims, high assurance) and
one-time codes by SMS or e-mail (the address is proved, not the person: lower assurance).

Every sign-in and every refusal is audited with masked identifiers only (never a whole national
ID, phone number, e-mail address or code).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.crypto import salted_hmac

from jfs.accounts.models import User
from jfs.audit.services import record
from jfs.citizens.errors import CodeRefused, SignInRefused, StaffAccount
from jfs.citizens.models import DIGITAL_ID, EMAIL, ONE_TIME_CODE, SMS, CitizenProfile, OneTimeCode
from jfs.core import clock
from jfs.notify import services as notify
from jfslib import roles, thai_id

#: the claims kept from the digital ID (ThaID-style names; docs/portal-sign-in.md): "verified"
VERIFIED_CLAIMS = (
    "sub",
    "pid",
    "title",
    "given_name",
    "family_name",
    "name",
    "birthdate",
    "address",
    "gender",
    "title_en",
    "given_name_en",
    "family_name_en",
    "name_en",
)
CODE_SALT = "jfs.citizens.one_time_code"


def mask_address(channel: str, address: str) -> str:
    """A phone number or e-mail address for the audit log: never the whole of it."""
    if channel == EMAIL and "@" in address:
        local, domain = address.rsplit("@", 1)
        return f"{local[:1]}***@{domain}"
    return f"***{address[-3:]}" if len(address) > 5 else "***"


def audit_refusal(method: str, reason: str, **masked: str) -> None:
    """A refused sign-in (wrong state, nonce, audience, expired token, wrong code…), with masked identifiers only."""
    record(
        "citizen_sign_in_refused", object_type="citizen_sign_in", details={"method": method, "reason": reason, **masked}
    )


def _touch(profile: CitizenProfile, assurance: str, now: datetime) -> None:
    profile.assurance = assurance
    profile.last_sign_in_at = now


def _account_refusal(user: User) -> SignInRefused | None:
    """Why this account may not sign in on the portal (a staff or a suspended account), else None."""
    if user.role != roles.CITIZEN:
        return StaffAccount(
            "บัญชีนี้เป็นบัญชีเจ้าหน้าที่ กรุณาเข้าสู่ระบบที่หน้าสำหรับเจ้าหน้าที่",
            "This is a staff account: please sign in on the staff sign-in page",
            reason="staff_account",
        )
    if not user.is_active:
        return SignInRefused(
            "บัญชีนี้ถูกระงับ กรุณาติดต่อสายด่วน 1111 กด 77",
            "This account is suspended: call 1111 ext. 77",
            reason="inactive_account",
        )
    return None


def _refuse_staff(user: User, method: str) -> None:
    refused = _account_refusal(user)
    if refused is not None:
        audit_refusal(method, refused.reason)
        raise refused


def _new_citizen(username_seed: str, prefix: str, **fields: Any) -> User:
    username = f"{prefix}-{hashlib.sha256(username_seed.encode()).hexdigest()[:20]}"
    user = User(username=username, role=roles.CITIZEN, **fields)
    user.set_unusable_password()  # a citizen signs in by the digital ID or a code, never a password
    user.save()
    return user


# --------------------------------------------------------------------------- the state digital ID


def sign_in_with_digital_id(claims: Mapping[str, Any], *, issuer: str) -> User:
    """The citizen the digital ID vouched for (``claims`` already verified by ``jfs.citizens.digital_id``):
    found by the digital ID's subject, else by the national ID it verified earlier, else created.
    Their names and national ID come from the claims, kept on the profile as verified."""
    sub = str(claims.get("sub") or "")
    try:
        pid = thai_id.validate(str(claims.get("pid") or ""))
    except thai_id.InvalidNationalID:
        audit_refusal(DIGITAL_ID, "invalid_pid")
        raise SignInRefused(
            "ข้อมูลจากแอป ThaID ไม่มีเลขประจำตัวประชาชนที่ถูกต้อง",
            "The digital ID did not give a valid national ID",
            reason="invalid_pid",
        ) from None
    if not sub:
        audit_refusal(DIGITAL_ID, "no_subject")
        raise SignInRefused("ข้อมูลจากแอป ThaID ไม่ครบ", "The digital ID's answer is incomplete", reason="no_subject")
    subject = f"{issuer}|{sub}"
    now = clock.now()
    profile = CitizenProfile.objects.select_related("user").filter(digital_id_subject=subject).first()
    user = profile.user if profile else User.objects.filter(national_id=pid).order_by("pk").first()
    if user is not None:
        _refuse_staff(user, DIGITAL_ID)  # audited before anything is written
    with transaction.atomic():
        if user is None:
            user = _new_citizen(subject, "thaid")
        user.national_id = pid
        user.first_name = str(claims.get("given_name") or user.first_name)[:150]
        user.last_name = str(claims.get("family_name") or user.last_name)[:150]
        user.save(update_fields=["national_id", "first_name", "last_name"])
        profile = profile or CitizenProfile.objects.get_or_create(user=user)[0]
        profile.digital_id_subject = subject
        profile.verified_claims = {k: claims[k] for k in VERIFIED_CLAIMS if k in claims}
        profile.verified_at = now
        _touch(profile, DIGITAL_ID, now)
        profile.save()
        record(
            "citizen_sign_in",
            actor=user,
            object_type="user",
            object_id=str(user.pk),
            details={"method": DIGITAL_ID, "assurance": DIGITAL_ID, "national_id": thai_id.mask(pid)},
        )
    return user


# --------------------------------------------------------------------------- one-time codes


@dataclass(frozen=True)
class CodeSent:
    """What the code-entry page needs: which code to check, where it went (masked), until when."""

    code_id: int
    channel: str
    masked_address: str
    expires_at: datetime


def normalise_address(channel: str, address: str) -> str:
    """A Thai mobile number in E.164 (SMS) or an e-mail address in lower case; CodeRefused otherwise."""
    try:
        if channel == SMS:
            return notify.normalise_mobile(address, field="address")
        if channel == EMAIL:
            return notify.normalise_email(address, field="address").lower()
    except notify.InvalidChannel as exc:
        raise CodeRefused(exc.th, exc.en, reason="invalid_address", field="address") from None
    raise CodeRefused(
        "ส่งรหัสได้ทาง SMS หรืออีเมลเท่านั้น", "A code is sent by SMS or e-mail only", reason="invalid_channel", field="channel"
    )


def _code_hash(address: str, code: str) -> str:
    return salted_hmac(CODE_SALT, f"{address}|{code}", algorithm="sha256").hexdigest()


def _lock_address(channel: str, address: str) -> None:
    """Requests for codes to one address take turns until their transaction ends, so the hourly
    limit is counted and kept together. PostgreSQL: a transaction-level advisory lock on the address
    (a row lock cannot lock the code that does not exist yet; the lock's key is a digest, not the
    address). SQLite: its transactions here begin IMMEDIATE (config/settings.py), one writer at a time."""
    if connection.vendor == "postgresql":
        digest = hashlib.sha256(f"{channel}:{address}".encode()).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["jfs.one_time_code:" + digest])


def start_one_time_code(channel: str, address: str) -> CodeSent:
    """Send a new 6-digit code to a Thai mobile number (SMS) or an e-mail address, within the
    limit of codes per address per hour (counted under a lock on the address: requests at the
    same moment cannot both take the last code)."""
    address = normalise_address(channel, address)
    masked = mask_address(channel, address)
    now = clock.now()
    minutes = settings.ONE_TIME_CODE_MINUTES
    code = f"{secrets.randbelow(10**6):06d}"
    otc: OneTimeCode | None = None
    with transaction.atomic():
        _lock_address(channel, address)
        recent = OneTimeCode.objects.filter(channel=channel, address=address, created_at__gt=now - timedelta(hours=1))
        if recent.count() < settings.ONE_TIME_CODES_PER_HOUR:
            otc = OneTimeCode.objects.create(
                channel=channel,
                address=address,
                code_hash=_code_hash(address, code),
                created_at=now,
                expires_at=now + timedelta(minutes=minutes),
            )
            notify.send_code(
                channel=channel,
                address=address,
                text=f"รหัสเข้าสู่ระบบบริการออนไลน์กองทุนยุติธรรม: {code} (ใช้ได้ {minutes} นาที ห้ามบอกรหัสนี้แก่ผู้ใด)",
                text_en=f"Justice Fund online services sign-in code: {code} (valid {minutes} minutes; never share it)",
            )
            record(
                "citizen_code_sent",
                object_type="one_time_code",
                object_id=str(otc.pk),
                details={"channel": channel, "address": masked},
            )
    if otc is None:
        audit_refusal(ONE_TIME_CODE, "too_many_codes", address=masked)
        raise CodeRefused(
            "ขอรหัสบ่อยเกินไป กรุณารอประมาณ 1 ชั่วโมงแล้วลองใหม่ หรือโทรสายด่วน 1111 กด 77",
            "Too many codes asked for: please wait about an hour and try again, or call 1111 ext. 77",
            reason="too_many_codes",
            field="address",
        )
    return CodeSent(otc.pk, channel, masked, otc.expires_at)


def _code_refusal(reason: str, remaining: int = 0) -> CodeRefused:
    texts = {
        "unknown_code": ("ไม่พบรหัสที่ขอ กรุณาขอรหัสใหม่", "No code was asked for: please ask for a new one"),
        "code_used": ("รหัสนี้ใช้ไปแล้ว กรุณาขอรหัสใหม่", "This code was already used: please ask for a new one"),
        "code_expired": ("รหัสหมดอายุแล้ว กรุณาขอรหัสใหม่", "This code has expired: please ask for a new one"),
        "too_many_attempts": ("กรอกรหัสผิดหลายครั้งเกินไป กรุณาขอรหัสใหม่", "Too many wrong tries: please ask for a new code"),
        "malformed_code": ("กรุณากรอกรหัสตัวเลข 6 หลัก", "Enter the 6-digit code"),
    }
    if reason == "wrong_code":
        return CodeRefused(
            f"รหัสไม่ถูกต้อง กรอกได้อีก {remaining} ครั้ง",
            f"The code is not right: {remaining} tries left",
            reason=reason,
            field="code",
        )
    th, en = texts[reason]
    return CodeRefused(th, en, reason=reason, field="code")


def verify_one_time_code(code_id: int, code: str) -> User:
    """The citizen account of the address the code went to (made on first use, without a national
    ID), if the code is right, unexpired, unused and not tried too often; CodeRefused otherwise."""
    typed = "".join(code.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")).split())
    if len(typed) != 6 or not (typed.isascii() and typed.isdigit()):
        raise _code_refusal("malformed_code")
    now = clock.now()
    limit = settings.ONE_TIME_CODE_ATTEMPTS
    refusal, masked, user = "", "", None
    refused_account: SignInRefused | None = None
    with transaction.atomic():
        otc = OneTimeCode.objects.select_for_update().filter(pk=code_id).first()
        if otc is None:
            refusal = "unknown_code"
        else:
            masked = mask_address(otc.channel, otc.address)
            if otc.used_at is not None:
                refusal = "code_used"
            elif otc.expires_at <= now:
                refusal = "code_expired"
            elif otc.attempts >= limit:
                refusal = "too_many_attempts"
            elif not hmac.compare_digest(otc.code_hash, _code_hash(otc.address, typed)):
                otc.attempts += 1
                otc.save(update_fields=["attempts"])
                refusal = "wrong_code"
            else:
                otc.used_at = now
                otc.save(update_fields=["used_at"])
                try:
                    user = _citizen_for_address(otc.channel, otc.address, now)
                except SignInRefused as exc:  # a staff or suspended account: audited below, once committed
                    refused_account = exc
                else:
                    record(
                        "citizen_sign_in",
                        actor=user,
                        object_type="user",
                        object_id=str(user.pk),
                        details={
                            "method": ONE_TIME_CODE,
                            "assurance": ONE_TIME_CODE,
                            "channel": otc.channel,
                            "address": masked,
                        },
                    )
    if refused_account is not None:  # outside the block: a refusal inside it would roll its audit back
        audit_refusal(ONE_TIME_CODE, refused_account.reason, address=masked)
        raise refused_account
    if refusal or user is None:
        audit_refusal(ONE_TIME_CODE, refusal, **({"address": masked} if masked else {}))
        raise _code_refusal(refusal, limit - otc.attempts if otc else 0)
    return user


def _citizen_for_address(channel: str, address: str, now: datetime) -> User:
    key = f"{channel}:{address}"
    profile = CitizenProfile.objects.select_related("user").filter(code_address=key).first()
    if profile is None:
        fields = {"phone": address} if channel == SMS else {"email": address}
        user = _new_citizen(key, channel, **fields)
        profile = CitizenProfile.objects.create(
            user=user,
            code_address=key,
            contact_phone=address if channel == SMS else "",
            contact_email=address if channel == EMAIL else "",
        )
    refused = _account_refusal(profile.user)
    if refused is not None:
        raise refused  # audited by the caller, outside its transaction
    _touch(profile, ONE_TIME_CODE, now)
    profile.save(update_fields=["assurance", "last_sign_in_at"])
    return profile.user
