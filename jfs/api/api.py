"""The REST API under /api/v1/ (OpenAPI schema at /api/v1/openapi.json).

Token authentication (``Authorization: Bearer jfs_…``) for staff tools and partner
systems. Every endpoint calls the same selectors and services as the pages, so
permissions, office scoping, optimistic locking and audit are identical.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

import geothai
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.db import models
from django.http import Http404, HttpRequest
from ninja import File, NinjaAPI, P, Query, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as PayloadInvalid
from ninja.files import UploadedFile
from ninja.openapi.docs import Swagger
from ninja.params import FormEx
from ninja.responses import Status
from ninja.schema import DjangoGetter
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field, Strict, StringConstraints, model_validator

from jfs.accounts import selectors as account_selectors
from jfs.accounts.http import StaffRequest
from jfs.accounts.models import SCOPE_READ, SCOPE_WRITE, Office, User
from jfs.accounts.tokens import grant_for
from jfs.cases import reports, selectors, service_registry, services, workflows
from jfs.cases.details import SCHEMAS, masked, translate
from jfs.cases.errors import CaseError, InvalidInput, field_error
from jfs.cases.models import Document, Person, Request, Transition
from jfs.cases.reasons import OUTCOME_NAMES, all_reasons, category_name
from jfs.decisions.models import TERMINATION_CAUSES, Decision
from jfslib import jsonbounds, thai_id


class TokenAuth(HttpBearer):
    """A live staff token (not expired, not revoked) whose scope covers the operation: ``read``
    for reads and searches, ``write`` for changes. A token without the scope is refused with 403."""

    def __init__(self, scope: str = SCOPE_READ):
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        grant = grant_for(token)
        if grant is None:
            return None
        if not grant.allows(self.scope):
            raise InsufficientScope(403, "insufficient_scope")
        request.user = grant.user
        return grant.user


class InsufficientScope(HttpError):
    """The token is valid but may only read."""


#: operations that change something need a token with the write scope
WRITE: TokenAuth = TokenAuth(SCOPE_WRITE)


logger = logging.getLogger(__name__)

#: OpenAPI links from a created request (its ``id``) to the operations on it: they tell clients, and
#: the stateful schemathesis run, how calls follow one another (create, then read, correct, act)
REQUEST_LINKS = {
    "GetRequest": "jfs_api_api_get_request",
    "CorrectRequest": "jfs_api_api_patch_request",
    "ActOnRequest": "jfs_api_api_post_transition",
    "ListTransitions": "jfs_api_api_list_transitions",
    "UploadDocument": "jfs_api_api_upload_document",
    "ListDocuments": "jfs_api_api_list_documents",
}

#: operations under a request's path (``jfs.api.decisions``) that link back to the request
REQUEST_PATH_OPERATIONS = frozenset({"jfs_api_decisions_list_decisions", "jfs_api_decisions_list_appeals",
                                     "jfs_api_decisions_generate_letter"})


class JfsNinjaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        def links(pointer: str) -> dict[str, Any]:
            return {name: {"operationId": op, "parameters": {"request_id": f"$response.body#{pointer}"}}
                    for name, op in REQUEST_LINKS.items()}

        for ops in schema["paths"].values():
            for op in ops.values():
                op_id = op.get("operationId")
                if op_id in {"jfs_api_api_create_request", "jfs_api_api_get_request",
                             "jfs_api_api_patch_request", "jfs_api_api_post_transition"}:
                    pointer = "/id"
                elif op_id in {"jfs_api_api_list_requests", "jfs_api_api_search_requests"}:
                    pointer = "/items/0/id"  # the newest request of the page
                elif op_id in REQUEST_PATH_OPERATIONS:
                    # a request's decisions, appeals and letters lead back to the request itself
                    for code in ("200", "201"):
                        if code in op["responses"]:
                            op["responses"][code]["links"] = {
                                name: {"operationId": REQUEST_LINKS[name],
                                       "parameters": {"request_id": "$request.path.request_id"}}
                                for name in ("GetRequest", "ListTransitions")}
                    continue
                else:
                    continue
                for code in ("200", "201"):
                    if code in op["responses"]:
                        op["responses"][code]["links"] = links(pointer)
        return schema


api = JfsNinjaAPI(
    title="Justice Fund System API",
    version="1.0.0",
    description="Requests, transitions, documents and reference data of the Justice Fund system. "
    "Errors carry a Thai message (`message_th`) and an English one (`message_en`).",
    auth=TokenAuth(SCOPE_READ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # the path of an operation is a plain text (no deep link: a link inside the operation's button is a
    # control inside a control, which screen readers cannot reach)
    docs=Swagger(settings={"deepLinking": False}),
)


class FieldErrorOut(Schema):
    field: str = Field(description="the field at fault; nested values are dotted (`details.costs.lawyer`)",
                       examples=["national_id"])
    message_th: str = Field(examples=["เลขประจำตัวประชาชนไม่ถูกต้อง: หลักตรวจสอบไม่ตรง"])
    message_en: str = Field(examples=["National ID check digit does not match"])


class ErrorOut(Schema):
    code: str
    message_th: str
    message_en: str
    errors: list[FieldErrorOut] = Field(default=[], description="one entry per field at fault, in both languages")


@api.exception_handler(CaseError)
def case_error(request: HttpRequest, exc: CaseError) -> Any:
    return api.create_response(
        request, {"code": exc.code, "message_th": exc.th, "message_en": exc.en, "errors": exc.errors}, status=exc.status
    )


@api.exception_handler(PayloadInvalid)
def payload_invalid(request: HttpRequest, exc: PayloadInvalid) -> Any:
    """A body or query that does not fit the schema: 422 with the same bilingual shape as every error."""
    errors = [
        field_error(".".join(str(p) for p in e.get("loc", ())[1:] if p != "payload") or "body", *translate(e))
        for e in exc.errors
    ]
    return api.create_response(
        request,
        {"code": "invalid_input", "message_th": "ข้อมูลที่ส่งมาไม่ถูกต้อง", "message_en": "The data sent is not valid",
         "errors": errors},
        status=422,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> Any:
    return api.create_response(
        request, {"code": "not_found", "message_th": "ไม่พบข้อมูล", "message_en": "Not found", "errors": []}, status=404
    )


@api.exception_handler(ObjectDoesNotExist)
def does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> Any:
    """A row a service looked up by id and did not find (deleted meanwhile): 404, never a 500."""
    return not_found(request, Http404())


#: ninja's own refusals (authentication, unreadable body, throttling) in the same bilingual shape
HTTP_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "อ่านข้อมูลที่ส่งมาไม่ได้ (ต้องเป็น JSON ที่ถูกต้อง)", "The request body could not be read (send valid JSON)"),
    401: ("unauthorized", "ต้องยืนยันตัวตนด้วยโทเค็นที่ใช้งานได้ (Authorization: Bearer <token>)",
          "Authentication required: send a valid token (Authorization: Bearer <token>)"),
    403: ("forbidden", "ไม่มีสิทธิ์ทำรายการนี้", "You are not allowed to do this"),
    404: ("not_found", "ไม่พบข้อมูล", "Not found"),
    429: ("throttled", "มีคำขอมากเกินไป กรุณาลองใหม่ภายหลัง", "Too many requests: please try again later"),
}


#: a valid token whose scope does not cover the operation
INSUFFICIENT_SCOPE = ("insufficient_scope", "โทเค็นนี้อ่านข้อมูลได้อย่างเดียว การบันทึกต้องใช้โทเค็นขอบเขต write",
                      "This token may only read: changes need a token with the write scope")


def _error(request: HttpRequest, status: int, code: str, th: str, en: str) -> Any:
    return api.create_response(request, {"code": code, "message_th": th, "message_en": en, "errors": []},
                               status=status)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> Any:
    if isinstance(exc, InsufficientScope):
        return _error(request, 403, *INSUFFICIENT_SCOPE)
    code, th, en = HTTP_ERRORS.get(exc.status_code, ("error", "คำขอไม่สำเร็จ", "The request failed"))
    return _error(request, exc.status_code, code, th, en)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> Any:
    return _error(request, 413, "too_large", "ข้อมูลที่ส่งมามีขนาดใหญ่เกินกำหนด", "The request body is larger than allowed")


@api.exception_handler(SuspiciousOperation)
def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> Any:
    """Django's refusals of malformed requests (too many fields, a bad multipart body...)."""
    logger.warning("API request refused: %s", type(exc).__name__)
    return _error(request, 400, "bad_request", "คำขอมีรูปแบบไม่ถูกต้อง", "The request is malformed")


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> Any:
    """Anything unforeseen: logged (type and place only, through the personal-data filter) and
    answered in the same bilingual shape, never Django's HTML page or a traceback."""
    logger.error("API error %s in %s", type(exc).__name__, request.resolver_match.view_name
                 if request.resolver_match else "api", exc_info=exc)
    return _error(request, 500, "server_error", "ระบบขัดข้อง กรุณาลองใหม่ภายหลัง (บันทึกข้อผิดพลาดไว้แล้ว)",
                  "Something went wrong on our side; please try again later (the error was logged)")


