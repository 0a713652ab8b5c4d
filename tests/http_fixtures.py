"""Local servers and a browser for tests: a static HTTP server on 127.0.0.1 (the download
path) and headless Chromium watching a page for errors and off-server requests.

Registered as a plugin by ``conftest.py``; ``http_server`` is imported where needed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright import sync_api as playwright_api  # a dev dependency: fail, never skip

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass


@contextmanager
def http_server(root: Path, handler: type[SimpleHTTPRequestHandler] = QuietHandler
                ) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (a free port) for the ``with`` block; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def watched_page(browser, base: str) -> Iterator[playwright_api.Page]:
    """A fresh page on ``base``; fails on a JavaScript error, a request that leaves the
    server, a dialog (``alert``) or anything the Content-Security-Policy blocked.

    Playwright's ``wait_for_function`` must be given a function (``"() => ..."``): an
    expression is evaluated with ``eval``, which the pages' policy forbids."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    remote: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"),
                                      dialog.dismiss()))
    page.on("console", lambda msg: errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(
        (base, "data:", "blob:")) else None)
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors
    assert not remote, f"requests left the server: {remote}"


@pytest.fixture()
def page(browser, live_server):
    """A fresh page on the session's live server (see ``watched_page``)."""
    with watched_page(browser, live_server) as fresh:
        yield fresh
