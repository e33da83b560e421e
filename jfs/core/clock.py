"""The system's one clock: every part of ``jfs`` that needs the time asks here.

- ``now()``: the current moment, aware, in UTC (what is stored: transitions, audit events,
  tokens and activation codes, registry checks' next attempt, the circuit breaker, the worker's
  heartbeat and schedule, audit checkpoints);
- ``today()``: the fund's calendar day, the date in Thailand (Asia/Bangkok) at ``now()``:
  the day a request is received, the 21-working-day clock, escalations, registry facts such as
  "the disability card is still valid";
- ``day_of(moment)``: the fund's calendar day of any moment;
- ``monotonic()``: seconds for measuring durations inside one process (timeouts), never stored;
- ``sleep(seconds)``: wait (the registry client's back-off between retries).

Nothing else in ``jfs`` or ``jfslib`` calls ``timezone.now()``, ``timezone.localdate()``,
``date.today()``, ``datetime.now()``, ``time.time()`` or ``time.sleep()`` (``tests/test_clock.py``
checks the source); Django's own ``auto_now`` fields read the same system clock. Tests move the
clock with ``time-machine`` (``time_machine.travel(...)``, the ``time_machine`` fixture), which
changes what the C library answers for the wall clock, so ``now()``, ``today()`` and the rows
written with them travel together; ``monotonic()`` and ``sleep()`` do not travel (nothing stored
or compared across processes uses them). See docs/decisions/0012-clock.md.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: the fund's calendar: days are days in Thailand, whatever the server's own time zone
FUND_TIMEZONE = ZoneInfo("Asia/Bangkok")


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return datetime.now(UTC)


def day_of(moment: datetime) -> date:
    """The fund's calendar day (Asia/Bangkok) of an aware moment."""
    return moment.astimezone(FUND_TIMEZONE).date()


def today() -> date:
    """Today's date in Thailand: the fund's calendar day."""
    return day_of(now())


def monotonic() -> float:
    """Seconds from an arbitrary start, never going back: for timeouts and durations only."""
    return time.monotonic()


def sleep(seconds: float) -> None:
    """Wait (really: time-machine does not shorten it; tests give the caller a sleep of their own)."""
    time.sleep(seconds)