#: what any operation can answer besides success: no valid token (401), nothing there or outside
#: the caller's offices (404), input that does not fit (422), a failure of ours (500)
COMMON_ERRORS = (401, 404, 422, 500)
#: operations that change something also answer: an unreadable body (400), a token or role that may
#: not change it (403), a body over the size limit (413)
CHANGE_ERRORS: tuple[int, ...] = (400, 403, 413)


def responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """An operation's documented answers: its success and every error it can give, all ``ErrorOut``."""
    return {**ok, **{code: ErrorOut for code in sorted({*COMMON_ERRORS, *errors})}}


#: numbers in a JSON body are JSON numbers: pydantic's lax mode would read true as 1 and "7" as 7
Whole = Annotated[int, Strict()]
Number = Annotated[float, Strict()]

NOT_AN_OBJECT = ("ต้องเป็นชุดข้อมูล (JSON object)", "Must be a JSON object")


class Input(Schema):
    """Base of every API input: before any field is read (and long before any query), a NUL
    anywhere, nesting deeper than ``jsonbounds.MAX_DEPTH`` or more than ``MAX_ITEMS`` values is
    refused with a 422 naming the fields. The walk is iterative: no input can exhaust the stack.
    An unknown field or query parameter is refused too: a misspelt filter must not quietly return
    everything."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        # Django Ninja wraps what it validates in a DjangoGetter, which reads a list or a number as
        # an object without attributes (every field at its default): only a JSON object is input
        values = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(values, dict):
            raise InvalidInput(*NOT_AN_OBJECT, errors=[field_error("body", *NOT_AN_OBJECT)])
        found = jsonbounds.problems(values)
        if found:
            raise InvalidInput(
                "ข้อมูลที่ส่งมาไม่ถูกต้อง", "The data sent is not valid",
                errors=[field_error(p.path or "body", *jsonbounds.MESSAGES[p.kind]) for p in found])
        return data


# ------------------------------------------------------------------ input bounds
# Every string the API takes is bounded by the column it ends up in (PostgreSQL refuses a longer
# value with a 500; here it is a 422 naming the field), and a column with choices takes only
# those values, read from the model so the API cannot drift from it.


def _max(model: type[models.Model], name: str) -> int:
    """The column's ``max_length``."""
    length = getattr(model._meta.get_field(name), "max_length", None)
    if not isinstance(length, int) or not length:
        raise TypeError(f"{model.__name__}.{name} has no max_length")
    return length


