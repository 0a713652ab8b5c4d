"""Opening the DuckDB file and the schema every other module relies on."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb

from coupwatch import config
from coupwatch.errors import BadInput, Busy, EmptyWarehouse

SCHEMA = """
CREATE TABLE IF NOT EXISTS countries (
    gwcode INTEGER PRIMARY KEY, iso3 VARCHAR, name VARCHAR,
    first_year INTEGER, last_year INTEGER);
CREATE TABLE IF NOT EXISTS events (
    source VARCHAR NOT NULL, file VARCHAR NOT NULL, line INTEGER, release VARCHAR,
    gwcode INTEGER, cowcode INTEGER, country VARCHAR, year INTEGER NOT NULL,
    month INTEGER, day INTEGER, kind VARCHAR NOT NULL, actors VARCHAR);
-- added after the first releases: a warehouse made before it gets the column here
ALTER TABLE events ADD COLUMN IF NOT EXISTS actors VARCHAR;
CREATE TABLE IF NOT EXISTS indicators (
    source VARCHAR NOT NULL, file VARCHAR NOT NULL, gwcode INTEGER, year INTEGER NOT NULL,
    variable VARCHAR NOT NULL, value DOUBLE, text VARCHAR);
CREATE TABLE IF NOT EXISTS spells (
    source VARCHAR NOT NULL, file VARCHAR NOT NULL, line INTEGER, release VARCHAR,
    gwcode INTEGER, cowcode INTEGER, kind VARCHAR NOT NULL,
    start_date DATE, start_precision VARCHAR, end_date DATE, end_precision VARCHAR,
    name VARCHAR, military DOUBLE, detail VARCHAR, ref VARCHAR);
CREATE TABLE IF NOT EXISTS provenance (
    source VARCHAR NOT NULL, file VARCHAR NOT NULL, release VARCHAR, sha256 VARCHAR NOT NULL,
    origin VARCHAR, rows BIGINT, duplicates BIGINT, year_min INTEGER, year_max INTEGER,
    ingested_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS unmapped (
    source VARCHAR NOT NULL, file VARCHAR NOT NULL, code VARCHAR, name VARCHAR,
    year_min INTEGER, year_max INTEGER, rows BIGINT, reason VARCHAR);
CREATE TABLE IF NOT EXISTS updates (
    finished_at TIMESTAMP NOT NULL, requested VARCHAR[], loaded VARCHAR[],
    complete BOOLEAN NOT NULL, missing VARCHAR[]);
"""
# ``spells``: dated records (leader spells, votes); columns in ``coupwatch.sources.spells``
DATA_TABLES = ("countries", "events", "indicators", "spells", "provenance", "unmapped")


def connect(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse for writing."""
    target = path or config.warehouse_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    con = open_file(target)
    con.execute(SCHEMA)
    return con


def open_file(target: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, with another process's write lock reported as ``Busy``."""
    try:
        return duckdb.connect(str(target), read_only=read_only)
    except duckdb.IOException as err:
        cannot_open(err, target)
        raise


def cannot_open(err: duckdb.IOException, target: Path | str) -> None:
    """Busy for another process's lock; else (a read-only home, a directory in the file's
    place, a file that is not a DuckDB database) a one-line BadInput naming the file."""
    raise_if_locked(err)
    raise BadInput(f"cannot open the warehouse: {str(err).splitlines()[0]}", file=target,
                   parameter="COUPWATCH_HOME") from None


def raise_if_locked(err: duckdb.Error) -> None:
    """DuckDB allows one writer and then no reader: its lock conflict is a busy warehouse."""
    if isinstance(err, duckdb.IOException) and "lock" in str(err).lower():
        raise Busy() from None


@contextmanager
def read_only(path: Path | None = None):
    """A read-only connection; a missing warehouse is reported, not created."""
    target = path or config.warehouse_path()
    if not target.exists():
        raise EmptyWarehouse(file=target)
    con = open_file(target, read_only=True)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, **frames):
    """All of the block or none of it; ``frames`` are registered as views for the block."""
    for name, frame in frames.items():
        con.register(name, frame)
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in frames:
            con.unregister(name)


def data_versions(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Which file of which release each source was loaded from (provenance)."""
    rows = con.execute("""SELECT source, file, release, sha256 FROM provenance
                          ORDER BY source, file""").fetchall()
    return [dict(zip(("source", "file", "release", "sha256"), r, strict=True)) for r in rows]


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM provenance").fetchone()[0] == 0


def checksum(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Row count and an order-free hash of every table, to prove nothing changed."""
    out = {}
    for table in DATA_TABLES:
        # hash(t) hashes the whole row as a struct (DuckDB 2 refuses ``hash(t.*)``)
        rows, digest = con.execute(
            f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} t").fetchone()
        out[table] = (int(rows), int(digest))
    return out
