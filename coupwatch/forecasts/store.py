"""Forecasts and backtests kept in the warehouse, each traceable to data and model versions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from functools import lru_cache

import duckdb
import pandas as pd

from coupwatch import __version__
from coupwatch.fingerprint import code_hash
from coupwatch.models import MODEL_VERSION
from coupwatch.warehouse.store import data_versions, transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS forecast_runs (
    run_id VARCHAR PRIMARY KEY, created_at TIMESTAMP, target_year INTEGER, model VARCHAR,
    model_version VARCHAR, code_version VARCHAR, seed INTEGER, data_key VARCHAR,
    data_versions VARCHAR);
CREATE TABLE IF NOT EXISTS forecasts (
    run_id VARCHAR, year INTEGER, gwcode INTEGER, iso3 VARCHAR, country VARCHAR,
    region VARCHAR, p_attempt DOUBLE, p_coup DOUBLE, p_failed DOUBLE, rank INTEGER,
    p_attempt_last_year DOUBLE, change DOUBLE);
CREATE TABLE IF NOT EXISTS backtests (
    data_key VARCHAR, model VARCHAR, seed INTEGER, year INTEGER, gwcode INTEGER,
    iso3 VARCHAR, country VARCHAR, p_attempt_raw DOUBLE, q_success DOUBLE,
    p_attempt DOUBLE, p_coup DOUBLE, p_failed DOUBLE,
    observed_attempt DOUBLE, observed_coup DOUBLE, observed_failed DOUBLE);
CREATE TABLE IF NOT EXISTS member_forecasts (
    data_key VARCHAR, member VARCHAR, seed INTEGER, year INTEGER, gwcode INTEGER,
    variant VARCHAR, p DOUBLE);
CREATE TABLE IF NOT EXISTS fitted_members (
    data_key VARCHAR, member VARCHAR, seed INTEGER, year INTEGER, fitted BLOB);
CREATE TABLE IF NOT EXISTS forecast_drivers (
    run_id VARCHAR, gwcode INTEGER, feature VARCHAR, value DOUBLE, contribution DOUBLE);
-- the inputs a run left out (``forecasts.availability``), as JSON; added after the first runs
ALTER TABLE forecast_runs ADD COLUMN IF NOT EXISTS left_out VARCHAR;
"""


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the code that turns files into forecasts (connectors, panel, models), so an
    edit to any of it invalidates cached backtests even when the version number stays."""
    return code_hash(("sources", "panel", "models", "forecasts", "data"),
                     ("countries.py", "regions.py"))


def data_key(con: duckdb.DuckDBPyConnection) -> str:
    """Identifies the data and the model code: a cached backtest is reused only if both match."""
    text = json.dumps([data_versions(con), MODEL_VERSION, __version__, code_fingerprint()],
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cached_backtest(con, key: str, model: str, seed: int, years: list[int]) -> pd.DataFrame:
    ensure(con)
    frame = con.execute("""SELECT * FROM backtests WHERE data_key = ? AND model = ? AND seed = ?
                           AND year IN (SELECT unnest(?)) ORDER BY year, gwcode""",
                        [key, model, seed, years]).df()
    return frame


def save_backtest(con, key: str, model: str, seed: int, frame: pd.DataFrame) -> None:
    ensure(con)
    rows = frame.assign(data_key=key, model=model, seed=seed)
    with transaction(con, incoming=rows):
        con.execute("""DELETE FROM backtests WHERE data_key = ? AND model = ? AND seed = ?
                       AND year IN (SELECT DISTINCT year FROM incoming)""", [key, model, seed])
        con.execute("""INSERT INTO backtests SELECT data_key, model, seed, year, gwcode, iso3,
                       country, p_attempt_raw, q_success, p_attempt, p_coup, p_failed,
                       observed_attempt, observed_coup, observed_failed FROM incoming""")


def stored_members(con, key: str, wanted: list[tuple[str, int, int]]) -> pd.DataFrame:
    """Stored rolling forecasts ``member, seed, year, gwcode, variant, p`` of the (member,
    seed, year) triples asked for."""
    ensure(con)
    asked = pd.DataFrame(wanted, columns=["member", "seed", "year"])
    con.register("asked", asked)
    try:
        return con.execute("""SELECT m.member, m.seed, m.year, m.gwcode, m.variant, m.p
                              FROM member_forecasts m JOIN asked a USING (member, seed, year)
                              WHERE m.data_key = ? ORDER BY m.member, m.year, m.gwcode,
                              m.variant""", [key]).df()
    finally:
        con.unregister("asked")


def stored_fits(con, key: str, year: int, wanted: list[tuple[str, int]]) -> dict:
    """Serialised fitted members for ``year``, by (member, seed)."""
    ensure(con)
    rows = con.execute("""SELECT member, seed, fitted FROM fitted_members WHERE data_key = ?
                          AND year = ?""", [key, year]).fetchall()
    return {(m, s): bytes(b) for m, s, b in rows if (m, s) in set(wanted)}


def save_member(con, key: str, member: str, seed: int, year: int, frame: pd.DataFrame,
                fitted: bytes | None = None) -> None:
    """One rolling fit's forecasts (and the fitted member), committed on its own so a run
    stopped half-way keeps every fit it finished."""
    ensure(con)
    rows = frame.assign(data_key=key, member=member, seed=seed)
    with transaction(con, incoming=rows):
        con.execute("""DELETE FROM member_forecasts WHERE data_key = ? AND member = ?
                       AND seed = ? AND year = ?""", [key, member, seed, year])
        con.execute("""INSERT INTO member_forecasts SELECT data_key, member, seed, year, gwcode,
                       variant, p FROM incoming""")
        if fitted is not None:
            con.execute("""DELETE FROM fitted_members WHERE data_key = ? AND member = ?
                           AND seed = ? AND year = ?""", [key, member, seed, year])
            con.execute("INSERT INTO fitted_members VALUES (?, ?, ?, ?, ?)",
                        [key, member, seed, year, fitted])


def _stored(con) -> bool:
    """Whether the backtests table exists (readers may hold a read-only connection, where
    ``ensure`` cannot create it)."""
    return bool(con.execute("""SELECT count(*) FROM duckdb_tables()
                               WHERE database_name = current_database()
                                 AND schema_name = current_schema()
                                 AND table_name = 'backtests'""").fetchall()[0][0])


def list_backtests(con) -> pd.DataFrame:
    """Every stored backtest: ``data_key, model, seed, year_min, year_max, scored_max`` (the
    last year with known outcomes, the last a metric can score), ``years, rows`` and
    whether its data key is the warehouse's current one (for a dashboard to pick from)."""
    if not _stored(con):
        return pd.DataFrame(columns=["data_key", "model", "seed", "year_min", "year_max",
                                     "scored_max", "years", "rows", "current"])
    frame = con.execute("""SELECT data_key, model, seed, min(year) AS year_min,
                                  max(year) AS year_max, max(year) FILTER (WHERE
                                  observed_attempt IS NOT NULL) AS scored_max,
                                  count(DISTINCT year) AS years,
                                  count(*) AS rows FROM backtests
                           GROUP BY data_key, model, seed ORDER BY model, seed""").df()
    frame["current"] = frame["data_key"] == data_key(con)
    return frame


