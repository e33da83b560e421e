"""What administrators keep in /admin/: accounts, offices, office closures and API tokens.

- No page shows or exports a TOTP secret: a lost or compromised authenticator is replaced by
  issuing an activation code (the person enrols a new app; the old device is removed then).
- Lockouts are lifted here; every change saved here is audited (``jfs.accounts.signals``).
- API tokens are issued here (shown once), listed and revoked; never for citizen accounts.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from jfs.accounts import enrolment, tokens
from jfs.accounts.models import SCOPE_CHOICES, ApiToken, Office, OfficeClosure, User
from jfs.core.templatetags.thai import be_datetime
from jfslib import roles, thai_phone


class JfsUserChangeForm(UserChangeForm):
    """A staff member's phone is stored like an applicant's: a Thai number in E.164 (+66812345678)."""

    def clean_phone(self) -> str:
        try:
            return thai_phone.to_e164(self.cleaned_data.get("phone") or "")
        except thai_phone.InvalidPhone as exc:
            raise forms.ValidationError(f"{exc.th} · {exc.en}") from None


@admin.register(User)
class JfsUserAdmin(UserAdmin):
    form = JfsUserChangeForm
    fieldsets = UserAdmin.fieldsets + (("Justice Fund", {"fields": ("role", "office", "phone")}),)  # type: ignore[operator]
    list_display = ("username", "first_name", "last_name", "role", "office", "is_active", "authenticator", "locked_out")
    list_filter = ("role", "office", "is_active")
    actions = ["issue_activation_code", "lift_lockout"]

    @admin.display(description="แอปยืนยันตัวตน · Authenticator", boolean=True)
    def authenticator(self, obj: User) -> bool:
        return TOTPDevice.objects.filter(user=obj, confirmed=True).exists()

    @admin.display(description="ถูกระงับ · Locked out", boolean=True)
    def locked_out(self, obj: User) -> bool:
        return AccessAttempt.objects.filter(username=obj.username,
                                            failures_since_start__gte=settings.AXES_FAILURE_LIMIT).exists()

    @admin.action(description="ออกรหัสเปิดใช้งาน (ตั้งค่าแอปยืนยันตัวตนใหม่) · Issue an activation code")
    def issue_activation_code(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                code = enrolment.issue_code(issuer=request.user, user=user)  # type: ignore[arg-type]
            except enrolment.EnrolmentRefused as exc:
                self.message_user(request, f"{user.username}: {exc}", messages.ERROR)
                continue
            self.message_user(
                request,
                f"{user.username}: รหัสเปิดใช้งาน · activation code {code} "
                f"(ใช้ได้ครั้งเดียว {settings.JFS_ACTIVATION_HOURS} ชม. แสดงครั้งเดียว · once, "
                f"{settings.JFS_ACTIVATION_HOURS} h, shown only now)",
                messages.WARNING,
            )

    @admin.action(description="ปลดการระงับการเข้าสู่ระบบ · Lift the lockout")
    def lift_lockout(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            cleared = enrolment.lift_lockout(by=request.user, user=user)  # type: ignore[arg-type]
            self.message_user(request, f"{user.username}: {cleared} รายการถูกล้าง · attempts cleared")


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_th", "name_en", "is_central")
    search_fields = ("code", "name_th", "name_en")


@admin.register(OfficeClosure)
class OfficeClosureAdmin(admin.ModelAdmin):
    list_display = ("date", "office", "reason")
    list_filter = ("office",)


class ApiTokenForm(forms.ModelForm):
    days = forms.IntegerField(min_value=1, max_value=settings.JFS_API_TOKEN_MAX_DAYS,
                              initial=settings.JFS_API_TOKEN_DAYS, label="อายุ (วัน) · Lifetime (days)")
    scope = forms.ChoiceField(choices=SCOPE_CHOICES, initial="read")

    class Meta:
        model = ApiToken
        fields = ("user", "name", "scope")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(role__in=roles.STAFF_ROLES, is_active=True)  # type: ignore[attr-defined]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed (prefix only) and revoked; a new one is shown once after it is added."""

    list_display = ("name", "user", "prefix", "scope", "created", "expires", "last_used", "revoked")
    list_filter = ("scope",)
    search_fields = ("name", "user__username", "prefix")
    actions = ["revoke"]
    form = ApiTokenForm
    readonly_fields = ("user", "name", "prefix", "scope", "created", "expires", "last_used", "revoked", "revoked_by")

    # dates in the Buddhist era, as everywhere else in the system
    @admin.display(description="ออกเมื่อ · Issued", ordering="created_at")
    def created(self, obj: ApiToken) -> str:
        return be_datetime(obj.created_at)

    @admin.display(description="หมดอายุ · Expires", ordering="expires_at")
    def expires(self, obj: ApiToken) -> str:
        return be_datetime(obj.expires_at)

    @admin.display(description="ใช้ล่าสุด · Last used", ordering="last_used_at")
    def last_used(self, obj: ApiToken) -> str:
        return be_datetime(obj.last_used_at)

    @admin.display(description="เพิกถอนเมื่อ · Revoked", ordering="revoked_at")
    def revoked(self, obj: ApiToken) -> str:
        return be_datetime(obj.revoked_at)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return self.readonly_fields if obj else ()

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return self.readonly_fields if obj else ("user", "name", "scope", "days")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a token is never edited: revoke it and issue another

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # kept for the record; revoked instead

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        data = form.cleaned_data
        raw, saved = tokens.create(data["user"], data["name"], scope=data["scope"], days=data["days"],
                                   issued_by=request.user)  # type: ignore[arg-type]
        obj.pk, obj.created_at, obj.expires_at = saved.pk, saved.created_at, saved.expires_at
        self.message_user(request, f"โทเค็น (แสดงครั้งเดียว) · token, shown only now: {raw}", messages.WARNING)

    @admin.action(description="เพิกถอนโทเค็น · Revoke")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        done = sum(tokens.revoke(tok, by=request.user) for tok in queryset.select_related("user"))  # type: ignore[arg-type]
        self.message_user(request, f"เพิกถอน {done} โทเค็น · {done} revoked")
