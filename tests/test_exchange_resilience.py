"""Registry failures over real HTTP: tokens, timeouts, 5xx with retries, malformed and partial
answers, slow answers, connection errors, the circuit breaker and the answer cache."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from time_machine import TimeMachineFixture

from jfs.core import clock
from jfs.exchange import errors
from jfs.exchange.conf import gdx_settings
from jfs.exchange.gdx import GdxClient, gdx_registries
from jfs.exchange.registries import Registries
from jfs.exchange.resilience import CircuitBreaker, TokenCache, backoff_delay
from tests.exchange_support import FAULT_DELAY, RESERVED, SOMYING, Sim

pytestmark = pytest.mark.django_db

WELFARE = "/ws/mof/welfare/card"
DISABILITY = "/ws/dep/disability/card"
AUTH = "/ws/auth/validate"


@pytest.fixture
def client(fast: Any) -> Iterator[GdxClient]:
    with GdxClient() as c:
        yield c


@pytest.fixture
def regs(client: GdxClient) -> Registries:
    return gdx_registries(client)


def welfare(regs: Registries, cid: str = SOMYING.national_id) -> Any:
    return regs.welfare.welfare_card(cid)


def fail_three_times(regs: Registries) -> None:
    """Three failed calls to the welfare registry (JFS_GDX_BREAKER_THRESHOLD = 3 in the tests: the breaker opens)."""
    for _ in range(3):
        with pytest.raises(errors.RegistryServerError):
            welfare(regs)


# --------------------------------------------------------------------------- tokens


def test_a_bad_token_is_renewed_once_and_the_call_succeeds(regs: Registries, sim: Sim) -> None:
    TokenCache(gdx_settings()).put("not-a-token")
    assert welfare(regs) is not None
    stats = sim.stats()
    assert stats["by_path"][AUTH] == 1 and stats["by_path"][WELFARE] == 2
    assert [r["status"] for r in stats["recent"] if r["path"] == WELFARE] == [401, 200]


def test_an_expired_token_is_renewed(regs: Registries, sim: Sim) -> None:
    welfare(regs)
    sim.expire_tokens()  # GDX tokens expire after 60 idle minutes
    assert regs.household.household(SOMYING.national_id) is not None
    assert sim.calls(AUTH) == 2


def test_wrong_credentials_fail_at_once_without_retries(fast: Any, sim: Sim) -> None:
    fast.JFS_GDX_CONSUMER_SECRET = "wrong"
    with GdxClient() as client, pytest.raises(errors.AuthenticationFailed):
        gdx_registries(client).welfare.welfare_card(SOMYING.national_id)
    assert sim.calls(AUTH) == 1 and sim.calls(WELFARE) == 0


def test_a_wrong_consumer_key_is_refused_by_the_registry(sim: Sim) -> None:
    token = sim.token()
    resp = sim.http.get(
        WELFARE, params={"CitizenID": SOMYING.national_id}, headers={"Consumer-Key": "someone-else", "Token": token}
    )
    assert resp.status_code == 401 and resp.json()["Code"] == "401"
    assert sim.http.get(WELFARE, params={"CitizenID": SOMYING.national_id}).status_code == 401


# --------------------------------------------------------------------------- timeouts and 5xx


def test_a_registry_that_times_out_fails_after_the_retries_within_the_client_timeout(fast: Any, sim: Sim) -> None:
    fast.JFS_GDX_TIMEOUT = 0.3
    fast.JFS_GDX_RETRIES = 1
    sim.fault("timeout", WELFARE)
    started = time.monotonic()
    with GdxClient() as client, pytest.raises(errors.RegistryTimeout) as exc:
        gdx_registries(client).welfare.welfare_card(SOMYING.national_id)
    assert time.monotonic() - started < FAULT_DELAY
    assert exc.value.code == "timeout" and exc.value.retryable
    assert sim.calls(WELFARE) == 2


def test_a_500_is_retried_with_backoff_until_it_succeeds(regs: Registries, sim: Sim) -> None:
    sim.fault("500", WELFARE, times=2)
    assert welfare(regs) is not None
    assert sim.calls(WELFARE) == 3


def test_a_registry_that_keeps_answering_500_fails_after_the_retries(regs: Registries, sim: Sim) -> None:
    sim.fault("500", WELFARE)
    with pytest.raises(errors.RegistryServerError) as exc:
        welfare(regs)
    assert exc.value.code == "http_500" and sim.calls(WELFARE) == 3  # 1 + JFS_GDX_RETRIES


def test_a_503_is_retried_too(regs: Registries, sim: Sim) -> None:
    sim.fault("503", WELFARE, times=1)
    assert welfare(regs) is not None and sim.calls(WELFARE) == 2


def test_a_4xx_is_not_retried(regs: Registries, sim: Sim) -> None:
    with pytest.raises(errors.RegistryRefused) as exc:
        welfare(regs, "123")  # not 13 digits: the registry answers 400
    assert exc.value.code == "http_400" and not exc.value.retryable and sim.calls(WELFARE) == 1


def test_a_dropped_connection_is_retried_then_reported(regs: Registries, sim: Sim) -> None:
    sim.fault("reset", WELFARE)
    with pytest.raises(errors.RegistryUnreachable):
        welfare(regs)
    assert sim.calls(WELFARE) == 3


def test_a_registry_that_is_down_is_a_connection_error(fast: Any) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    fast.JFS_GDX_BASE_URL = f"http://127.0.0.1:{port}"
    with GdxClient() as client, pytest.raises(errors.RegistryUnreachable) as exc:
        gdx_registries(client).welfare.welfare_card(SOMYING.national_id)
    assert exc.value.code == "connection" and client.http_calls == 3


def test_a_slow_answer_within_the_timeout_is_accepted(regs: Registries, sim: Sim) -> None:
    sim.fault("slow", WELFARE, times=1)
    started = time.monotonic()
    card = welfare(regs)
    assert card is not None and card.card_holder
    assert time.monotonic() - started >= 0.3 and sim.calls(WELFARE) == 1


# --------------------------------------------------------------------------- bad bodies


def test_malformed_json_is_its_own_failure_and_is_not_retried(regs: Registries, sim: Sim) -> None:
    sim.fault("malformed", WELFARE, times=1)
    with pytest.raises(errors.MalformedAnswer) as exc:
        welfare(regs)
    assert exc.value.code == "malformed" and sim.calls(WELFARE) == 1


def test_partial_json_missing_fields_is_its_own_failure(regs: Registries, sim: Sim) -> None:
    sim.fault("partial", WELFARE, times=1)
    with pytest.raises(errors.PartialAnswer) as exc:
        welfare(regs)
    assert exc.value.code == "partial"


def test_partial_json_in_a_list_answer(regs: Registries, sim: Sim) -> None:
    from tests.exchange_support import SOMCHAI

    sim.fault("partial", "/ws/moj/dxc/arrests", times=1)
    with pytest.raises(errors.PartialAnswer):
        regs.justice.arrests(SOMCHAI.national_id)


def test_reserved_citizen_ids_always_fault(regs: Registries, sim: Sim) -> None:
    with pytest.raises(errors.MalformedAnswer):
        welfare(regs, RESERVED["malformed"])
    with pytest.raises(errors.PartialAnswer):
        regs.household.household(RESERVED["partial"])
    with pytest.raises(errors.RegistryServerError):
        regs.disability.disability(RESERVED["500"])


def test_error_messages_carry_no_personal_data(regs: Registries, sim: Sim) -> None:
    sim.fault("500", WELFARE)
    with pytest.raises(errors.ExchangeError) as exc:
        welfare(regs)
    assert SOMYING.national_id not in str(exc.value) and str(exc.value) == "mof_welfare: http_500"


# --------------------------------------------------------------------------- circuit breaker


def test_the_breaker_opens_after_n_failures_and_short_circuits_without_http(fast: Any, sim: Sim) -> None:
    fast.JFS_GDX_RETRIES = 0
    fast.JFS_GDX_BREAKER_COOLDOWN = 30
    sim.fault("500", WELFARE)
    with GdxClient() as client:
        regs = gdx_registries(client)
        fail_three_times(regs)
        assert CircuitBreaker(gdx_settings()).state("mof_welfare") == "open"
        sent = sim.calls(WELFARE)
        with pytest.raises(errors.CircuitOpen) as exc:
            welfare(regs)
        assert exc.value.retry_at is not None and not exc.value.counts_for_breaker
        assert sim.calls(WELFARE) == sent == 3
        # other registries are unaffected
        assert regs.household.household(SOMYING.national_id) is not None


def travel_past_the_cooldown(time_machine: TimeMachineFixture, cooldown: float) -> None:
    """Move the clock past the breaker's cooldown instead of waiting for it."""
    time_machine.move_to(clock.now() + timedelta(seconds=cooldown + 1))


