"""Administrators manage accounts, offices and closures in the Django admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from jfs.accounts.models import Office, OfficeClosure, User


@admin.register(User)
class JfsUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Justice Fund", {"fields": ("role", "office", "phone")}),)
    list_display = ("username", "first_name", "last_name", "role", "office", "is_active")
    list_filter = ("role", "office", "is_active")


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_th", "name_en", "is_central")
    search_fields = ("code", "name_th", "name_en")


@admin.register(OfficeClosure)
class OfficeClosureAdmin(admin.ModelAdmin):
    list_display = ("date", "office", "reason")
    list_filter = ("office",)
