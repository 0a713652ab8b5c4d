"""The Python API: what the CLI does, as functions (the CLI is a thin layer over these)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from coupwatch import config, countries, sources, warehouse
from coupwatch.errors import BadInput
from coupwatch.panel import store as panel_store
from coupwatch.sources.fetch import Progress
from coupwatch.warehouse.ingest import Outcome


def update_data(names: Sequence[str] | None = None, *, mirror: str | Path | None = None,
                base_url: str | None = None, path: Path | None = None,
                progress: Callable[[str], Progress] | None = None,
                on_source: Callable[[str], None] | None = None) -> list[Outcome]:
    """Fetch (mirror, HTTP mirror or publishers), parse and load sources into the warehouse,
    then store the panel again if the data changed (or no current panel is stored)."""
    chosen = [sources.get(n).name for n in names] if names else None
    mirror_path = config.mirror_dir(mirror) if base_url is None else None
    if mirror_path is not None and not mirror_path.is_dir():
        raise BadInput(f"mirror directory not found: {mirror_path}", parameter="mirror")
    con = warehouse.connect(path)
    try:
        outcomes = warehouse.update(con, chosen, mirror=mirror_path, base_url=base_url,
                                    progress=progress, on_source=on_source)
        # only after every source committed: a refused file raises above, so the stored
        # panel never moves when the data did not
        panel_store.refresh(con)
        return outcomes
    finally:
        con.close()


def data_status(path: Path | None = None) -> dict[str, pd.DataFrame]:
    with warehouse.read_only(path) as con:
        return warehouse.status(con)


def load_panel(path: Path | None = None, *, start: int | None = None,
               end: int | None = None) -> pd.DataFrame:
    """The country-year panel, optionally cut to years ``start``..``end``."""
    if start is not None and end is not None and start > end:
        raise BadInput(f"--from {start} is after --to {end}", parameter="from")
    with warehouse.read_only(path) as con:
        if warehouse.is_empty(con):
            raise BadInput("the warehouse is empty: run `coupwatch data update` first")
        frame = panel_store.load(con)
    if start is not None:
        frame = frame[frame["year"] >= start]
    if end is not None:
        frame = frame[frame["year"] <= end]
    return frame.reset_index(drop=True)


def _date(text: str | None, parameter: str) -> dt.date | None:
    if text is None:
        return None
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise BadInput(f"'{text}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", parameter=parameter)


def list_events(country: str | None = None, date_from: str | None = None,
                date_to: str | None = None, *, release: str | None = None,
                path: Path | None = None) -> pd.DataFrame:
    """Coup events of the newest Powell & Thyne release (or ``release``), filtered."""
    start, stop = _date(date_from, "from"), _date(date_to, "to")
    if date_to is not None and len(date_to) < 10 and stop is not None:
        # "--to 2021" means through the end of 2021
        stop = (pd.Timestamp(stop) + pd.offsets.YearEnd(1) if len(date_to) == 4
                else pd.Timestamp(stop) + pd.offsets.MonthEnd(1)).date()
    code = countries.resolve(country) if country else None
    with warehouse.read_only(path) as con:
        if warehouse.is_empty(con):
            raise BadInput("the warehouse is empty: run `coupwatch data update` first")
        releases = [r[0] for r in con.execute(
            "SELECT DISTINCT release FROM events ORDER BY release").fetchall()]
        chosen = release or (releases[-1] if releases else None)
        if release is not None and release not in releases:
            raise BadInput(f"unknown release '{release}' (have: {', '.join(releases)})",
                           parameter="release")
        frame = con.execute("""
            SELECT e.year, e.month, e.day, e.gwcode, c.iso3, coalesce(c.name, e.country)
                   AS country, e.kind, e.release, e.file, e.line
            FROM events e LEFT JOIN countries c USING (gwcode)
            WHERE e.release = ? ORDER BY e.year, e.month, e.day, e.gwcode""", [chosen]).df()
    dates = pd.to_datetime(dict(year=frame["year"], month=frame["month"],
                                day=frame["day"].fillna(1)))
    keep = pd.Series(True, index=frame.index)
    if code is not None:
        keep &= frame["gwcode"] == code
    if start is not None:
        keep &= dates >= pd.Timestamp(start)
    if stop is not None:
        keep &= dates <= pd.Timestamp(stop)
    out = frame[keep].copy()
    out.insert(0, "date", dates[keep].dt.strftime("%Y-%m-%d"))
    return out.drop(columns=["year", "month", "day"]).reset_index(drop=True)


def monthly_forecast(path: Path | None = None, *, model: str = "ensemble", seed: int = 0,
                     save: bool = True) -> tuple[pd.DataFrame, str | None]:
    """States ranked by P(coup attempt within 3 months of the newest month of data), with
    the 1-, 6- and 12-month risks, P(successful coup) and the change since the month
    before; stored as a run unless ``save`` is False. Returns the frame and the run id."""
    from coupwatch.forecasts import monthly

    con = warehouse.connect(path)
    try:
        return monthly.forecast(con, model=model, seed=seed, save=save)
    finally:
        con.close()


def monthly_history(country: str | int, path: Path | None = None, *, horizon: int = 3,
                    outcome: str = "attempt", start: int = 2011, end: int | None = None,
                    model: str = "ensemble", seed: int = 0) -> pd.DataFrame:
    """A country's out-of-sample monthly risk (one row per origin month) beside what
    happened, from the stored monthly backtest (computed and stored where missing)."""
    from coupwatch.forecasts import monthly

    con = warehouse.connect(path)
    try:
        return monthly.history(con, country, horizon=horizon, outcome=outcome, start=start,
                               end=end, model=model, seed=seed)
    finally:
        con.close()