def _allowed(model: type[models.Model], name: str) -> tuple[str, ...]:
    """The values a column's choices allow, with "" when the column may be blank."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    values = tuple(str(code) for code, _label in field.choices or ())
    if not values:
        raise TypeError(f"{model.__name__}.{name} has no choices")
    return values if "" in values or not field.blank else ("", *values)


#: a national ID as people type it: 13 digits, maybe with dashes or spaces (1-1017-00203-45-0)
NATIONAL_ID_TYPED = 17
#: the case page's transition form takes the same (``TransitionForm.comment``)
COMMENT_MAX = 5000
#: paging of the request list
LIMIT_MAX = 500
OFFSET_MAX = 10_000_000

if TYPE_CHECKING:  # the Literal types below are built from the models at run time
    Service = str
    Sex = str
    Education = str
    Occupation = str
    Channel = str
    Representative = str
    Outcome = str
    Cause = str
else:
    Service = str  # a code in the service registry, checked by the service layer (a new service needs no change here)
    Sex = Literal[_allowed(Person, "sex")]
    Education = Literal[_allowed(Person, "education")]
    Occupation = Literal[_allowed(Person, "occupation")]
    Channel = Literal[_allowed(Request, "channel")]
    Representative = Literal[_allowed(Request, "representative_type")]
    # a decision's outcome: the request's outcomes and "referred" (the decisions' catalogue)
    Outcome = Literal[tuple(dict.fromkeys((*_allowed(Request, "outcome"), *OUTCOME_NAMES)))]
    Cause = Literal[("", *TERMINATION_CAUSES)]

#: a reason code (``workflows/_reasons.yaml``) as stored; a cost item's key; baht as a decimal string
ReasonCode = Annotated[str, StringConstraints(max_length=20)]
ItemKey = Annotated[str, StringConstraints(max_length=60)]
Amount = Annotated[str, StringConstraints(max_length=20)]


class ApplicantIn(Input):
    national_id: str = Field(max_length=NATIONAL_ID_TYPED, examples=["1101700203450"])
    title: str = Field(default="", max_length=_max(Person, "title"))
    first_name: str = Field(max_length=_max(Person, "first_name"))
    last_name: str = Field(max_length=_max(Person, "last_name"))
    birth_date: date
    sex: Sex
    house_no: str = Field(default="", max_length=_max(Person, "house_no"))
    province_code: str = Field(max_length=_max(Person, "province_code"))
    district_code: str = Field(max_length=_max(Person, "district_code"))
    subdistrict_code: str = Field(max_length=_max(Person, "subdistrict_code"))
    phone: str = Field(default="", max_length=_max(Person, "phone"))
    education: Education = ""
    occupation: Occupation = ""
    monthly_income: Number = Field(default=0, ge=0)
    household_size: Whole = Field(default=1, ge=1, le=50)


class RequestIn(Input):
    service: Service = Field(max_length=_max(Request, "service"),
                             description="a service code from /reference/services (services/<CODE>/service.yaml)")
    office: str = Field(max_length=_max(Office, "code"), description="office code: 00 central or a province code")
    applicant: ApplicantIn
    details: dict[str, Any] = Field(description="service-specific details; see /reference/services")
    received_on: date | None = None
    channel: Channel = "api"
    representative_type: Representative = ""
    representative_name: str = Field(default="", max_length=_max(Request, "representative_name"))
    representative_national_id: str = Field(default="", max_length=NATIONAL_ID_TYPED)


class RequestOut(Schema):
    id: int
    number: str
    applicant_version: int = Field(description="the version of the applicant's record (shared by all their "
                                               "requests); send it back with a correction of the applicant")
    service: str
    office: str
    fiscal_year: int
    state: str
    state_th: str
    state_en: str
    version: int
    applicant_name: str
    applicant_national_id_masked: str
    received_on: date
    due_on: date | None
    step_due_on: date | None
    working_days_taken: int | None
    on_time: bool | None
    outcome: str
    amount_requested: float
    assigned_to: str | None
    details: dict[str, Any] = Field(description="the service details; national IDs in them are masked")


def _out(req: Request) -> dict[str, Any]:
    st = req.workflow.states[req.state]
    return {
        "id": req.pk, "number": req.number, "service": req.service, "office": req.office.code,
        "fiscal_year": req.fiscal_year, "state": req.state, "state_th": st.th, "state_en": st.en,
        "version": req.version, "applicant_version": req.applicant.version, "applicant_name": req.applicant.full_name,
        "applicant_national_id_masked": thai_id.mask(req.applicant.national_id),
        "received_on": req.received_on, "due_on": req.due_on, "step_due_on": req.step_due_on,
        "working_days_taken": req.working_days_taken, "on_time": req.on_time, "outcome": req.outcome,
        "amount_requested": float(req.amount_requested),
        "assigned_to": req.assigned_to.username if req.assigned_to else None,
        "details": masked(req.details),  # as on the case page: the detainee's ID is personal data
    }


class RequestFilter(Input):
    q: str = Field(default="", max_length=200, description="request number, applicant's name or national ID")
    service: str = Field(default="", max_length=_max(Request, "service"))
    state: str = Field(default="", max_length=_max(Request, "state"))
    office: str = Field(default="", max_length=_max(Office, "code"))
    fiscal_year: str = Field(default="", max_length=4, description="B.E. year, e.g. 2569")
    limit: int = Field(default=50, ge=1, le=LIMIT_MAX)
    offset: int = Field(default=0, ge=0, le=OFFSET_MAX)


class SearchIn(RequestFilter):
    """The filters of ``GET /requests`` as a JSON body, typed strictly (a JSON ``false`` is not 0)."""

    limit: Whole = Field(default=50, ge=1, le=LIMIT_MAX)
    offset: Whole = Field(default=0, ge=0, le=OFFSET_MAX)


class RequestPage(Schema):
    count: int
    items: list[RequestOut]


class NationalIdInUrl(InvalidInput):
    """A national ID sent in a query string, where logs, proxies and histories keep it."""

    code = "national_id_in_url"


#: GET /requests?q=<national ID> is refused: the ID would be in the URL (access logs, proxies, caches)
ID_IN_URL = (
    "ห้ามส่งเลขประจำตัวประชาชนในที่อยู่ (URL) กรุณาค้นหาด้วย POST /api/v1/requests/search "
    "โดยส่งเงื่อนไขเดียวกันในเนื้อหา JSON",
    "Do not send a national ID in the URL: search with POST /api/v1/requests/search, "
    "with the same filters in a JSON body",
)


def _refuse_unknown_parameters(request: HttpRequest, model: type[Input]) -> None:
    """Django Ninja passes only the declared query parameters to the model: refuse the others here
    (a misspelt filter must not quietly widen the answer)."""
    unknown = sorted(set(request.GET) - set(model.model_fields))
    if unknown:
        raise InvalidInput("ข้อมูลที่ส่งมาไม่ถูกต้อง", "The data sent is not valid",
                           errors=[field_error(k.replace("\x00", "") or "query", "ไม่รู้จักช่องข้อมูลนี้", "Unknown field")
                                   for k in unknown])


def _request_page(request: StaffRequest, filters: RequestFilter) -> dict[str, Any]:
    qs = selectors.apply_filters(selectors.visible_requests(request.user), filters.dict())
    qs = selectors.search(qs, filters.q)
    items = list(qs.order_by("-received_on", "-id")[filters.offset: filters.offset + filters.limit])
    services.audit_views(request.user, items, "request_list")
    return {"count": qs.count(), "items": [_out(r) for r in items]}


@api.get("/requests", response=responses({200: RequestPage}), tags=["requests"])
def list_requests(request: StaffRequest, filters: Query[RequestFilter]) -> dict[str, Any]:
    """List and search requests. `q` takes a request number or a name; a national ID in `q` (13 digits,
    with or without dashes) is refused with 422 `national_id_in_url`: search by ID with
    `POST /requests/search`, so that the ID never appears in a URL."""
    _refuse_unknown_parameters(request, RequestFilter)
    if thai_id.contains_id(filters.q):
        raise NationalIdInUrl(*ID_IN_URL, errors=[field_error("q", *ID_IN_URL)])
    return _request_page(request, filters)


@api.post("/requests/search", response=responses({200: RequestPage}, 400, 413), tags=["requests"])
def search_requests(request: StaffRequest, filters: SearchIn) -> dict[str, Any]:
    """The same search as `GET /requests`, its filters in a JSON body: the way to search by national ID
    (`{"q": "1101700203450"}`). A read; a token with the read scope may use it. Audited like the list."""
    return _request_page(request, filters)


@api.post("/requests", response=responses({201: RequestOut}, *CHANGE_ERRORS), auth=WRITE, tags=["requests"])
def create_request(request: StaffRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    """Register a request; the registry checks are queued once it is saved (by the case services)."""
    a = payload.applicant
    req = services.create_request(
        actor=request.user, service=payload.service, office=payload.office,
        applicant=services.ApplicantInput(**a.dict()), details=payload.details,
        received_on=payload.received_on, channel=payload.channel,
        representative_type=payload.representative_type, representative_name=payload.representative_name,
        representative_national_id=payload.representative_national_id,
    )
    return Status(201, _out(req))


@api.get("/requests/{request_id}", response=responses({200: RequestOut}), tags=["requests"])
def get_request(request: StaffRequest, request_id: int) -> dict[str, Any]:
    req = selectors.get_visible(request.user, request_id)
    services.audit_view(request.user, req)
    return _out(req)


class ApplicantCorrection(ApplicantIn):
    national_id: str | None = Field(  # type: ignore[assignment]  # optional here, required on a new request
        default=None, max_length=NATIONAL_ID_TYPED, examples=["1101700203450"],
        description="leave out, or send the applicant's current ID: a different ID is another person, not a correction",
    )


#: a correction of the applicant's record through the API names the version it read
APPLICANT_VERSION_NEEDED = ("ต้องส่ง applicant_version (ค่าที่อ่านมาจาก GET) พร้อมกับ applicant",
                            "Send applicant_version (as read from GET) with applicant")


class RequestPatch(Input):
    version: Whole = Field(ge=1, le=2**31 - 1, description="the version you read; a stale version answers 409")
    applicant: ApplicantCorrection | None = Field(
        default=None, description="the applicant's corrected record, whole (as in POST /requests)")
    applicant_version: Whole | None = Field(
        default=None, ge=1, le=2**31 - 1,
        description="required with `applicant`: the applicant_version you read; if the record changed "
                    "since (through any of the person's requests) the answer is 409 `applicant_changed`")
    details: dict[str, Any] | None = Field(
        default=None, description="the corrected service details, whole; see /reference/services")

    @model_validator(mode="after")
    def _applicant_version_with_applicant(self) -> RequestPatch:
        # the record is shared by all the person's requests: through the API a correction of it says
        # which version it corrects (the service compares the version whenever one is given)
        if self.applicant is not None and self.applicant_version is None:
            raise InvalidInput(*APPLICANT_VERSION_NEEDED, errors=[field_error("applicant_version", *APPLICANT_VERSION_NEEDED)])
        return self


@api.patch("/requests/{request_id}", response=responses({200: RequestOut}, *CHANGE_ERRORS, 409), auth=WRITE,
           tags=["requests"])
def patch_request(request: StaffRequest, request_id: int, payload: RequestPatch) -> dict[str, Any]:
    """Correct the applicant's record or the service details (or both), at the version you read."""
    req = selectors.get_visible(request.user, request_id)
    applicant = None
    if payload.applicant is not None:
        # a national ID left out is the one on file (the service refuses any other)
        sent = payload.applicant.national_id
        applicant = services.ApplicantInput(
            **{**payload.applicant.dict(), "national_id": req.applicant.national_id if sent is None else sent})
    # a detainee's ID left out or sent back masked (as the API shows it) keeps the one on file: the service's rule
    req = services.update_details(actor=request.user, request_id=req.pk, expected_version=payload.version,
                                  applicant=applicant, details=payload.details,
                                  expected_applicant_version=payload.applicant_version)
    return _out(req)


