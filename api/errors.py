"""App-wide answers for bad requests: a sentence and the fields at fault, never a 500.

FastAPI's default 422 repeats the submitted input back, which fails to encode (a 500) when
the input holds a lone surrogate, and echoes tenants' data; this handler names the fields
and says what is wrong instead.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [
        {
            "field": ".".join(str(part) for part in item.get("loc", ())),
            "problem": str(item.get("msg", "is not valid")),
        }
        for item in error.errors()
    ]
    return JSONResponse(
        status_code=422,
        content={"detail": "Some of the request is not valid.", "problems": problems},
    )


def register(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
