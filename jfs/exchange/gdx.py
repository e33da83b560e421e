"""The real registry adapters: HTTP to the Government Data Exchange (GDX) wire format.

``GdxClient`` does what every registry call needs: a token from ``/ws/auth/validate``
(``Consumer-Key`` header, ``ConsumerSecret`` and ``AgentID`` parameters), the ``Consumer-Key``
and ``Token`` headers on the call, a per-call timeout, retries with exponential back-off and
jitter on timeouts / connection errors / 5xx (never on other 4xx), one re-authentication on
401, the circuit breaker, the answer cache, and strict parsing (malformed JSON and missing
fields are distinct failures). The adapter classes below map each registry's answers to the
facts in ``jfs.exchange.registries``. Offline, ``JFS_GDX_BASE_URL`` points at the simulator.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from jfs.core import clock
from jfs.exchange import registries as reg
from jfs.exchange import wire
from jfs.exchange.conf import GdxSettings, gdx_settings
from jfs.exchange.errors import (
    AuthenticationFailed,
    ExchangeError,
    MalformedAnswer,
    NotFound,
    PartialAnswer,
    RegistryRefused,
    RegistryServerError,
    RegistryTimeout,
    RegistryUnreachable,
)
from jfs.exchange.resilience import AnswerCache, CircuitBreaker, TokenCache, backoff_delay

M = TypeVar("M", bound=BaseModel)

#: DOPA Linkage Center: office 00023 (DOPA); service 001 = person profile, 008 = house registration.
#: An agency's permitted services are listed at linkagemgmt.bora.dopa.go.th.
LINKAGE_OFFICE = "00023"
LINKAGE_PROFILE = "001"
LINKAGE_ADDRESS = "008"
LINKAGE_VERSION = "01"

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


_pool_lock = threading.Lock()
_pool: dict[tuple[str, bool, float], httpx.Client] = {}


def _new_http(cfg: GdxSettings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=cfg.base_url,
        timeout=httpx.Timeout(cfg.timeout),
        verify=cfg.verify_tls,
        transport=transport,
        headers={"User-Agent": "JFS-exchange/1", "Accept": "application/json"},
    )


def _shared_http(cfg: GdxSettings) -> httpx.Client:
    """One pooled HTTP client per process and configuration: keeps connections alive between calls
    and builds the TLS context once (about 80 ms each time otherwise)."""
    key = (cfg.base_url, cfg.verify_tls, cfg.timeout)
    with _pool_lock:
        client = _pool.get(key)
        if client is None or client.is_closed:
            client = _pool[key] = _new_http(cfg)
        return client


class GdxClient:
    """One connection to GDX; thread-safe enough to share within a process, cheap to create."""

    def __init__(
        self,
        cfg: GdxSettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = clock.sleep,
    ) -> None:
        self.cfg = cfg or gdx_settings()
        self._own_http = transport is not None
        self.http = _new_http(self.cfg, transport) if transport is not None else _shared_http(self.cfg)
        self.breaker = CircuitBreaker(self.cfg)
        self.answers = AnswerCache(self.cfg)
        self.tokens = TokenCache(self.cfg)
        self.sleep = sleep
        #: HTTP requests sent (token requests included); audit details and tests read it
        self.http_calls = 0

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __enter__(self) -> GdxClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the one entry point ------------------------------------------------------------------

    def get(
        self,
        registry: str,
        path: str,
        params: dict[str, str],
        model: type[M],
        *,
        on_500: type[BaseModel] | None = None,
    ) -> M | BaseModel:
        """GET a registry endpoint and return its validated answer.

        Returns ``model`` for a 200 answer, or ``on_500`` when the registry documents a 500
        body as an answer (DOPA's card status codes). Raises ``NotFound`` for 404 and an
        ``ExchangeError`` when there is no answer.
        """
        key = self.answers.key(path, params)
        cached = self.answers.get(key)
        if cached is not None:
            return model.model_validate(cached)
        self.breaker.before_call(registry)
        try:
            status, body = self._fetch(registry, path, params, on_500)
            if status == 200:
                try:
                    answer: BaseModel = model.model_validate(body)
                except ValidationError as exc:
                    raise PartialAnswer(registry) from exc
            else:
                assert on_500 is not None
                answer = on_500.model_validate(body)
        except NotFound:
            self.breaker.record_success(registry)
            raise
        except ExchangeError as exc:
            if exc.counts_for_breaker:
                self.breaker.record_failure(registry)
            raise
        self.breaker.record_success(registry)
        if status == 200:
            self.answers.put(key, body)
        return answer

    # -- HTTP with retries --------------------------------------------------------------------

    def _fetch(
        self, registry: str, path: str, params: dict[str, str], on_500: type[BaseModel] | None
    ) -> tuple[int, Any]:
        attempt = 0
        reauthenticated = False
        while True:
            error: ExchangeError
            try:
                token = self._token(registry)
                resp = self._send(registry, path, params, {"Consumer-Key": self.cfg.consumer_key, "Token": token})
            except (RegistryTimeout, RegistryUnreachable, RegistryServerError) as exc:
                error = exc
            else:
                status = resp.status_code
                if status == 401:
                    self.tokens.forget(token)
                    if reauthenticated:
                        raise AuthenticationFailed(registry)
                    reauthenticated = True
                    continue  # a fresh token does not use up a retry
                if status == 200:
                    return 200, self._json(registry, resp)
                if status == 404:
                    raise NotFound(registry)
                if status == 500 and on_500 is not None:
                    body = self._answer_on_500(resp, on_500)
                    if body is not None:
                        return 500, body
                if status >= 500 or status == 429:
                    error = RegistryServerError(registry, status)
                else:
                    raise RegistryRefused(registry, status)
            attempt += 1
            if attempt > self.cfg.retries:
                raise error
            self.sleep(backoff_delay(attempt, self.cfg.backoff, self.cfg.backoff_max))

    def _send(self, registry: str, path: str, params: dict[str, str], headers: dict[str, str]) -> httpx.Response:
        self.http_calls += 1
        try:
            return self.http.get(path, params=params, headers={"Content-Type": FORM_CONTENT_TYPE, **headers})
        except httpx.TimeoutException as exc:
            raise RegistryTimeout(registry) from exc
        except httpx.TransportError as exc:  # refused, reset, closed without an answer, DNS, TLS
            raise RegistryUnreachable(registry) from exc

    @staticmethod
    def _json(registry: str, resp: httpx.Response) -> Any:
        try:
            return resp.json()
        except ValueError as exc:  # also UnicodeDecodeError
            raise MalformedAnswer(registry) from exc

    @staticmethod
    def _answer_on_500(resp: httpx.Response, on_500: type[BaseModel]) -> Any:
        try:
            body = resp.json()
            on_500.model_validate(body)
        except (ValueError, ValidationError):
            return None  # an ordinary server error: retry
        return body

    def _token(self, registry: str) -> str:
        cached = self.tokens.get()
        if cached:
            return cached
        resp = self._send(
            registry,
            "/ws/auth/validate",
            {"ConsumerSecret": self.cfg.consumer_secret, "AgentID": self.cfg.agent_id},
            {"Consumer-Key": self.cfg.consumer_key},
        )
        if resp.status_code in (400, 401, 403):
            raise AuthenticationFailed(registry)
        if resp.status_code != 200:
            raise RegistryServerError(registry, resp.status_code)
        try:
            token = wire.TokenAnswer.model_validate(self._json(registry, resp)).Result
        except ValidationError as exc:
            raise PartialAnswer(registry) from exc
        self.tokens.put(token)
        return token


# --------------------------------------------------------------------------- adapters


class _Adapter:
    registry = ""

    def __init__(self, client: GdxClient) -> None:
        self.client = client

    def _get(self, path: str, params: dict[str, str], model: type[M]) -> M | None:
        try:
            answer = self.client.get(self.registry, path, params, model)
        except NotFound:
            return None
        assert isinstance(answer, model)
        return answer


class DopaGdx(_Adapter):
    """Department of Provincial Administration: laser-code verification and the Linkage Center."""

    registry = reg.DOPA

    def verify_card(
        self, citizen_id: str, first_name: str, last_name: str, be_birth_date: str, laser_code: str
    ) -> reg.CardVerification:
        params = {
            "CitizenID": citizen_id,
            "FirstName": first_name.strip(),
            "LastName": last_name.strip(),
            "BEBirthDate": be_birth_date,
            "LaserCode": laser_code.replace("-", "").strip().upper(),
        }
        try:
            answer = self.client.get(
                self.registry, "/ws/dopa/verification/personal", params, wire.VerifyAnswer, on_500=wire.DopaCardStatus
            )
        except NotFound:
            return reg.CardVerification(False, "laser_not_found")
        if isinstance(answer, wire.VerifyAnswer):
            return reg.CardVerification(answer.Result, "ok" if answer.Result else "not_valid")
        assert isinstance(answer, wire.DopaCardStatus)
        if answer.Code.strip("[]") == "2":
            return reg.CardVerification(False, "card_void")
        if "Laser" in answer.Message:
            return reg.CardVerification(False, "laser_not_found")
        return reg.CardVerification(False, "data_mismatch")

    def _linkage(self, service: str, citizen_id: str, model: type[M]) -> M | None:
        return self._get(
            "/ws/dopa/linkage/v1/link",
            {"OfficeID": LINKAGE_OFFICE, "ServiceID": service, "Version": LINKAGE_VERSION, "CitizenID": citizen_id},
            model,
        )

    def person(self, citizen_id: str) -> reg.RegisteredPerson | None:
        answer = self._linkage(LINKAGE_PROFILE, citizen_id, wire.ProfileAnswer)
        if answer is None:
            return None
        r = answer.Result
        return reg.RegisteredPerson(r.CitizenID, r.TitleName, r.FirstName, r.LastName, r.BEBirthDate)

    def address(self, citizen_id: str) -> reg.RegisteredAddress | None:
        answer = self._linkage(LINKAGE_ADDRESS, citizen_id, wire.AddressAnswer)
        if answer is None:
            return None
        r = answer.Result
        return reg.RegisteredAddress(
            r.HouseNo, r.SubdistrictCode, r.DistrictCode, r.ProvinceCode, wire.be_to_date(r.MovedInOn)
        )


class WelfareGdx(_Adapter):
    registry = reg.WELFARE

    def welfare_card(self, citizen_id: str) -> reg.WelfareCard | None:
        answer = self._get("/ws/mof/welfare/card", {"CitizenID": citizen_id}, wire.WelfareAnswer)
        if answer is None:
            return None
        r = answer.Result
        return reg.WelfareCard(r.CardHolder, r.IncomeBand, r.RegistrationRound)


class HouseholdGdx(_Adapter):
    registry = reg.MSO

    def household(self, citizen_id: str) -> reg.HouseholdAssessment | None:
        answer = self._get("/ws/msdhs/mso/household", {"CitizenID": citizen_id}, wire.HouseholdAnswer)
        if answer is None:
            return None
        r = answer.Result
        return reg.HouseholdAssessment(r.VulnerabilityLevel, r.HouseholdSize, wire.be_to_date(r.AssessedOn))


class DisabilityGdx(_Adapter):
    registry = reg.DISABILITY

    def disability(self, citizen_id: str) -> reg.DisabilityRegistration | None:
        answer = self._get("/ws/dep/disability/card", {"CitizenID": citizen_id}, wire.DisabilityAnswer)
        if answer is None:
            return None
        r = answer.Result
        return reg.DisabilityRegistration(
            r.Registered, r.DisabilityType, r.DisabilityTypeName, wire.be_to_date(r.CardExpiry)
        )


class JusticeDxcGdx(_Adapter):
    registry = reg.DXC

    def _list(self, path: str, citizen_id: str, model: type[M]) -> list[Any]:
        answer = self._get(path, {"CitizenID": citizen_id}, model)
        return list(getattr(answer, "Result", [])) if answer is not None else []

    def arrests(self, citizen_id: str) -> list[reg.Arrest]:
        return [
            reg.Arrest(i.RecordID, wire.be_to_date(i.ArrestedOn), i.Agency, i.Charge)
            for i in self._list("/ws/moj/dxc/arrests", citizen_id, wire.ArrestsAnswer)
        ]

    def court_cases(self, citizen_id: str) -> list[reg.CourtCase]:
        return [
            reg.CourtCase(i.RecordID, i.Court, i.CaseNumber, i.CaseKind, i.Status, wire.be_to_date(i.FiledOn))
            for i in self._list("/ws/moj/dxc/court-cases", citizen_id, wire.CourtCasesAnswer)
        ]

    def detentions(self, citizen_id: str) -> list[reg.Detention]:
        return [
            reg.Detention(
                i.RecordID, i.Place, wire.be_to_date(i.Since), i.PretrialWithoutBail, wire.be_to_date(i.ReleasedOn)
            )
            for i in self._list("/ws/moj/dxc/detentions", citizen_id, wire.DetentionsAnswer)
        ]

    def probations(self, citizen_id: str) -> list[reg.Probation]:
        return [
            reg.Probation(i.RecordID, i.Office, wire.be_to_date(i.Since), wire.be_to_date(i.Until), i.Status)
            for i in self._list("/ws/moj/dxc/probations", citizen_id, wire.ProbationsAnswer)
        ]


def gdx_registries(client: GdxClient) -> reg.Registries:
    """Every registry interface, implemented over one GDX client."""
    return reg.Registries(
        population=DopaGdx(client),
        welfare=WelfareGdx(client),
        household=HouseholdGdx(client),
        disability=DisabilityGdx(client),
        justice=JusticeDxcGdx(client),
    )
