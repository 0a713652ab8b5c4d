"""The next state of the warehouse, computed in memory before the warehouse is opened to write.

Parsed sources are loaded into an in-memory DuckDB beside the unchanged sources copied from
the warehouse file (opened read-only for a moment); the countries table and the stored panel
are built there too. Writing is then a copy of a few tables in one transaction, so the write
lock is held for a fraction of a second instead of for parsing and the panel build.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from coupwatch import countries
from coupwatch.sources.base import Parsed
from coupwatch.warehouse.completeness import Completeness, completeness
from coupwatch.warehouse.store import SCHEMA, raise_if_locked

SOURCE_TABLES = ("events", "indicators", "spells", "provenance", "unmapped")
OLD = "old"  # the warehouse file, attached read-only while staging
LOCK_WAIT = 10.0  # seconds


@dataclass(frozen=True)
class Derived:
    """Tables built from the sources and kept in the warehouse (the panel), rebuilt inside
    the update so they never disagree with the data. Given by the caller: the warehouse
    does not know how they are built."""

    tables: tuple[str, ...]
    current: Callable[[duckdb.DuckDBPyConnection, str, list[tuple]], bool]  # con, db, versions
    build: Callable[[duckdb.DuckDBPyConnection], None]  # writes ``tables`` into con
    needs: tuple[str, ...] = ()  # the sources they cannot be built without


@dataclass
class Staged:
    """What an update will write, held in the in-memory connection ``con``."""

    con: duckdb.DuckDBPyConnection
    versions: list[tuple]  # the warehouse's provenance when staged: checked again on writing
    current: dict[str, set[tuple[str, str]]]  # (file, sha256) stored per source
    changed: list[str] = field(default_factory=list)  # sources to replace
    derived: tuple[str, ...] = ()  # derived tables built anew
    needs: tuple[str, ...] = ()  # sources a complete warehouse holds
    state: Completeness | None = None


def quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def attach(con: duckdb.DuckDBPyConnection, path: Path, name: str, *,
           read_only: bool = False, wait: float = LOCK_WAIT) -> None:
    """Attach the warehouse file, waiting up to ``wait`` seconds for the lock: readers
    (the API, the console) open it for a moment at a time, and DuckDB does not queue."""
    deadline = time.monotonic() + wait
    while True:
        try:
            con.execute(f"ATTACH {quote(path)} AS {name}{' (READ_ONLY)' if read_only else ''}")
            return
        except duckdb.IOException as err:
            if "lock" not in str(err).lower():
                raise
            if time.monotonic() > deadline:
                raise_if_locked(err)
            time.sleep(0.05)


def versions(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple]:
    return con.execute(f"""SELECT source, file, release, sha256 FROM {database}.main.provenance
                           ORDER BY source, file""").fetchall()


def stage(loaded: list, path: Path, derived: Derived | None = None) -> Staged:
    """Stage the warehouse as it will be once ``loaded`` (``ingest.Loaded``) is written."""
    con = duckdb.connect()
    con.execute(SCHEMA)
    exists = path.exists()
    if exists:
        attach(con, path, OLD, read_only=True)
    try:
        known = exists and _has_provenance(con)
        staged = Staged(con, versions(con, OLD) if known else [], {},
                        needs=derived.needs if derived is not None else ())
        for source, file, _, digest in staged.versions:
            staged.current.setdefault(source, set()).add((file, digest))
        spells = _spell_counts(con) if known else {}
        staged.changed = [item.connector.name for item in loaded if not item.skipped and (
                          staged.current.get(item.connector.name, set())
                          != {(key, digest) for key, _, _, digest, _ in item.files}
                          # a warehouse made before the spells table gets them once
                          or spells.get(item.connector.name, 0) != _spells_of(item))]
        if not staged.changed and (derived is None or (
                known and derived.current(con, OLD, staged.versions))):
            return staged  # nothing to write but the record of this update
        if known:
            _copy_unchanged(con, staged.changed)
    finally:
        if exists:
            con.execute(f"DETACH {OLD}")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for item in loaded:
        if item.connector.name in staged.changed:
            for key, _, origin, digest, result in item.files:
                write_parsed(con, item.connector.name, key, origin, digest, result, now)
    refresh_countries(con)
    staged.state = completeness(con, staged.needs)
    if staged.state.complete and derived is not None:  # nothing to derive from a partial one
        derived.build(con)
        staged.derived = derived.tables
    return staged


def _has_provenance(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(f"""SELECT count(*) FROM duckdb_tables() WHERE database_name = '{OLD}'
                                AND table_name = 'provenance'""").fetchall()[0][0])


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() "
                                      "WHERE database_name = ?", [OLD]).fetchall()}


def _spell_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    if "spells" not in _tables(con):
        return {}
    return dict(con.execute(f"SELECT source, count(*) FROM {OLD}.main.spells "
                            "GROUP BY source").fetchall())


def _spells_of(item) -> int:
    return sum(len(p.spells) for *_, p in item.files if p.spells is not None)


def _copy_unchanged(con: duckdb.DuckDBPyConnection, changed: list[str]) -> None:
    present = _tables(con)
    for table in (t for t in SOURCE_TABLES if t in present):
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {OLD}.main.{table} "
                    "WHERE NOT list_contains(?::VARCHAR[], source)", [changed])


def write_parsed(con, name: str, key: str, origin: str, digest: str, result: Parsed,
                 now: dt.datetime) -> None:
    """One parsed file's rows, unmapped codes and provenance."""
    if result.events is not None and len(result.events):
        frame = result.events.assign(source=name, file=key)
        con.register("incoming", frame)
        con.execute("""INSERT INTO events (source, file, line, release, gwcode, cowcode,
                       country, year, month, day, kind, actors)
                       SELECT source, file, line, release, gwcode, cowcode, country, year,
                              month, day, kind, actors FROM incoming""")
        con.unregister("incoming")
    if result.indicators is not None and len(result.indicators):
        frame = result.indicators.assign(source=name, file=key)
        con.register("incoming", frame)
        con.execute("""INSERT INTO indicators (source, file, gwcode, year, variable, value, text)
                       SELECT source, file, gwcode, year, variable, value, text FROM incoming""")
        con.unregister("incoming")
    if result.spells is not None and len(result.spells):
        con.register("incoming", result.spells.assign(source=name, file=key))
        con.execute("""INSERT INTO spells (source, file, line, release, gwcode, cowcode, kind,
                       start_date, start_precision, end_date, end_precision, name, military,
                       detail, ref)
                       SELECT source, file, line, release, gwcode, cowcode, kind,
                              CAST(start_date AS DATE), start_precision, CAST(end_date AS DATE),
                              end_precision, name, military, detail, ref FROM incoming""")
        con.unregister("incoming")
    for entry in result.unmapped:
        con.execute("INSERT INTO unmapped VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [name, key, entry["code"], entry["name"], entry["year_min"],
                     entry["year_max"], entry["rows"], entry["reason"]])
    low, high = result.years()
    con.execute("INSERT INTO provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [name, key, result.release, digest, origin, result.rows, result.duplicates,
                 low, high, now])


def refresh_countries(con: duckdb.DuckDBPyConnection) -> None:
    states = countries.gw_states()[["gwcode", "iso3", "name"]]
    con.register("identity", states)
    con.execute("DELETE FROM countries")
    con.execute("""
        INSERT INTO countries
        SELECT i.gwcode, nullif(i.iso3, ''), i.name, s.first_year, s.last_year
        FROM identity i LEFT JOIN (
            SELECT gwcode, min(year) AS first_year, max(year) AS last_year FROM indicators
            WHERE source = 'gw' AND variable = 'state_age' GROUP BY gwcode) s USING (gwcode)
        ORDER BY i.gwcode""")
    con.unregister("identity")
