"""The dashboard: one page and its static files, all from the package."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
WEB = resources.files("coupwatch.web")


@router.get("/", response_class=HTMLResponse)
def dashboard():
    return HTMLResponse(WEB.joinpath("templates", "index.html").read_text(encoding="utf-8"),
                        headers={"Cache-Control": "no-cache"})