def stored_backtest(con, model: str, seed: int = 0, key: str | None = None,
                    start: int | None = None, end: int | None = None) -> pd.DataFrame:
    """One stored backtest (default: for the current data), years ``start``-``end``."""
    if not _stored(con):
        return pd.DataFrame(columns=["model", "seed", "year", "gwcode"])
    return con.execute("""SELECT * EXCLUDE (data_key) FROM backtests WHERE data_key = ?
                          AND model = ? AND seed = ? AND year >= ? AND year <= ?
                          ORDER BY year, gwcode""",
                       [key or data_key(con), model, seed, start or 0, end or 9999]).df()


def same_run(con, *, target: int, model: str, seed: int) -> str | None:
    """The stored run a forecast would repeat (same target year, model and its version, seed,
    code version and data key), if any: identical forecasts are stored once."""
    ensure(con)
    row = con.execute("""SELECT run_id FROM forecast_runs WHERE target_year = ? AND model = ?
                         AND model_version = ? AND seed = ? AND code_version = ?
                         AND data_key = ? ORDER BY created_at DESC, run_id LIMIT 1""",
                      [target, model, MODEL_VERSION, seed, __version__,
                       data_key(con)]).fetchone()
    return row[0] if row else None


def save_forecast(con, frame: pd.DataFrame, *, target: int, model: str, seed: int,
                  left_out: list[dict] | None = None) -> str:
    ensure(con)
    run_id = uuid.uuid4().hex[:12]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    key, versions = data_key(con), json.dumps(data_versions(con))
    with transaction(con, incoming=frame.assign(run_id=run_id)):
        con.execute("""INSERT INTO forecast_runs (run_id, created_at, target_year, model,
                       model_version, code_version, seed, data_key, data_versions, left_out)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [run_id, now, target, model, MODEL_VERSION, __version__, seed, key,
                     versions, json.dumps(left_out or [])])
        con.execute("""INSERT INTO forecasts SELECT run_id, year, gwcode, iso3, country, region,
                       p_attempt, p_coup, p_failed, rank, p_attempt_last_year, change
                       FROM incoming""")
    return run_id


def latest_run_sql(runs: str = "forecast_runs", period: str = "target_year DESC") -> str:
    """The run served as "the latest": the newest run (ties broken by run id) for the latest
    period stored (``period``: the target year of annual runs), so a forecast made for a past
    year is kept as history but never replaces the forward-looking one. Defined once, for the
    views, the API's snapshot, the drivers and the explanations worker."""
    return f"SELECT * FROM {runs} ORDER BY {period}, created_at DESC, run_id LIMIT 1"