class TransitionIn(Input):
    """An action on a request. A deciding action (``decide_urgent``, ``record_subcommittee_decision``,
    ``decide_appeal``, ``terminate``, ``withdraw``, ``refer``) carries the decision's fields: the
    decision rules check them all at once (422 ``decision_incomplete``, one error per field)."""

    action: str = Field(max_length=_max(Transition, "action"))
    version: Whole = Field(ge=1, le=2**31 - 1, description="the version you read; a stale version answers 409")
    comment: str = Field(default="", max_length=COMMENT_MAX,
                         description="the reason in words; for a decision, its free-text note")
    outcome: Outcome = ""
    reason_code: str = Field(default="", max_length=_max(Request, "reason_code"),
                             description="one reason code, or several separated by commas (\"A01,A02\"); "
                                         "`reason_codes` takes a list")
    reason_codes: list[ReasonCode] = Field(default=[], max_length=20, examples=[["A01", "P01"]],
                                           description="the decision's coded reasons (`/reference/reasons`)")
    items: dict[ItemKey, Amount] = Field(
        default={}, max_length=50, examples=[{"lawyer": "10000.00", "court_fee": "2000"}],
        description="for an approval: the amount approved per requested cost item, in baht as a decimal "
                    "string (at most 2 decimals)")
    cause: Cause = Field(default="", description="why the request is terminated (outcome `terminated`)")
    agenda_item: Whole | None = Field(default=None, ge=1, le=2**31 - 1,
                                      description="the meeting's agenda item resolved (record_subcommittee_decision, "
                                                  "decide_appeal)")
    referred_to: str = Field(default="", max_length=_max(Decision, "referred_to"),
                             description="the agency the request is referred to (refer)")


class TransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str | None
    at: Any
    comment: str
    diff: dict[str, Any]


@api.post("/requests/{request_id}/transitions", response=responses({200: RequestOut}, *CHANGE_ERRORS, 409), auth=WRITE,
          tags=["requests"])
def post_transition(request: StaffRequest, request_id: int, payload: TransitionIn) -> dict[str, Any]:
    req = selectors.get_visible(request.user, request_id)
    req = services.transition(
        actor=request.user, request_id=req.pk, action=payload.action, expected_version=payload.version,
        comment=payload.comment,
        fields={"outcome": payload.outcome, "reason_code": payload.reason_code,
                "reason_codes": list(payload.reason_codes), "items": dict(payload.items), "cause": payload.cause,
                "agenda_item": payload.agenda_item, "referred_to": payload.referred_to},
    )
    return _out(req)


@api.get("/requests/{request_id}/transitions", response=responses({200: list[TransitionOut]}), tags=["requests"])
def list_transitions(request: StaffRequest, request_id: int) -> list[dict[str, Any]]:
    req = selectors.get_visible(request.user, request_id)
    services.audit_view(request.user, req, "transitions")
    return [
        {"action": t.action, "from_state": t.from_state, "to_state": t.to_state,
         "actor": t.actor.username if t.actor else None, "at": t.at, "comment": t.comment, "diff": t.diff}
        for t in selectors.history(req)
    ]


