"""Error responses: a JSON ``{"detail": ..., "parameter": ...}`` body, never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from coupwatch.errors import Busy, Expected

log = logging.getLogger("uvicorn.error")  # printed by uvicorn's handlers


def _body(detail: str, parameter: str | None = None) -> dict:
    return {"detail": detail, "parameter": parameter} if parameter else {"detail": detail}


def _describe(error: dict) -> tuple[str, str | None]:
    loc = tuple(error.get("loc", ()))
    message = str(error.get("msg", "invalid value"))
    if error.get("type") == "json_invalid" or loc[:1] == ("body",) and len(loc) < 2:
        # the body as a whole (not JSON, not an object): name it, not a byte offset
        reason = (error.get("ctx") or {}).get("error")
        return (f"parameter 'body': {message}{f' ({reason})' if reason else ''}: send a JSON "
                'object such as {"sql": "SELECT 1"}'), "body"
    where = [str(p) for p in loc if p not in ("query", "path", "body")]
    parameter = where[0] if where else None
    if parameter:
        return f"parameter '{parameter}': {message}", parameter
    return message, None


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        messages = [_describe(e) for e in errors] or [("invalid request", None)]
        detail = "; ".join(m for m, _ in messages)
        return JSONResponse(status_code=422, content=_body(detail, messages[0][1]))

    @app.exception_handler(Expected)
    async def expected(request: Request, exc: Expected):
        # every expected error carries its HTTP status (422 bad input, 404 unknown name,
        # 503 no data yet or a busy warehouse)
        headers = {"Retry-After": "5"} if isinstance(exc, Busy) else None
        return JSONResponse(status_code=exc.status, content=_body(str(exc), exc.parameter),
                            headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else "error"
        parameter = "body" if exc.status_code == 413 else None
        return JSONResponse(status_code=exc.status_code, content=_body(detail, parameter),
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse(status_code=500, content=_body("internal error (see server log)"))
