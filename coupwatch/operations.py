"""The Python API: what the CLI does, as functions (the CLI is a thin layer over these)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from coupwatch import config, countries, sources, validate, warehouse
from coupwatch.errors import BadInput, FetchError
from coupwatch.panel import leader_compare
from coupwatch.panel import store as panel_store
from coupwatch.panel.spec import NEEDS
from coupwatch.sources.fetch import Progress
from coupwatch.warehouse import events as events_store
from coupwatch.warehouse.ingest import Outcome


def update_data(names: Sequence[str] | None = None, *, mirror: str | Path | None = None,
                base_url: str | None = None, path: Path | None = None,
                progress: Callable[[str], Progress] | None = None,
                on_source: Callable[[str], None] | None = None) -> list[Outcome]:
    """Fetch (mirror, HTTP mirror or publishers), parse and load sources into the warehouse,
    with the panel stored again if the data changed (or no current panel is stored).

    Every source is parsed, and the panel built, before the warehouse is opened to write;
    the write is one transaction (see ``warehouse.ingest``)."""
    chosen = [sources.get(n).name for n in names] if names else None
    mirror_path = config.mirror_dir(mirror) if base_url is None else None
    if mirror_path is not None and not mirror_path.is_dir():
        raise BadInput(f"mirror directory not found: {mirror_path}", parameter="mirror")
    try:
        return warehouse.update(chosen, path=path or config.warehouse_path(),
                                mirror=mirror_path, base_url=base_url, progress=progress,
                                on_source=on_source, derived=panel_store.DERIVED)
    except FetchError as err:
        if mirror_path is not None or base_url is not None:
            raise
        raise FetchError(f"{err}. Nothing was written. No mirror was given: pass --mirror DIR "
                         "(or set COUPWATCH_MIRROR) to read the sources from a copy, or check "
                         "the network") from err


def data_status(path: Path | None = None) -> dict[str, pd.DataFrame]:
    """What the warehouse holds (files, rows, unmapped codes) and, per source, how current
    it is and whether the newest forecast left it out (``freshness``)."""
    from coupwatch.read import freshness, views

    with warehouse.read_only(path) as con:
        report = warehouse.status(con)
    con = views.engine()
    try:
        report["freshness"] = freshness.table(con, views.attach(con, path))
    finally:
        con.close()
    return report


def compare_leaders(country: str | None = None, date_from: int | None = None,
                    date_to: int | None = None, *, path: Path | None = None
                    ) -> leader_compare.LeaderComparison:
    """Where REIGN and Wikidata both cover a state-year, whether their leader changes agree
    (Wikidata's office that matches REIGN's leader; definitions in ``panel.leader_compare``):
    every state-year compared, and those that disagree."""
    first, last = date_from, date_to
    if first is not None or last is not None:
        validate.year_span(first if first is not None else 1800,
                           last if last is not None else 2100, 1800, 2100)
    code = countries.resolve(country) if country else None
    with warehouse.read_only(path) as con:
        validate.has_data(con)
        return leader_compare.compare(con, first=first, last=last, gwcode=code)


def load_panel(path: Path | None = None, *, start: int | None = None,
               end: int | None = None) -> pd.DataFrame:
    """The country-year panel, optionally cut to years ``start``..``end``."""
    if start is not None and end is not None:
        validate.year_span(start, end, start, end)
    with warehouse.read_only(path) as con:
        warehouse.completeness(con, NEEDS).require("the panel's features")
        frame = panel_store.load(con)
    if start is not None:
        frame = frame[frame["year"] >= start]
    if end is not None:
        frame = frame[frame["year"] <= end]
    return frame.reset_index(drop=True)


def _window(date_from: str | None, date_to: str | None) -> tuple[pd.Timestamp | None,
                                                                  pd.Timestamp | None]:
    start, stop = validate.date_range(date_from, date_to)
    return (pd.Timestamp(start) if start else None), (pd.Timestamp(stop) if stop else None)


def _within(dates: pd.Series, start: pd.Timestamp | None, stop: pd.Timestamp | None) -> pd.Series:
    keep = pd.Series(True, index=dates.index)
    if start is not None:
        keep &= dates >= start
    if stop is not None:
        keep &= dates <= stop
    return keep


def _read_events(source: str, release: str | None, path: Path | None) -> pd.DataFrame:
    with warehouse.read_only(path) as con:
        validate.has_data(con)
        return events_store.read(con, source, release)


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.insert(0, "date", events_store.dates(frame).dt.strftime("%Y-%m-%d"))
    return out.drop(columns=["year", "month", "day"]).reset_index(drop=True)


def list_events(country: str | None = None, date_from: str | None = None,
                date_to: str | None = None, *, source: str = "powell_thyne",
                release: str | None = None, path: Path | None = None) -> pd.DataFrame:
    """Coup events of one source's newest release (or ``release``), filtered.

    ``source`` is ``powell_thyne`` (coup attempts: ``kind`` successful/failed) or ``cline``
    (``kind`` = the event type coup/attempted/conspiracy, with the codings set in ``actors``).
    """
    if source not in events_store.ATTEMPTS:
        raise BadInput(f"unknown event source '{source}' (known: "
                       f"{', '.join(events_store.ATTEMPTS)})", parameter="source")
    start, stop = _window(date_from, date_to)
    code = countries.resolve(country) if country else None
    frame = _read_events(source, release, path)
    keep = _within(events_store.dates(frame), start, stop)
    if code is not None:
        keep &= frame["gwcode"] == code
    out = _dated(frame[keep])
    return out if source != "powell_thyne" else out.drop(columns=["actors"])


def compare_events(country: str | None = None, date_from: str | None = None,
                   date_to: str | None = None, *, window: int = events_store.WINDOW,
                   path: Path | None = None) -> events_store.Comparison:
    """Powell & Thyne's attempts against the Cline Center's coups and attempts (newest
    releases): what each list has that the other has not, matched by state and date.

    The lists are matched whole, then cut to the dates asked for, so an event near the edge of
    the range still finds its partner outside it; a pair is kept when either date is inside.
    """
    start, stop = _window(date_from, date_to)
    code = countries.resolve(country) if country else None
    pt = _read_events("powell_thyne", None, path)
    cline = _read_events("cline", None, path)
    if code is not None:
        pt, cline = pt[pt["gwcode"] == code], cline[cline["gwcode"] == code]
    result = events_store.compare(pt, cline, window=window)
    pair_dates = [pd.to_datetime(result.pairs[f"{s}_date"]) for s in ("powell_thyne", "cline")]
    result.pairs = result.pairs[_within(pair_dates[0], start, stop)
                                | _within(pair_dates[1], start, stop)].reset_index(drop=True)
    for name in ("only_first", "only_second", "conspiracies"):
        frame = getattr(result, name)
        kept = frame[_within(events_store.dates(frame), start, stop)]
        setattr(result, name, _dated(kept).drop(columns=["file", "line"]))
    result.only_first = result.only_first.drop(columns=["actors"])
    return result


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