class DocumentOut(Schema):
    id: int
    doc_type: str
    original_name: str
    content_type: str
    size: int = Field(description="bytes of the stored file (cleaned; as received when quarantined)")
    sha256: str = Field(description="SHA-256 of the stored file")
    original_sha256: str = Field(description="SHA-256 of the file as it was uploaded (empty: not recorded)")
    sanitised: list[str] = Field(description="what cleaning removed, by category (e.g. javascript, exif_gps, "
                                             "trailing_data); never content")
    scan_status: Literal["not_scanned", "clean", "quarantined"] = Field(
        description="malware scan: not_scanned (no scanner configured), clean, or quarantined (never served)")
    scan_reason: str = Field(description='why it is quarantined: "malware found: <signature>" or '
                                         '"scanner unavailable"; empty otherwise')
    superseded: bool


def _document_out(d: Document) -> dict[str, Any]:
    return {"id": d.pk, "doc_type": d.doc_type, "original_name": d.original_name, "content_type": d.content_type,
            "size": d.size, "sha256": d.sha256, "original_sha256": d.original_sha256, "sanitised": d.sanitised,
            "scan_status": d.scan_status, "scan_reason": d.scan_reason, "superseded": d.superseded_by_id is not None}


@api.post("/requests/{request_id}/documents", response=responses({201: DocumentOut}, *CHANGE_ERRORS), auth=WRITE,
          tags=["documents"])
