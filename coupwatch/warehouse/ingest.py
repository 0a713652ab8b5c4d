"""Loading sources: parse every file first, then replace the source in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from coupwatch import countries
from coupwatch.sources import CONNECTORS, Connector, Parsed
from coupwatch.sources.fetch import Progress, locate, sha256
from coupwatch.warehouse.store import transaction


@dataclass
class Loaded:
    """One source after parsing, ready to be written."""

    connector: Connector
    files: list[tuple[str, Path, str, str, Parsed]]  # (file key, path, origin, sha256, parsed)


@dataclass
class Outcome:
    source: str
    status: str  # "loaded" or "unchanged"
    rows: int
    duplicates: int
    unmapped: int
    releases: str


def load(connector: Connector, *, mirror: Path | None = None, base_url: str | None = None,
         progress: Callable[[str], Progress] | None = None) -> Loaded:
    """Fetch and parse every file of a source; raises before anything is written."""
    files = []
    from_mirror = mirror is not None or base_url is not None
    for file in connector.files:
        if file.online_only and from_mirror:
            continue
        path, origin = locate(file, mirror=mirror, base_url=base_url,
                              progress=progress(file.path) if progress else None)
        files.append((file.path, path, origin, sha256(path), connector.parse(file, path)))
    return Loaded(connector, files)


def ingest_source(con: duckdb.DuckDBPyConnection, loaded: Loaded) -> Outcome:
    """Replace one source's rows atomically; re-ingesting identical files changes nothing."""
    name = loaded.connector.name
    current = set(con.execute("SELECT file, sha256 FROM provenance WHERE source = ?",
                              [name]).fetchall())
    wanted = {(key, digest) for key, _, _, digest, _ in loaded.files}
    parsed = [p for *_, p in loaded.files]
    summary = Outcome(name, "unchanged", sum(p.rows for p in parsed),
                      sum(p.duplicates for p in parsed), sum(len(p.unmapped) for p in parsed),
                      ", ".join(sorted({p.release for p in parsed})))
    if current == wanted and _spells_stored(con, name, parsed):
        return summary
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with transaction(con):
        for table in ("events", "indicators", "spells", "provenance", "unmapped"):
            con.execute(f"DELETE FROM {table} WHERE source = ?", [name])
        for key, _, origin, digest, result in loaded.files:
            _write(con, name, key, origin, digest, result, now)
        refresh_countries(con)
    summary.status = "loaded"
    return summary


def _spells_stored(con, name: str, parsed: list[Parsed]) -> bool:
    """Whether the dated records of unchanged files are in the warehouse: a warehouse filled
    before the ``spells`` table existed reloads the source once to add them."""
    wanted = sum(len(p.spells) for p in parsed if p.spells is not None)
    have = con.execute("SELECT count(*) FROM spells WHERE source = ?", [name]).fetchall()[0][0]
    return have == wanted


def _write(con, name: str, key: str, origin: str, digest: str, result: Parsed,
           now: dt.datetime) -> None:
    if result.events is not None and len(result.events):
        frame = result.events.assign(source=name, file=key)
        con.register("incoming", frame)
        con.execute("""INSERT INTO events (source, file, line, release, gwcode, cowcode,
                       country, year, month, day, kind)
                       SELECT source, file, line, release, gwcode, cowcode, country, year,
                              month, day, kind FROM incoming""")
        con.unregister("incoming")
    if result.indicators is not None and len(result.indicators):
        frame = result.indicators.assign(source=name, file=key)
        con.register("incoming", frame)
        con.execute("""INSERT INTO indicators (source, file, gwcode, year, variable, value, text)
                       SELECT source, file, gwcode, year, variable, value, text FROM incoming""")
        con.unregister("incoming")
    if result.spells is not None and len(result.spells):
        frame = result.spells.assign(source=name, file=key)
        con.register("incoming", frame)
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


def update(con: duckdb.DuckDBPyConnection, names: Iterable[str] | None = None, *,
           mirror: Path | None = None, base_url: str | None = None,
           progress: Callable[[str], Progress] | None = None,
           on_source: Callable[[str], None] | None = None) -> list[Outcome]:
    """Fetch and parse every requested source, then load each in its own transaction.

    Parsing all sources before writing any means one bad file anywhere leaves the whole
    warehouse as it was, not just its own source.
    """
    loaded = []
    for name in names or list(CONNECTORS):
        if on_source:
            on_source(name)
        loaded.append(load(CONNECTORS[name], mirror=mirror, base_url=base_url,
                           progress=progress))
    return [ingest_source(con, item) for item in loaded]
