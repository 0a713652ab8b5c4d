"""The panel kept as a table in the warehouse.

Building the panel takes seconds, so ``coupwatch data update`` stores it once and exports and
the SQL console read the table. A fingerprint of the data files and of the panel code tells
whether the stored copy still matches: a copy left behind by an update killed half-way, or by
an older version of this code, is never used in place of the real panel.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import lru_cache

import duckdb
import pandas as pd

from coupwatch.fingerprint import code_hash
from coupwatch.panel.build import build
from coupwatch.panel.spec import NEEDS
from coupwatch.warehouse.stage import Derived
from coupwatch.warehouse.store import data_versions, transaction

TABLE = "panel"
META = "panel_meta"  # one row: fingerprints, build time, pandas dtypes of the columns


@lru_cache(maxsize=1)
def code_key() -> str:
    """A hash of the code that turns the warehouse into the panel."""
    return code_hash(("panel",))


def data_key(con: duckdb.DuckDBPyConnection) -> str:
    """A hash of the files the warehouse was loaded from (provenance)."""
    return hashlib.sha256(json.dumps(data_versions(con)).encode()).hexdigest()[:16]


def key_of(versions: list[tuple]) -> str:
    """``data_key`` of a warehouse whose provenance is ``versions`` (source, file, release,
    sha256 rows in that order), for a warehouse read through another connection."""
    rows = [dict(zip(("source", "file", "release", "sha256"), row, strict=True))
            for row in versions]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]


def state(con: duckdb.DuckDBPyConnection) -> str:
    """``current``, ``stale`` (built from other files or other code) or ``missing``."""
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main'").fetchall()}
    if not {TABLE, META} <= tables:
        return "missing"
    # fetchall, not fetchone: DuckDB 2 refuses other work while a result is unfinished
    rows = con.execute(f"SELECT data_key, code_key FROM {META}").fetchall()
    if not rows:
        return "missing"
    return "current" if rows[0] == (data_key(con), code_key()) else "stale"


def save(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    """Replace the stored panel and its fingerprint in one transaction."""
    dtypes = json.dumps({str(c): str(t) for c, t in frame.dtypes.items()})
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    key = data_key(con)
    with transaction(con, incoming_panel=frame):
        con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * FROM incoming_panel")
        con.execute(f"""CREATE OR REPLACE TABLE {META} (data_key VARCHAR, code_key VARCHAR,
                        built_at TIMESTAMP, dtypes VARCHAR)""")
        con.execute(f"INSERT INTO {META} VALUES (?, ?, ?, ?)", [key, code_key(), now, dtypes])


def current_in(con: duckdb.DuckDBPyConnection, database: str, versions: list[tuple]) -> bool:
    """Whether the panel stored in ``database`` (attached to ``con``) matches the data whose
    provenance is ``versions`` and the code that builds panels today."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() "
                                        "WHERE database_name = ?", [database]).fetchall()}
    if META not in tables:
        return False
    rows = con.execute(f"SELECT data_key, code_key FROM {database}.main.{META}").fetchall()
    return bool(rows) and rows[0] == (key_of(versions), code_key())


# What a data update keeps in step with the sources (``warehouse.update(derived=...)``).
DERIVED = Derived(tables=(TABLE, META), current=current_in,
                  build=lambda con: save(con, build(con)), needs=NEEDS)


def read(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """The stored panel with the dtypes ``build`` gives, or None when it is not current."""
    if state(con) != "current":
        return None
    dtypes = json.loads(con.execute(f"SELECT dtypes FROM {META}").fetchall()[0][0])
    frame = con.execute(f"SELECT * FROM {TABLE} ORDER BY gwcode, year").df()
    # DuckDB hands nullable Float64 columns back as float64: restore what build() returned
    changed = {c: t for c, t in dtypes.items() if str(frame[c].dtype) != t}
    return frame.astype(changed) if changed else frame


def load(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The panel: the stored copy when it is current, else built now (slower, never wrong:
    a copy left by a killed update or by other code is not used)."""
    stored = read(con)
    return stored if stored is not None else build(con)