def upload_document(request: StaffRequest, request_id: int,
                    doc_type: FormEx[str, P(max_length=_max(Document, "doc_type"))],
                    file: File[UploadedFile]) -> Status[dict[str, Any]]:
    req = selectors.get_visible(request.user, request_id)
    doc = services.add_document(actor=request.user, request_id=req.pk, doc_type=doc_type, name=file.name or "upload",
                                chunks=file.chunks(), size=file.size or 0)
    return Status(201, _document_out(doc))


@api.get("/requests/{request_id}/documents", response=responses({200: list[DocumentOut]}), tags=["documents"])
def list_documents(request: StaffRequest, request_id: int) -> list[dict[str, Any]]:
    req = selectors.get_visible(request.user, request_id)
    services.audit_view(request.user, req, "documents")
    return [_document_out(d) for d in selectors.documents_of(req)]


# ------------------------------------------------------------------ reports


class DashboardFilter(Input):
    """The staff dashboard's filters (``/staff/dashboard/``)."""

    office: str = Field(default="", max_length=_max(Office, "code"),
                        description="an office's code; default: every office the caller may read")
    fiscal_year: int | None = Field(default=None, ge=2400, le=2999,
                                    description="Buddhist-era fiscal year, e.g. 2565; default: the current one")


class ServiceFiguresOut(Schema):
    service: str = Field(examples=["LIT"])
    name_th: str
    name_en: str
    total: int = Field(description="requests received in the fiscal year")
    open: int = Field(description="of those, still open")
    finished: int = Field(description="of those, decided (an outcome) with the 21-working-day clock stopped")
    on_time: int = Field(description="of the finished, within the 21 working days")
    on_time_pct: float | None = Field(description="per cent of the finished on time, truncated to 2 decimals "
                                                  "(the fund's reports); null when none finished")
    mean_days: float | None = Field(description="mean working days taken by the finished, to 2 decimals; "
                                                "null when none finished")
    approved: int
    partially_approved: int
    rejected: int
    terminated: int


class DashboardOut(Schema):
    fiscal_year: int = Field(description="Buddhist-era fiscal year", examples=[2565])
    office: str = Field(description="the office's code, or empty for every office the caller may read")
    total: int = Field(description="requests received in the fiscal year")
    open: int = Field(description="open requests now, of every year")
    overdue: int = Field(description="open requests past their step's or overall due date, today")
    outcomes: dict[str, int] = Field(description="the fiscal year's decisions by outcome")
    services: list[ServiceFiguresOut]


def _service_figures(r: reports.ServiceFigures) -> dict[str, Any]:
    wf = workflows.all_definitions().get(r.service)
    return {
        "service": r.service, "name_th": wf.th if wf else r.service, "name_en": wf.en if wf else r.service,
        "total": r.total, "open": r.open, "finished": r.finished, "on_time": r.on_time,
        "on_time_pct": None if r.on_time_pct is None else float(r.on_time_pct),
        "mean_days": None if r.mean_days is None else float(r.mean_days),
        **{code: r.outcome(code) for code in reports.OUTCOMES},
    }


@api.get("/reports/dashboard", response=responses({200: DashboardOut}), tags=["reports"])
def report_dashboard(request: StaffRequest, filters: Query[DashboardFilter]) -> dict[str, Any]:
    """The staff dashboard's figures (the same rows as `/staff/dashboard/` and its CSV export): per
    service for a fiscal year, over the requests the caller may read. Aggregates only, no personal data."""
    _refuse_unknown_parameters(request, DashboardFilter)
    figures = reports.dashboard(request.user, fiscal_year=filters.fiscal_year, office=filters.office,
                                today=services.today())
    return {
        "fiscal_year": figures.fiscal_year, "office": figures.office, "total": figures.total,
        "open": figures.open_count, "overdue": figures.overdue_count, "outcomes": figures.outcomes,
        "services": [_service_figures(r) for r in figures.per_service],
    }


# ------------------------------------------------------------------ reference data


