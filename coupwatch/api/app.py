"""The FastAPI application: read-only over the warehouse, served by uvicorn."""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from coupwatch import __version__, config
from coupwatch.api import errors
from coupwatch.api.fastpath import CachedForecasts
from coupwatch.api.routes import (
    backtest,
    briefs,
    case,
    countries,
    docs,
    events,
    explain,
    forecasts,
    meta,
    region,
    sql,
    web,
)
from coupwatch.api.security import BodyLimit, SecurityHeaders
from coupwatch.errors import Busy, NoData
from coupwatch.read.explainer import Explainer
from coupwatch.read.snapshot import Store

DESCRIPTION = """Open early warning of coups: one-year-ahead and 1-12-month risk per country,
the record of our past (out-of-sample) forecasts, coup events and indicators, and country
briefs.
Read-only over the local DuckDB warehouse. Errors are JSON `{"detail", "parameter"}`."""


def create_app(warehouse: Path | None = None, *, cors_origins: list[str] | None = None,
               explain_workers: int = 1) -> FastAPI:
    """Build the app. ``cors_origins`` stays empty (CORS off) unless given explicitly."""
    path = Path(warehouse) if warehouse is not None else config.warehouse_path()
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            snap = app.state.store.get()  # load the snapshot before the first request
            if snap.run is not None:  # and render the default ranked list
                snap.cached(("forecasts", snap.target_year, None),
                            lambda: forecasts.ranked_payload(snap, snap.target_year, None))
        except (NoData, Busy):
            pass  # served as 503 until `coupwatch data update` / `forecast` have run, or
            # the writer holding the warehouse is done
        yield
        app.state.explainer.shutdown()

    app = FastAPI(title="coupwatch", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.store = Store(path)
    app.state.explainer = Explainer(path, workers=explain_workers)
    errors.install(app)
    for module in (meta, countries, events, forecasts, backtest, explain, briefs, sql, case,
                   region, docs, web):
        app.include_router(module.router)
    static = resources.files("coupwatch.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.openapi = lambda: openapi_for_data(app)
    app.add_middleware(CachedForecasts, store=app.state.store)
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["GET"],
                           allow_headers=[])
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)  # outermost: on every response, fast path included

    return app


YEAR_PARAMETERS = {"year": "years", "from": "known", "to": "known"}


def openapi_for_data(app: FastAPI) -> dict:
    """The OpenAPI schema with year bounds taken from the data being served."""
    import copy

    from fastapi.openapi.utils import get_openapi

    if getattr(app.state, "base_openapi", None) is None:
        app.state.base_openapi = get_openapi(title=app.title, version=app.version,
                                             description=app.description, routes=app.routes)
    try:
        snap = app.state.store.get()
    except NoData:
        return app.state.base_openapi

    def build() -> dict:
        schema = copy.deepcopy(app.state.base_openapi)
        years = snap.years()
        known = sorted(int(y) for y in snap.backtests.loc[
            snap.backtests["observed_attempt"].notna(), "year"].unique()) \
            if len(snap.backtests) else []
        bounds = {"years": years, "known": known}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                for parameter in operation.get("parameters", []):
                    span = bounds.get(YEAR_PARAMETERS.get(parameter["name"], ""))
                    if parameter["in"] != "query" or not span:
                        continue
                    for option in parameter["schema"].get("anyOf", [parameter["schema"]]):
                        if option.get("type") == "integer":
                            option["minimum"], option["maximum"] = span[0], span[-1]
        return schema

    return snap.cached("openapi", build)


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several worker processes): settings from the
    environment (``COUPWATCH_HOME``; ``COUPWATCH_CORS_ORIGINS``, comma-separated)."""
    return create_app(cors_origins=config.cors_origins() or None)
