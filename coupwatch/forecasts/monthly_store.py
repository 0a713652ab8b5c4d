"""Monthly forecasts kept in the warehouse: cached backtest hazards and forecast runs.

``monthly_backtests`` holds, per data version, model, seed, origin month and state, the 12
monthly hazards and q = P(success | attempt): every horizon and outcome follows from them,
so one backtest serves all four horizons. ``monthly_runs`` / ``monthly_forecasts`` keep
each live forecast with its model, code and data versions, as ``forecast_runs`` does for
the annual one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

import duckdb
import pandas as pd

from coupwatch import __version__
from coupwatch.forecasts import store
from coupwatch.models import MODEL_VERSION
from coupwatch.warehouse.store import data_versions, transaction

HAZARDS = [f"h{k}" for k in range(1, 13)]
FORECAST_COLUMNS = ["year", "month", "rank", "gwcode", "iso3", "country", "region",
                    "p_attempt_1m", "p_attempt_3m", "p_attempt_6m", "p_attempt_12m",
                    "p_coup_1m", "p_coup_3m", "p_coup_6m", "p_coup_12m",
                    "p_attempt_3m_previous", "change_3m"]
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS monthly_backtests (
    data_key VARCHAR, model VARCHAR, seed INTEGER, origin INTEGER, gwcode INTEGER,
    {", ".join(f"{h} DOUBLE" for h in HAZARDS)}, q DOUBLE);
CREATE TABLE IF NOT EXISTS monthly_runs (
    run_id VARCHAR PRIMARY KEY, created_at TIMESTAMP, origin_year INTEGER,
    origin_month INTEGER, model VARCHAR, model_version VARCHAR, code_version VARCHAR,
    seed INTEGER, data_key VARCHAR, data_versions VARCHAR, left_out VARCHAR);
-- what a run left out (``forecasts.availability``), as JSON; added after the first runs
ALTER TABLE monthly_runs ADD COLUMN IF NOT EXISTS left_out VARCHAR;
CREATE TABLE IF NOT EXISTS monthly_forecasts (
    run_id VARCHAR, year INTEGER, month INTEGER, rank INTEGER, gwcode INTEGER, iso3 VARCHAR,
    country VARCHAR, region VARCHAR, p_attempt_1m DOUBLE, p_attempt_3m DOUBLE,
    p_attempt_6m DOUBLE, p_attempt_12m DOUBLE, p_coup_1m DOUBLE, p_coup_3m DOUBLE,
    p_coup_6m DOUBLE, p_coup_12m DOUBLE, p_attempt_3m_previous DOUBLE, change_3m DOUBLE);
"""


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)


def data_key(con: duckdb.DuckDBPyConnection) -> str:
    """The annual forecasts' key (files, model and code versions) plus the rows per source
    of the events and dated records, so events loaded any other way change it too."""
    counts = con.execute("""SELECT 'events', source, count(*), max(year) FROM events
                            GROUP BY ALL UNION ALL
                            SELECT 'spells', source, count(*), NULL FROM spells GROUP BY ALL
                            ORDER BY ALL""").fetchall()
    text = json.dumps([store.data_key(con), [list(map(str, r)) for r in counts]])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cached(con, key: str, model: str, seed: int, origins: list[int]) -> pd.DataFrame:
    ensure(con)
    return con.execute("""SELECT * EXCLUDE (data_key, model, seed) FROM monthly_backtests
                          WHERE data_key = ? AND model = ? AND seed = ?
                          AND origin IN (SELECT unnest(?)) ORDER BY origin, gwcode""",
                       [key, model, seed, origins]).df()


def save(con, key: str, model: str, seed: int, frame: pd.DataFrame) -> None:
    ensure(con)
    rows = frame.assign(data_key=key, model=model, seed=seed)
    with transaction(con, incoming=rows):
        con.execute("""DELETE FROM monthly_backtests WHERE data_key = ? AND model = ?
                       AND seed = ? AND origin IN (SELECT DISTINCT origin FROM incoming)""",
                    [key, model, seed])
        con.execute(f"""INSERT INTO monthly_backtests SELECT data_key, model, seed, origin,
                        gwcode, {", ".join(HAZARDS)}, q FROM incoming""")


def save_run(con, frame: pd.DataFrame, *, origin: int, model: str, seed: int) -> str:
    ensure(con)
    run_id = uuid.uuid4().hex[:12]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with transaction(con, incoming=frame.assign(run_id=run_id)):
        con.execute("""INSERT INTO monthly_runs (run_id, created_at, origin_year, origin_month,
                       model, model_version, code_version, seed, data_key, data_versions,
                       left_out) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [run_id, now, origin // 12, origin % 12 + 1, model, MODEL_VERSION,
                     __version__, seed, data_key(con), json.dumps(data_versions(con)),
                     json.dumps(frame.attrs.get("left_out", []))])
        con.execute(f"""INSERT INTO monthly_forecasts SELECT run_id,
                        {", ".join(FORECAST_COLUMNS)} FROM incoming""")
    return run_id
