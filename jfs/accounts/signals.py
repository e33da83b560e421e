"""Audit events for what happens around sign-in and in the admin:

- a lockout (django-axes' ``user_locked_out``): who, from which address is in the event's ip;
- every change an administrator saves in /admin/ (Django writes a LogEntry for each addition,
  change and deletion): the model, the object and the names of the changed fields, never values.
"""

from __future__ import annotations

import json
from typing import Any

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save
from django.dispatch import receiver

from jfs.accounts.models import User
from jfs.audit.services import record

ADMIN_ACTIONS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


@receiver(user_locked_out)
def audit_lockout(sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None,
                  **kwargs: Any) -> None:
    user = User.objects.filter(username=username or "").first()
    record("account_locked", object_type="user", object_id=str(user.pk) if user else "",
           details={"user": (username or "")[:150], "known_account": user is not None},
           ip=ip_address or None)


def _changed_fields(message: str) -> list[str]:
    """Field names from a LogEntry's JSON change message ([{"changed": {"fields": [...]}}])."""
    try:
        parts = json.loads(message or "[]")
    except ValueError:
        return []
    fields: list[str] = []
    for part in parts if isinstance(parts, list) else []:
        for body in part.values() if isinstance(part, dict) else []:
            if isinstance(body, dict):
                fields.extend(str(f) for f in body.get("fields", []))
    return fields


@receiver(post_save, sender=LogEntry)
def audit_admin_change(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    ct = instance.content_type
    record("admin_change", actor=instance.user, object_type=f"{ct.app_label}.{ct.model}" if ct else "",
           object_id=str(instance.object_id or "")[:64],
           details={"change": ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
                    "fields": _changed_fields(instance.change_message)})
