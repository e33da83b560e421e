"""Concurrent writers on PostgreSQL (SQLite serialises writers, so these run on PostgreSQL only):
two first registrations of the same national ID at the same moment make one person, and a
correction racing a registration of the same person finishes without a deadlock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from jfs.cases import services
from jfs.cases.models import Person, Request
from tests.conftest import DETAILS, applicant_input

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row and advisory locks are PostgreSQL's"),
]


def run_together(*jobs: Callable[[], Any]) -> list[BaseException]:
    """Start the jobs in threads at the same moment; return what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[], Any]) -> None:
        try:
            start.wait()
            job()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return errors


def test_two_first_registrations_of_one_id_make_one_person(users: Any, offices: Any, monkeypatch: Any) -> None:
    create = Person.objects.create

    def slow_create(**values: Any) -> Person:
        time.sleep(0.3)  # widen the gap between "no such person" and the insert
        return create(**values)

    monkeypatch.setattr(Person.objects, "create", slow_create)
    applicant = applicant_input()

    def register(username: str) -> None:
        services.create_request(actor=users[username], service="LIT", office=offices["50"],
                                applicant=applicant, details=DETAILS["LIT"])

    assert run_together(lambda: register("intake.cm"), lambda: register("officer.cm")) == []
    assert Person.objects.filter(national_id=applicant.national_id).count() == 1
    assert Request.objects.filter(applicant__national_id=applicant.national_id).count() == 2


def test_a_correction_racing_a_registration_of_the_same_person_does_not_deadlock(
    users: Any, offices: Any, monkeypatch: Any
) -> None:
    first = services.create_request(actor=users["intake.cm"], service="LIT", office=offices["50"],
                                    applicant=applicant_input(), details=DETAILS["LIT"])
    nid = first.applicant.national_id
    revise = services._revise_person

    def slow_revise(person: Person, values: dict[str, Any]) -> dict[str, Any]:
        time.sleep(0.3)  # hold the locks taken so far while the other writer takes its own
        return revise(person, values)

    monkeypatch.setattr(services, "_revise_person", slow_revise)

    def correct() -> None:
        services.update_details(actor=users["officer.cm"], request_id=first.pk, expected_version=first.version,
                                applicant=applicant_input(national_id=nid, phone="0899999999"),
                                expected_applicant_version=1)

    def register_again() -> None:
        services.create_request(actor=users["officer.cm"], service="BAIL", office=offices["50"],
                                applicant=applicant_input(national_id=nid, first_name="มานี"), details=DETAILS["BAIL"])

    errors = run_together(correct, register_again)
    # one of them may lose the race for the person's version (a clear 409), but none deadlocks
    assert all(type(e).__name__ == "ApplicantChanged" for e in errors), errors
    assert Request.objects.filter(applicant__national_id=nid).count() == 2