@api.get("/reference/services", response=responses({200: list[dict[str, Any]]}), tags=["reference"])
def ref_services(request: StaffRequest) -> list[dict[str, Any]]:
    out = []
    for code, svc in service_registry.all_services().items():
        wf = workflows.get(code)
        out.append({
            "code": code, "th": wf.th, "en": wf.en, "standard_days": wf.standard_days, "initial": wf.initial,
            "states": [{"code": s.code, "th": s.th, "en": s.en, "sla_days": s.sla_days, "clock": s.clock,
                        "terminal": s.terminal} for s in wf.states.values()],
            "actions": [{"code": a.code, "th": a.th, "en": a.en, "from": list(a.sources), "to": a.target,
                         "roles": list(a.roles), "documents_required": list(a.documents_required)}
                        for a in wf.actions.values()],
            "documents": [{"code": d.code, "th": d.th, "en": d.en, "required": d.required} for d in wf.documents.values()],
            "details_schema": SCHEMAS[code].model_json_schema(),
            "label": {"th": svc.label_th, "en": svc.label_en}, "prefix": svc.prefix,
            "standard_applies": svc.standard_applies, "registry_checks": list(svc.registry_checks),
            "rules": svc.rules,
        })
    return out


@api.get("/reference/offices", response=responses({200: list[dict[str, Any]]}), tags=["reference"])
def ref_offices(request: StaffRequest) -> list[dict[str, Any]]:
    return [{"code": o.code, "th": o.name_th, "en": o.name_en, "province_code": o.province_code,
             "is_central": o.is_central} for o in account_selectors.offices()]


class ReferenceReasonOut(Schema):
    code: str = Field(examples=["A01"])
    outcomes: list[str] = Field(description="the outcomes it may explain")
    th: str
    en: str
    basis: str = Field(description="the rule or regulation it rests on")
    category: str = Field(description="the category of fact it rests on (condition, hardship, merit, …)")
    category_th: str
    category_en: str
    cause: str = Field(description="for a termination's reason: the cause it fits (withdrawn, duplicate, …)")
    other: bool = Field(description="a catch-all “another reason”: alone, the decision's note must say what it is")
    unconfirmed: bool = Field(description="its legal basis is not confirmed yet")


@api.get("/reference/reasons", response=responses({200: list[ReferenceReasonOut]}), tags=["reference"])
def ref_reasons(request: StaffRequest) -> list[dict[str, Any]]:
    """The coded reasons a decision gives (``workflows/_reasons.yaml``)."""
    return [{"code": r.code, "outcomes": list(r.outcomes), "th": r.th, "en": r.en, "basis": r.basis,
             "category": r.category, "category_th": category_name(r.category, "th"),
             "category_en": category_name(r.category, "en"), "cause": r.cause, "other": r.other,
             "unconfirmed": r.unconfirmed}
            for r in all_reasons().values()]


@api.get("/reference/provinces", response=responses({200: list[dict[str, str]]}), tags=["reference"])
def ref_provinces(request: StaffRequest) -> list[dict[str, str]]:
    return [{"code": p.code, "th": p.name_th, "en": p.name_en} for p in geothai.provinces()]


@api.get("/reference/provinces/{code}/districts", response=responses({200: list[dict[str, str]]}), tags=["reference"])
def ref_districts(request: StaffRequest, code: str) -> list[dict[str, str]]:
    if geothai.province(code) is None:
        raise Http404("unknown province")
    return [{"code": d.code, "th": d.name_th, "en": d.name_en} for d in geothai.districts(code)]


@api.get("/reference/districts/{code}/subdistricts", response=responses({200: list[dict[str, Any]]}),
         tags=["reference"])
def ref_subdistricts(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    if geothai.district(code) is None:
        raise Http404("unknown district")
    return [{"code": s.code, "th": s.name_th, "en": s.name_en, "postal_codes": list(s.postal_codes)}
            for s in geothai.subdistricts(code)]


# the meetings', decisions' and appeals' operations (they use this module's errors, inputs and documentation)
from jfs.api.decisions import router as decisions_router  # noqa: E402  (it imports this module)

api.add_router("", decisions_router)

# the money's operations (issue 11): budgets and the ledger, bail records, recovery from absconders,
# the lawyers' roster and engagements, project grants
from jfs.api.bail import router as bail_router  # noqa: E402
from jfs.api.grants import router as grants_router  # noqa: E402
from jfs.api.lawyers import router as lawyers_router  # noqa: E402
from jfs.api.money import router as money_router  # noqa: E402
from jfs.api.recovery import router as recovery_router  # noqa: E402

for _money_router in (money_router, bail_router, recovery_router, lawyers_router, grants_router):
    api.add_router("", _money_router)
