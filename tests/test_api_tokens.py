"""API tokens expire, carry a scope (read, or read and write) and are never issued to citizens."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from time_machine import TimeMachineFixture

from jfs.accounts.models import ApiToken
from jfs.accounts.tokens import TokenRefused, grant_for, issue
from jfs.audit.models import AuditEvent
from jfs.core import clock
from tests.test_api_hardening import body, post_json

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> Client:
    return Client(headers={"authorization": f"Bearer {raw}"})


def test_a_read_token_reads_but_cannot_write(users: Any, make_request: Any) -> None:
    req = make_request()
    client = bearer(issue(users["officer.cm"], "dashboard", scope="read"))
    assert client.get("/api/v1/requests").status_code == 200
    assert client.get(f"/api/v1/requests/{req.pk}").status_code == 200
    for resp in (
        post_json(client, "/api/v1/requests", body()),
        client.patch(f"/api/v1/requests/{req.pk}", json.dumps({"version": 1, "details": {}}),
                     content_type="application/json"),
        post_json(client, f"/api/v1/requests/{req.pk}/transitions", {"action": "start_screening", "version": 1}),
    ):
        assert resp.status_code == 403
        out = resp.json()
        assert out["code"] == "insufficient_scope" and out["message_th"] and out["message_en"]
    req.refresh_from_db()
    assert req.version == 1


def test_a_write_token_writes(users: Any) -> None:
    client = bearer(issue(users["intake.cm"], "intake tool", scope="write"))
    assert post_json(client, "/api/v1/requests", body()).status_code == 201


def test_an_expired_token_is_401(users: Any, time_machine: TimeMachineFixture) -> None:
    issued = clock.now()
    raw = issue(users["officer.cm"], "old", days=1)
    assert bearer(raw).get("/api/v1/requests").status_code == 200
    time_machine.move_to(issued + timedelta(days=1, seconds=1))  # a day later
    assert bearer(raw).get("/api/v1/requests").status_code == 401
    assert grant_for(raw) is None


def test_tokens_are_never_issued_to_citizens(users: Any) -> None:
    with pytest.raises(TokenRefused):
        issue(users["citizen"], "mine")
    with pytest.raises(CommandError):
        call_command("issue_token", "citizen", "--name", "mine")
    assert not ApiToken.objects.exists()


def test_a_citizen_token_made_behind_the_services_back_is_still_refused(users: Any) -> None:
    raw = issue(users["officer.cm"], "x")
    ApiToken.objects.update(user=users["citizen"])
    assert bearer(raw).get("/api/v1/requests").status_code == 401


@pytest.mark.parametrize("days", [0, -1, 366, 10_000])
def test_a_token_lifetime_is_bounded(users: Any, days: int) -> None:
    with pytest.raises(TokenRefused):
        issue(users["officer.cm"], "x", days=days)


def test_the_command_issues_with_scope_and_lifetime_and_is_audited(users: Any) -> None:
    out = StringIO()
    call_command("issue_token", "officer.cm", "--name", "partner", "--scope", "write", "--days", "7", stdout=out)
    raw = out.getvalue().strip()
    grant = grant_for(raw)
    assert grant is not None and grant.scope == "write"
    tok = ApiToken.objects.get()
    assert round((tok.expires_at - tok.created_at).total_seconds() / 86400) == 7
    assert AuditEvent.objects.filter(action="api_token_issued", object_id=str(tok.pk)).exists()
    assert raw not in json.dumps(list(AuditEvent.objects.values("details")), default=str)


def test_the_default_token_is_read_only(users: Any) -> None:
    grant = grant_for(issue(users["officer.cm"], "x"))
    assert grant is not None and grant.scope == "read"