def test_the_breaker_half_opens_after_the_cooldown_and_closes_on_success(
    fast: Any, sim: Sim, time_machine: TimeMachineFixture
) -> None:
    fast.JFS_GDX_RETRIES = 0
    fast.JFS_GDX_BREAKER_COOLDOWN = 60
    sim.fault("500", WELFARE)
    breaker = CircuitBreaker(gdx_settings())
    with GdxClient() as client:
        regs = gdx_registries(client)
        fail_three_times(regs)
        assert breaker.state("mof_welfare") == "open"
        time_machine.move_to(clock.now() + timedelta(seconds=59))
        assert breaker.state("mof_welfare") == "open"
        travel_past_the_cooldown(time_machine, 1)
        assert breaker.state("mof_welfare") == "half_open"
        sim.clear_faults()
        assert welfare(regs) is not None  # the probe goes through
        assert breaker.state("mof_welfare") == "closed"


def test_a_failed_probe_opens_the_breaker_again(fast: Any, sim: Sim, time_machine: TimeMachineFixture) -> None:
    fast.JFS_GDX_RETRIES = 0
    fast.JFS_GDX_BREAKER_COOLDOWN = 60
    sim.fault("500", WELFARE)
    breaker = CircuitBreaker(gdx_settings())
    with GdxClient() as client:
        regs = gdx_registries(client)
        fail_three_times(regs)
        travel_past_the_cooldown(time_machine, 60)
        with pytest.raises(errors.RegistryServerError):
            welfare(regs)  # the one probe
        assert breaker.state("mof_welfare") == "open"
        retry_at = breaker.retry_at("mof_welfare")
        assert retry_at is not None and retry_at > clock.now() + timedelta(seconds=55)  # a full cooldown again
        assert sim.calls(WELFARE) == 4


