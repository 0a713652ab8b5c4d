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
