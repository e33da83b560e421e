"""Read-only admin views of registry checks and circuit states (they are written only by services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from jfs.exchange.models import RegistryCheck, RegistryCircuit


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(RegistryCheck)
class RegistryCheckAdmin(ReadOnly):
    list_display = ("request", "kind", "registry", "status", "last_error", "attempts", "checked_at", "next_attempt_at")
    list_filter = ("status", "kind", "registry")
    search_fields = ("request__number",)


@admin.register(RegistryCircuit)
class RegistryCircuitAdmin(ReadOnly):
    list_display = ("registry", "consecutive_failures", "opened_until", "probe_until", "updated_at")
