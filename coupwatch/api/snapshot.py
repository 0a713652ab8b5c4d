"""An in-memory, read-only copy of what the API, the dashboard and the briefs show.

The warehouse is opened READ-ONLY just long enough to copy the latest forecast run, its
backtests, the countries, the coup events of the newest Powell & Thyne release, a few
indicator series and the provenance table; then the connection is closed, so
``coupwatch forecast`` or ``coupwatch data update`` can still write while the server runs.
:class:`Store` reloads the snapshot when the warehouse file changes.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from coupwatch import config, countries, regions

# Indicator series shown on country pages and in briefs: (source, variable) -> label, unit.
INDICATORS: dict[str, dict] = {
    "v2x_veracc_osp": dict(source="vdem", label="Vertical accountability", unit="index 0-1",
                           group="V-Dem"),
    "v2x_horacc_osp": dict(source="vdem", label="Horizontal accountability", unit="index 0-1",
                           group="V-Dem"),
    "v2xcs_ccsi": dict(source="vdem", label="Core civil society", unit="index 0-1",
                       group="V-Dem"),
    "v2xcl_rol": dict(source="vdem", label="Equality before the law", unit="index 0-1",
                      group="V-Dem"),
    "v2x_freexp_altinf": dict(source="vdem", label="Freedom of expression", unit="index 0-1",
                              group="V-Dem"),
    "v2x_pubcorr": dict(source="vdem", label="Public sector corruption", unit="index 0-1",
                        group="V-Dem"),
    "NY.GDP.MKTP.KD.ZG": dict(source="wdi", label="GDP growth", unit="% per year",
                              group="Economy"),
    "NY.GDP.PCAP.KD.ZG": dict(source="wdi", label="GDP per capita growth", unit="% per year",
                              group="Economy"),
    "MS.MIL.XPND.GD.ZS": dict(source="wdi", label="Military expenditure", unit="% of GDP",
                              group="Economy"),
    "infmort": dict(source="wdi", label="Infant mortality", unit="per 1,000 live births",
                    group="Economy"),
    "any_conflict": dict(source="ucdp", label="Armed conflict (any)", unit="1 = yes",
                         group="Conflict"),
    "internal_confl": dict(source="ucdp", label="Internal armed conflict", unit="1 = yes",
                           group="Conflict"),
    "war": dict(source="ucdp", label="War (1,000+ battle deaths)", unit="1 = yes",
                group="Conflict"),
    "leader_tenure_years": dict(source="reign", label="Leader tenure", unit="years",
                                group="Leader"),
}

SOURCE_NAMES = {
    "powell_thyne": "Powell & Thyne, Global Instances of Coups",
    "cline": "Cline Center Coup d'État Project",
    "vdem": "V-Dem", "wdi": "World Bank WDI (SIPRI for military expenditure)",
    "ucdp": "UCDP/PRIO Armed Conflict Dataset", "reign": "OEF REIGN", "epr": "EPR core",
    "gw": "Gleditsch & Ward state system", "oil": "Real oil price (EIA / Energy Institute)",
}


class NoData(Exception):
    """The warehouse lacks what was asked (no forecast run yet, no warehouse at all)."""


@dataclass
class Snapshot:
    path: Path
    mtime: float
    loaded_at: str
    countries: pd.DataFrame  # one row per G&W state, indexed by gwcode
    events: pd.DataFrame  # newest Powell & Thyne release
    release: str | None
    indicators: pd.DataFrame  # gwcode, year, variable, value
    provenance: pd.DataFrame
    run: dict | None  # the latest forecast run
    forecast: pd.DataFrame  # that run's ranked list
    backtests: pd.DataFrame  # past years for the run's data, model and seed, ranked per year
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


def _frame(con, sql: str, params=None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables")
            .fetchall()}


def _rank_years(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame.assign(rank=pd.Series(dtype="int64"),
                            p_attempt_last_year=pd.Series(dtype="float64"),
                            change=pd.Series(dtype="float64"))
    frame = frame.sort_values(["year", "gwcode"]).copy()
    frame["rank"] = frame.groupby("year")["p_attempt"].rank(ascending=False, method="first") \
        .astype(int)
    before = frame[["gwcode", "year", "p_attempt"]].copy()
    before["year"] += 1
    frame = frame.merge(before.rename(columns={"p_attempt": "p_attempt_last_year"}),
                        on=["gwcode", "year"], how="left")
    frame["change"] = frame["p_attempt"] - frame["p_attempt_last_year"]
    return frame.sort_values(["year", "rank"]).reset_index(drop=True)


def load(path: Path | None = None) -> Snapshot:
    """Copy what the interfaces need out of the warehouse (read-only) into memory."""
    target = Path(path) if path is not None else config.warehouse_path()
    if not target.exists():
        raise NoData(f"no warehouse at {target.name}: run `coupwatch data update` first")
    mtime = target.stat().st_mtime
    con = duckdb.connect(str(target), read_only=True)
    try:
        tables = _tables(con)
        states = _frame(con, "SELECT gwcode, iso3, name, first_year, last_year FROM countries "
                        "ORDER BY gwcode") if "countries" in tables else pd.DataFrame(
            columns=["gwcode", "iso3", "name", "first_year", "last_year"])
        releases = [r[0] for r in con.execute(
            "SELECT DISTINCT release FROM events WHERE source = 'powell_thyne' "
            "ORDER BY release").fetchall()] \
            if "events" in tables else []
        release = releases[-1] if releases else None
        events = _frame(con, """
            SELECT e.gwcode, e.year, e.month, e.day, e.kind, e.release, e.file, e.line,
                   coalesce(c.name, e.country) AS country, c.iso3
            FROM events e LEFT JOIN countries c USING (gwcode)
            WHERE e.source = 'powell_thyne' AND e.release = ?
            ORDER BY e.year, e.month, e.day, e.gwcode""", [release])
        wanted = list(INDICATORS)
        indicators = _frame(con, """
            SELECT gwcode, year, variable, avg(value) AS value, any_value(source) AS source,
                   any_value(file) AS file
            FROM indicators WHERE variable IN (SELECT unnest(?)) AND value IS NOT NULL
            GROUP BY gwcode, year, variable ORDER BY variable, gwcode, year""", [wanted]) \
            if "indicators" in tables else pd.DataFrame(
            columns=["gwcode", "year", "variable", "value", "source", "file"])
        provenance = _frame(con, """SELECT source, file, release, sha256, rows, year_min,
                                    year_max, ingested_at FROM provenance
                                    ORDER BY source, file""") if "provenance" in tables \
            else pd.DataFrame()
        run = None
        forecast = pd.DataFrame()
        backtests = pd.DataFrame()
        if {"forecast_runs", "forecasts", "backtests"} <= tables:
            runs = _frame(con, "SELECT * FROM forecast_runs ORDER BY created_at DESC, "
                          "run_id LIMIT 1")
            if len(runs):
                run = runs.iloc[0].to_dict()
                run["created_at"] = pd.Timestamp(run["created_at"]).isoformat()
                run["target_year"] = int(run["target_year"])
                run["seed"] = int(run["seed"])
                run["data_versions"] = json.loads(run["data_versions"] or "[]")
                forecast = _frame(con, "SELECT * EXCLUDE (run_id) FROM forecasts "
                                  "WHERE run_id = ? ORDER BY rank", [run["run_id"]])
                backtests = _frame(con, """
                    SELECT year, gwcode, iso3, country, p_attempt, p_coup, p_failed,
                           observed_attempt, observed_coup, observed_failed
                    FROM backtests WHERE data_key = ? AND model = ? AND seed = ?
                    ORDER BY year, gwcode""", [run["data_key"], run["model"], run["seed"]])
    finally:
        con.close()
    backtests = _rank_years(backtests)
    geo = regions.geography()
    states = states.set_index("gwcode", drop=False)
    for code in set(forecast.get("gwcode", [])) - set(states.index):
        states.loc[code] = [code, countries.gw_iso3(code), countries.gw_name(code), None, None]
    states["un_subregion"] = states["gwcode"].map(geo["un_subregion"])
    states["continent"] = states["gwcode"].map(geo["continent"])
    states["au_region"] = states["gwcode"].map(geo["au_region"])
    latest = int(states["last_year"].max()) if states["last_year"].notna().any() else None
    states["memberships"] = [regions.labels(int(g), latest) for g in states["gwcode"]]
    states["region"] = [a if isinstance(a, str) else (s if isinstance(s, str) else "")
                        for a, s in zip(states["au_region"], states["un_subregion"],
                                        strict=True)]
    iso3_index = {str(i): int(g) for g, i in zip(states["gwcode"], states["iso3"], strict=True)
                  if isinstance(i, str) and i}
    events["date"] = [f"{y:04d}-{int(m):02d}-{int(d):02d}" if d == d and d is not None
                      else f"{y:04d}-{int(m):02d}" for y, m, d in
                      zip(events["year"], events["month"], events["day"], strict=True)]
    return Snapshot(path=target, mtime=mtime,
                    loaded_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                    countries=states, events=events, release=release,
                    indicators=indicators, provenance=provenance, run=run,
                    forecast=forecast, backtests=backtests, iso3_index=iso3_index)


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
        except (NoData, duckdb.Error) as err:  # e.g. a writer holds the lock: keep the old
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
                try:
                    self._snapshot = load(self.path)
                except duckdb.Error:
                    raise NoData("the warehouse is busy or unreadable; try again shortly") \
                        from None
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


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain JSON-ready dicts (NaN -> None, numpy scalars -> Python)."""
    out = []
    columns = list(frame.columns)
    for row in frame.itertuples(index=False, name=None):
        item = {}
        for key, value in zip(columns, row, strict=True):
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and value != value:
                value = None
            elif value is pd.NA or value is pd.NaT:
                value = None
            elif isinstance(value, pd.Timestamp):
                value = value.isoformat()
            item[key] = value
        out.append(item)
    return out