def test_only_one_caller_probes_a_half_open_circuit(fast: Any, time_machine: TimeMachineFixture) -> None:
    fast.JFS_GDX_BREAKER_COOLDOWN = 60
    breaker = CircuitBreaker(gdx_settings())
    for _ in range(3):
        breaker.record_failure("moj_dxc")
    travel_past_the_cooldown(time_machine, 60)
    breaker.before_call("moj_dxc")  # the probe
    with pytest.raises(errors.CircuitOpen):
        breaker.before_call("moj_dxc")


def test_not_found_and_client_errors_do_not_open_the_breaker(regs: Registries) -> None:
    from tests.exchange_support import NOBODY

    for _ in range(4):
        assert welfare(regs, NOBODY.national_id) is None
        with pytest.raises(errors.RegistryRefused):
            welfare(regs, "12")
    assert CircuitBreaker(gdx_settings()).state("mof_welfare") == "closed"


# --------------------------------------------------------------------------- cache


def test_a_cached_answer_avoids_a_second_http_call(fast: Any, sim: Sim) -> None:
    with GdxClient() as first:
        assert welfare(gdx_registries(first)) is not None
    with GdxClient() as second:  # another client (another process sharing the cache) reuses it
        assert welfare(gdx_registries(second)) is not None
        assert second.http_calls == 0
    assert sim.calls(WELFARE) == 1


def test_failures_are_never_cached(regs: Registries, sim: Sim) -> None:
    sim.fault("malformed", WELFARE, times=1)
    with pytest.raises(errors.MalformedAnswer):
        welfare(regs)
    assert welfare(regs) is not None
    assert welfare(regs) is not None
    assert sim.calls(WELFARE) == 2


def test_the_cache_can_be_turned_off(fast: Any, sim: Sim) -> None:
    fast.JFS_GDX_CACHE_TTL = 0
    with GdxClient() as client:
        regs = gdx_registries(client)
        welfare(regs)
        welfare(regs)
    assert sim.calls(WELFARE) == 2


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling() -> None:
    import random

    rng = random.Random(1)
    delays = [backoff_delay(n, 0.5, 3.0, rng) for n in (1, 2, 3, 4, 5)]
    assert 0.25 <= delays[0] <= 0.5 and 0.5 <= delays[1] <= 1.0 and 1.0 <= delays[2] <= 2.0
    assert all(1.5 <= d <= 3.0 for d in delays[3:])
