"""Security headers on every response: a Content-Security-Policy that forbids inline script.

Values in data files reach the pages (a release name, a file name, a country name). The pages
insert them as text, never as HTML; the policy is the second line of defence: even a string
that got in as markup could not run, because only script files served by this server run.

- the dashboard, its static files and everything else: scripts and styles from this server
  only, no inline script or style attribute, no plugin, no frame, no form posting elsewhere;
- ``/docs`` (Swagger UI): the same for scripts; Swagger UI sets inline styles and shows
  ``data:`` images, so those are allowed there;
- ``/briefs/*.html``: a document with no script at all, its styles inline.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException

MAX_BODY = 64 * 1024  # bytes: a request body (POST /api/sql) larger than this is refused
TOO_LARGE = (f"the request body is larger than {MAX_BODY // 1024} KB: send one query of at "
             "most 20,000 characters")

DASHBOARD = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
             "form-action 'self'; frame-ancestors 'none'")
DOCS = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'")
BRIEF = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
         "form-action 'none'; frame-ancestors 'self'")


def policy(path: str) -> str:
    if path == "/docs" or path.startswith("/docs/"):
        return DOCS
    if path.startswith("/briefs/") and path.endswith(".html"):
        return BRIEF
    return DASHBOARD


class SecurityHeaders:
    """Pure ASGI (no per-request task or body copy): adds the headers as the response
    starts."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [(b"content-security-policy", policy(scope["path"]).encode()),
                 (b"x-content-type-options", b"nosniff"),
                 (b"referrer-policy", b"same-origin")]

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse a request body over ``MAX_BODY`` bytes with 413, before it is read whole:
    at once when Content-Length says so, else as soon as the chunks received pass it."""

    def __init__(self, app, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.limit:
            body = json.dumps({"detail": TOO_LARGE, "parameter": "body"}).encode()
            await send({"type": "http.response.start", "status": 413, "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": body})
            return
        received = 0

        async def limited():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:  # a chunked body: FastAPI answers 413 from here
                raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, limited, send)
