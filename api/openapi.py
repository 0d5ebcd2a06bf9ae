"""The OpenAPI document says what the API really answers: every error body and status code.

FastAPI documents only the success and its own 422 (`HTTPValidationError`), which this API
never sends (see api/errors.py). `document_errors` rewrites the generated document once:
the 422 and every other error an operation can give, each with the body it really has.
Sign-in is found from each route's dependencies; the rest is listed per operation below,
and tests/api/test_fuzz.py checks every answer against the document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.routing import BaseRoute

from analysis.exports import MEDIA_TYPES
from api.auth.deps import current_principal
from api.repairs.routes import require_api_key


class ErrorBody(BaseModel):
    """Every error answer: one sentence saying what is wrong and what to do."""

    detail: str = Field(description="What is wrong, as a sentence.")


class FieldProblem(BaseModel):
    field: str = Field(description="Where the problem is, e.g. `query.until` or `body.note`.")
    problem: str = Field(description="What is wrong with it.")


class InvalidRequest(BaseModel):
    """A request that is not valid: a sentence, and the fields at fault when known."""

    detail: str
    problems: list[FieldProblem] = Field(
        default_factory=list, description="One entry per field at fault (parameters, body)."
    )


class EventProblem(BaseModel):
    index: int = Field(description="Position of the event in the list sent (0 for one event).")
    job_id: str | None = Field(default=None, description="The event's job_id, if it had one.")
    problems: list[str]


class RefusedEvents(BaseModel):
    """No event was stored: a sentence, or each refused event with its problems."""

    detail: str | list[EventProblem]


class RefusedCampaign(BaseModel):
    """The campaign cannot be saved as written: a sentence, or one sentence per problem."""

    detail: str | list[str]


class CredentialsProblem(BaseModel):
    type: str
    loc: list[str | int]
    msg: str


class RefusedCredentials(BaseModel):
    """The sign-in body is not an email and a password."""

    detail: str | list[CredentialsProblem]


class RefusedQuestionnaire(BaseModel):
    """The questionnaire was not loaded: a sentence and, when it was read, its problems."""

    detail: str
    lines: list[str] = Field(default_factory=list, description="Each problem as one line.")
    problems: list[dict[str, Any]] = Field(
        default_factory=list, description="Each problem: file, line, column, question, fix."
    )


MODELS: tuple[type[BaseModel], ...] = (
    ErrorBody,
    InvalidRequest,
    RefusedEvents,
    RefusedCampaign,
    RefusedCredentials,
    RefusedQuestionnaire,
)

DESCRIPTIONS = {
    400: "The body could not be read (not JSON, or a broken form).",
    401: "Not signed in, or the API key is missing, unknown or revoked.",
    403: "Signed in, but the role (or a missing CSRF token) does not allow this.",
    404: "Nothing has that reference or number.",
    409: "The request conflicts with the current state; look again and retry.",
    413: "The body is too large.",
    415: "The body is not of a type this operation reads.",
    422: "The request is not valid; the sentence (and fields) say what to change.",
    429: "Too many attempts; wait a little and try again.",
    503: "The database cannot be reached just now; try again shortly.",
}

# The errors an operation gives besides 401/403 (found from its dependencies), 422 (for
# any operation with parameters), 400 and 422 (with a body) and 503 (any operation may
# meet a database outage).
ERRORS: dict[str, tuple[int, ...]] = {
    "POST /api/questionnaires": (400, 409, 413, 415, 422),
    "POST /api/events/repairs": (400, 413, 422),
    "GET /api/questionnaires/{questionnaire_id}/preview": (404,),
    "POST /api/auth/login": (401, 413, 415, 422, 429),
    "GET /api/tenants/{tenant_ref}/subject-access": (404,),
    "POST /api/tenants/{tenant_ref}/erase": (404,),
    "GET /api/tenants/{tenant_ref}": (404,),
    "POST /api/tenants/import": (400, 413, 415, 422),
    "POST /api/campaigns": (400, 409, 413, 422),
    "GET /api/campaigns/{campaign_id}": (404,),
    "PATCH /api/campaigns/{campaign_id}": (400, 404, 409, 413, 422),
    "GET /api/campaigns/{campaign_id}/progress": (404,),
    "POST /api/campaigns/{campaign_id}/{action}": (404, 409),
    "POST /api/concerns/{concern_id}/acknowledge": (404, 409),
    "POST /api/concerns/{concern_id}/close": (404, 409),
    "POST /api/concerns/{concern_id}/steps/{step}": (404, 409),
    "POST /api/concerns/{concern_id}/classify": (404, 409),
}

# A 422 whose body differs from `InvalidRequest`.
REFUSALS: dict[str, type[BaseModel]] = {
    "POST /api/questionnaires": RefusedQuestionnaire,
    "POST /api/events/repairs": RefusedEvents,
    "POST /api/auth/login": RefusedCredentials,
    "POST /api/campaigns": RefusedCampaign,
    "PATCH /api/campaigns/{campaign_id}": RefusedCampaign,
}

# Successes that are not the JSON of the route's default status.
SUCCESSES: dict[str, tuple[str, dict[str, Any]]] = {
    "POST /api/questionnaires": ("201", {"application/json": {}}),
    "GET /api/exports/{fmt}": (
        "200",
        {MEDIA_TYPES[fmt].split(";")[0]: {} for fmt in ("csv", "xlsx", "parquet", "sav")},
    ),
    "GET /api/exports/codebook.{suffix}": (
        "200",
        {"application/json": {}, "text/csv": {}},
    ),
}
SIGN_IN_CHECKS: tuple[Callable[..., Any], ...] = (current_principal, require_api_key)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any] | None]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # FastAPI >= 0.16x nests routers
        if included is not None:
            yield from _api_routes(included.routes)


def _signed_in_operations(app: FastAPI) -> set[str]:
    """Operations behind sign-in or an API key (this app includes routers without prefix)."""
    return {
        f"{method} {route.path_format}"
        for route in _api_routes(app.routes)
        if any(call in SIGN_IN_CHECKS for call in _calls(route.dependant))
        for method in route.methods or ()
    }


def _reference(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _error(status: int, model: type[BaseModel]) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[status],
        "content": {"application/json": {"schema": _reference(model)}},
    }


def _document_operation(name: str, operation: dict[str, Any], signed_in: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if name in SUCCESSES:
        success, content = SUCCESSES[name]
        responses.setdefault(success, {"description": "Done."})["content"] = content
    codes = set(ERRORS.get(name, ())) | {503}
    if signed_in:
        codes |= {401, 403}
    if operation.get("requestBody"):
        codes |= {400, 422}  # FastAPI answers 400 itself to a body it cannot decode
    if "422" in responses or operation.get("parameters"):
        codes.add(422)
    for code in sorted(codes):
        model = REFUSALS.get(name, InvalidRequest) if code == 422 else ErrorBody
        responses[str(code)] = _error(code, model)


def _add_models(schema: dict[str, Any]) -> None:
    schemas: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in MODELS:
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(definition.pop("$defs", {}))
        schemas[model.__name__] = definition
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def document_errors(app: FastAPI) -> None:
    """Make `app.openapi()` document every error answer of the API's operations."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            signed_in = _signed_in_operations(app)
            for path, operations in schema.get("paths", {}).items():
                for method, operation in operations.items():
                    name = f"{method.upper()} {path}"
                    _document_operation(name, operation, name in signed_in)
            _add_models(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
