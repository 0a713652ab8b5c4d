"""The read-only SQL console over HTTP: ``POST /api/sql`` and ``GET /api/sql/views``.

Unlike the other routes this one does not read the in-memory snapshot: each query opens the
warehouse file read-only for its own duration (at most the time limit), through
``coupwatch.read.console``, which also does every check. The handlers are plain ``def``, so
FastAPI runs them in its thread pool and a slow query never blocks the event loop.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from coupwatch.api.deps import dumps, json_bytes
from coupwatch.errors import EmptyWarehouse, NoData
from coupwatch.read import console as engine

router = APIRouter(prefix="/api/sql", tags=["sql"])
# Each query is a DuckDB instance of its own (up to 1 GB, all cores): two at a time keep the
# rest of the API responsive on a small server; a third waits, then gets a 503.
SLOTS = threading.BoundedSemaphore(2)

ERRORS = {
    400: {"description": "The body could not be read (not UTF-8 JSON)"},
    413: {"description": "The body is larger than 64 KB"},
    422: {"description": "A body that is not a JSON object (parameter 'body'); malformed or "
                         "forbidden SQL (anything but one SELECT, a file read, a function "
                         "showing the server's settings), a query that ran past the time "
                         "limit or whose answer passes 32 MB, or a bad limit; the message "
                         "says which"},
    503: {"description": "No warehouse yet, another process is writing it, or too many "
                         "queries at once"},
}


class SqlQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sql: str = Field(..., min_length=1, max_length=20_000,
                     description="one SELECT query over the views (see /api/sql/views)",
                     examples=["SELECT year, count(*) AS attempts FROM coups "
                               "GROUP BY year ORDER BY year"])
    limit: int = Field(engine.DEFAULT_LIMIT, ge=1, le=engine.DEFAULT_LIMIT,
                       description="most rows to return; 'truncated' tells if there were more")


class Answer(BaseModel):
    columns: list[str]
    types: list[str] = Field(description="DuckDB type of each column")
    rows: list[list[Any]]
    truncated: bool
    elapsed_ms: float


class Column(BaseModel):
    name: str
    type: str


class ViewInfo(BaseModel):
    name: str
    description: str
    available: bool
    needs: str | None = Field(description="what to run when the view is not available")
    columns: list[Column]


class Example(BaseModel):
    title: str
    sql: str


class Catalog(BaseModel):
    views: list[ViewInfo]
    examples: list[Example]
    limit: int
    timeout: float


def _warehouse(request: Request):
    path = request.app.state.store.path
    if not path.is_file():
        raise NoData(EmptyWarehouse.MESSAGE)
    return path


@router.post("", summary="Run one read-only SELECT over the warehouse views",
             response_model=None, responses={200: {"model": Answer}, **ERRORS})
def run_sql(body: SqlQuery, request: Request):
    """Views: coups, panel, forecasts, forecast_history, backtests, indicators, countries.
    Only a single SELECT is accepted: no writes, files, network, extensions or settings.
    The query is stopped after a few seconds and at most ``limit`` rows come back."""
    path = _warehouse(request)
    if not SLOTS.acquire(timeout=engine.DEFAULT_TIMEOUT):
        raise NoData("the SQL console is busy with other queries; try again shortly")
    try:
        # the server's time limit, read per call (clients cannot raise it)
        result = engine.query(body.sql, path=path, limit=body.limit,
                              timeout=engine.DEFAULT_TIMEOUT)
    finally:
        SLOTS.release()
    return json_bytes(dumps(result.payload()))


@router.get("/views", summary="The views, their columns and example queries",
            response_model=Catalog, responses={503: ERRORS[503]})
def sql_views(request: Request):
    path = _warehouse(request)
    return engine.catalog(engine.describe(path))
