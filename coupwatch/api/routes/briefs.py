"""Country briefs (HTML and PDF) over HTTP."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from coupwatch.api.deps import ERRORS, ISO3, check_year, country, snapshot
from coupwatch.briefs import render
from coupwatch.read.snapshot import Snapshot

router = APIRouter(prefix="/briefs", tags=["briefs"])
PDF_SEMAPHORE = asyncio.Semaphore(2)  # WeasyPrint is CPU-bound: at most two at a time


def _context(request: Request, snap: Snapshot, iso3: str, year: int | None, wait: float):
    code = country(snap, iso3)
    target = check_year(snap, year)
    iso = str(snap.countries.loc[code, "iso3"])
    state, result, _ = request.app.state.explainer.get(iso, target, snap.data_key, wait)
    return render.context(snap, code, target, drivers=result if state == "done" else None,
                          drivers_state=state)


@router.get("/{iso3}.html", summary="Country brief as HTML", response_class=HTMLResponse,
            responses=ERRORS)
def brief_html(request: Request, iso3: str = ISO3, snap: Snapshot = Depends(snapshot),
               year: int | None = Query(None, ge=1900, le=2100),
               wait: float = Query(2.0, ge=0, le=60, description="seconds to wait for the "
                                   "drivers if they are still being computed")):
    return HTMLResponse(render.html(_context(request, snap, iso3, year, wait)))


@router.get("/{iso3}.pdf", summary="Country brief as PDF (one A4 page)",
            responses={**ERRORS, 200: {"content": {"application/pdf": {}}}})
async def brief_pdf(request: Request, iso3: str = ISO3, snap: Snapshot = Depends(snapshot),
                    year: int | None = Query(None, ge=1900, le=2100),
                    wait: float = Query(2.0, ge=0, le=60, description="seconds to wait for "
                                        "the drivers if they are still being computed")):
    context = await asyncio.to_thread(_context, request, snap, iso3, year, wait)
    async with PDF_SEMAPHORE:
        data = await asyncio.to_thread(render.pdf, context)
    name = f"coupwatch-brief-{context['country']['iso3'].lower()}-{context['year']}.pdf"
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
