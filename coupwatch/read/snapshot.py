"""An in-memory, read-only copy of what the API, the dashboard and the briefs show.

It is read through the published views (``read/views.py``): the latest forecast run, its
backtests, the countries, the coup events of the newest Powell & Thyne release, the indicator
series the catalog shows, and the sources. The warehouse is attached READ-ONLY just long
enough to copy them, so ``coupwatch forecast`` or ``coupwatch data update`` can still write
while the server runs; :class:`Store` reloads the snapshot when the warehouse file changes.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from coupwatch import catalog, config
from coupwatch.errors import BadInput, Busy, NoData
from coupwatch.forecasts.ranking import rank_years
from coupwatch.read import freshness, monthly, views


@dataclass
class Snapshot:
    path: Path
    mtime: float
    loaded_at: str
    countries: pd.DataFrame  # one row per G&W state, indexed by gwcode
    events: pd.DataFrame  # newest Powell & Thyne release
    release: str | None
    indicators: pd.DataFrame  # gwcode, year, variable, value
    provenance: pd.DataFrame  # the sources view: one row per file loaded
    freshness: pd.DataFrame  # per source: covered through, left out of the newest run
    run: dict | None  # the latest forecast run
    forecast: pd.DataFrame  # that run's ranked list
    backtests: pd.DataFrame  # past years for the run's data, model and seed, ranked per year
    monthly_run: dict | None = None  # the newest monthly run (``read.monthly``)
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)  # its ranked list
    monthly_backtests: pd.DataFrame = field(default_factory=pd.DataFrame)  # its data's record
    iso3_index: dict[str, int] = field(default_factory=dict)
    cache: dict = field(default_factory=dict)  # rendered responses, per snapshot
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- lookups --------------------------------------------------------------------------
    @property
    def target_year(self) -> int | None:
        return int(self.run["target_year"]) if self.run else None

    @property
    def data_key(self) -> str | None:
        return self.run["data_key"] if self.run else None

    def years(self) -> list[int]:
        """Years we have a ranked forecast for: past years (backtests) and the target."""
        have = set(self.backtests["year"].unique().tolist()) if len(self.backtests) else set()
        if self.target_year is not None:
            have.add(self.target_year)
        return sorted(int(y) for y in have)

    def gwcode(self, iso3: str) -> int | None:
        return self.iso3_index.get(iso3.strip().upper())

    def ranked(self, year: int) -> pd.DataFrame:
        """The ranked list for ``year`` (target year: the stored run; past: the backtest)."""
        if year == self.target_year:
            frame = self.forecast.copy()
            past = self.backtests[self.backtests["year"] == year]
            frame = frame.merge(past[["gwcode", "observed_attempt", "observed_coup",
                                      "observed_failed"]], on="gwcode", how="left")
            return frame
        return self.backtests[self.backtests["year"] == year].sort_values("rank") \
            .reset_index(drop=True)

    def country_events(self, gwcode: int) -> pd.DataFrame:
        return self.events[self.events["gwcode"] == gwcode]

    def series(self, gwcode: int) -> pd.DataFrame:
        return self.indicators[self.indicators["gwcode"] == gwcode]

    def history(self, gwcode: int) -> pd.DataFrame:
        return self.backtests[self.backtests["gwcode"] == gwcode].sort_values("year")

    def cached(self, key, make):
        """A value computed once per snapshot (response bytes, metrics, ...)."""
        value = self.cache.get(key)
        if value is None:
            with self.lock:
                value = self.cache.get(key)
                if value is None:
                    value = make()
                    self.cache[key] = value
        return value


def load(path: Path | None = None) -> Snapshot:
    """Copy what the interfaces need out of the warehouse (read-only) into memory."""
    target = Path(path) if path is not None else config.warehouse_path()
    if not target.exists():
        raise NoData(f"no warehouse at {target.name}: run `coupwatch data update` first")
    mtime = target.stat().st_mtime
    con = views.engine()
    try:
        try:
            available = views.attach(con, target)
        except BadInput as err:  # empty, or not a warehouse at all: nothing to serve yet
            raise NoData(str(err)) from None
        states = _frame(con, "SELECT * FROM countries")
        events = _frame(con, """SELECT gwcode, year, month, day, kind, release, file, line,
                                       country, iso3 FROM coups""")
        shown = catalog.shown()
        indicators = _frame(con, """
            SELECT i.gwcode, i.year, i.variable, avg(i.value) AS value,
                   any_value(i.source) AS source, any_value(i.file) AS file
            FROM indicators i JOIN (SELECT unnest(?) AS source, unnest(?) AS variable) w
              USING (source, variable)
            WHERE i.value IS NOT NULL AND i.gwcode IS NOT NULL
            GROUP BY i.gwcode, i.year, i.variable ORDER BY i.variable, i.gwcode, i.year""",
                            [[v.source for v in shown], [v.variable for v in shown]])
        provenance = _frame(con, "SELECT * FROM sources")
        current = freshness.table(con, available)
        run, forecast, backtests = None, pd.DataFrame(), pd.DataFrame()
        if "runs" in available:
            run = _run(_frame(con, "SELECT * EXCLUDE (latest) FROM runs WHERE latest"))
            forecast = _frame(con, """SELECT * EXCLUDE (run_id, run_created_at, model,
                                      model_version) FROM forecasts ORDER BY rank""")
            backtests = _frame(con, "SELECT * EXCLUDE (model) FROM backtests")
        monthly_run, monthly_now, monthly_past = monthly.load(con, available)
    except duckdb.Error as err:
        raise Busy(f"the warehouse could not be read ({type(err).__name__}); try again") \
            from None
    finally:
        con.close()
    release = str(events["release"].iloc[0]) if len(events) else None
    states = states.set_index("gwcode", drop=False)
    for column in ("memberships", "suspended"):
        states[column] = [list(m) if m is not None else [] for m in states[column]]
    iso3_index = {str(i): int(g) for g, i in zip(states["gwcode"], states["iso3"], strict=True)
                  if isinstance(i, str) and i}
    events["date"] = [f"{y:04d}-{int(m):02d}-{int(d):02d}" if d == d and d is not None
                      else f"{y:04d}-{int(m):02d}" for y, m, d in
                      zip(events["year"], events["month"], events["day"], strict=True)]
    return Snapshot(path=target, mtime=mtime,
                    loaded_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                    countries=states, events=events, release=release,
                    indicators=indicators, provenance=provenance, freshness=current, run=run,
                    forecast=forecast, backtests=rank_years(backtests),
                    monthly_run=monthly_run, monthly=monthly_now,
                    monthly_backtests=monthly_past, iso3_index=iso3_index)


def _frame(con, sql: str, params=None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _run(frame: pd.DataFrame) -> dict | None:
    if frame.empty:
        return None
    run = frame.iloc[0].to_dict()
    run["created_at"] = pd.Timestamp(run["created_at"]).isoformat()
    run["target_year"] = int(run["target_year"])
    run["seed"] = int(run["seed"])
    run["data_versions"] = json.loads(run["data_versions"] or "[]")
    run["left_out"] = json.loads(run.get("left_out") or "[]")
    return run


class Store:
    """Holds the current snapshot; reloads it when the warehouse file changes on disk.

    The check costs one ``stat`` at most every ``check_every`` seconds. The first load is
    synchronous; later reloads run in a background thread while requests keep getting the
    previous snapshot, so the event loop never waits for DuckDB.
    """

    def __init__(self, path: Path | None = None, check_every: float = 5.0) -> None:
        self.path = Path(path) if path is not None else config.warehouse_path()
        self.check_every = check_every
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self.error: str | None = None

    def _load(self) -> None:
        try:
            self._snapshot = load(self.path)
            self.error = None
        except (NoData, Busy) as err:  # e.g. a writer holds the lock: keep the old
            self.error = type(err).__name__
        finally:
            self._loading = None

    def get(self) -> Snapshot:
        now = time.monotonic()
        snap = self._snapshot
        if snap is not None and now - self._checked < self.check_every:
            return snap
        with self._lock:
            if self._snapshot is None:  # first load: the caller waits
                self._snapshot = load(self.path)
                self._checked = time.monotonic()
                return self._snapshot
            if now - self._checked >= self.check_every:
                self._checked = now
                try:
                    mtime = self.path.stat().st_mtime
                except OSError:
                    mtime = None
                if mtime is not None and mtime != self._snapshot.mtime and \
                        self._loading is None:
                    self._loading = threading.Thread(target=self._load, daemon=True,
                                                     name="coupwatch-reload")
                    self._loading.start()
            return self._snapshot
