"""Loading sources: parse every file, stage the result in memory, then write it all at once.

The warehouse is opened for writing only to copy the staged tables, in one transaction that
holds every requested source, the countries, the stored panel and the record of the update:
a kill, a full disk or an error leaves the warehouse wholly as it was or wholly new.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from coupwatch import config
from coupwatch.sources import CONNECTORS, Connector, Parsed
from coupwatch.sources._files import check_file
from coupwatch.sources.fetch import Progress, locate, sha256
from coupwatch.warehouse import stage as staging
from coupwatch.warehouse.completeness import completeness
from coupwatch.warehouse.store import SCHEMA

WAREHOUSE = "wh"  # the warehouse file, attached to the staging connection to write
ATTEMPTS = 3  # another update may write between staging and writing: stage again


@dataclass
class Loaded:
    """One source after parsing, ready to be written."""

    connector: Connector
    files: list[tuple[str, Path, str, str, Parsed]]  # (file key, path, origin, sha256, parsed)
    # not read (a mirror holds none of its files; a file to fetch by hand is not in the
    # cache): what the warehouse holds of it stays; ``why`` says which
    skipped: bool = False
    why: str = ""


@dataclass
class Outcome:
    source: str
    status: str  # "loaded" or "unchanged"
    rows: int
    duplicates: int
    unmapped_codes: int  # country codes (per file: a WDI series counts each) with no G&W state
    unmapped_rows: int  # the rows those codes hold, kept out of the panel
    releases: str


def load(connector: Connector, *, mirror: Path | None = None, base_url: str | None = None,
         progress: Callable[[str], Progress] | None = None) -> Loaded:
    """Fetch and parse every file of a source; raises before anything is written."""
    files = []
    from_mirror = mirror is not None or base_url is not None
    if from_mirror and all(file.online_only for file in connector.files):
        return Loaded(connector, [], skipped=True, why="online only")
    for file in connector.files:
        if not from_mirror and file.page and not (config.cache_dir() / file.path).is_file():
            return Loaded(connector, [], skipped=True,
                          why=f"no download link: save the file from {file.page} as "
                              f"{config.cache_dir() / file.path}")
        if file.online_only and from_mirror:
            continue
        path, origin = locate(file, mirror=mirror, base_url=base_url,
                              progress=progress(file.path) if progress else None)
        check_file(path, limit=file.max_bytes)  # a regular file, not too big, before reading
        files.append((file.path, path, origin, sha256(path), connector.parse(file, path)))
    return Loaded(connector, files)


def parse_sources(connectors: Iterable[Connector], *, mirror: Path | None = None,
                  base_url: str | None = None,
                  progress: Callable[[str], Progress] | None = None,
                  on_source: Callable[[str], None] | None = None) -> list[Loaded]:
    """Fetch and parse every file of every source, each checked to hold at least what a
    complete release of it does (``SourceFile.least``)."""
    out = []
    for connector in connectors:
        if on_source:
            on_source(connector.name)
        loaded = load(connector, mirror=mirror, base_url=base_url, progress=progress)
        declared = {file.path: file for file in connector.files}
        for key, path, _, _, parsed in loaded.files:
            declared[key].least.check(parsed, path)
        out.append(loaded)
    return out


def update(names: Sequence[str] | None = None, *, path: Path, mirror: Path | None = None,
           base_url: str | None = None, progress: Callable[[str], Progress] | None = None,
           on_source: Callable[[str], None] | None = None,
           derived: staging.Derived | None = None) -> list[Outcome]:
    """Parse every requested source, stage the new warehouse, then write it in one go.

    Nothing is opened for writing until every source is parsed and the panel is built, so a
    bad file anywhere leaves the warehouse as it was and readers are kept out only briefly.
    """
    loaded = parse_sources([CONNECTORS[name] for name in names or list(CONNECTORS)],
                           mirror=mirror, base_url=base_url, progress=progress,
                           on_source=on_source)
    for _ in range(ATTEMPTS):
        staged = staging.stage(loaded, path, derived)
        try:
            if write(staged, loaded, path):
                return [_outcome(item, staged.changed) for item in loaded]
        finally:
            staged.con.close()
    raise RuntimeError("the warehouse kept changing while this update ran (other updates?): "
                       "run it again")


def _outcome(item: Loaded, changed: list[str]) -> Outcome:
    parsed = [p for *_, p in item.files]
    status = "loaded" if item.connector.name in changed else "unchanged"
    return Outcome(item.connector.name, f"skipped ({item.why})" if item.skipped else status,
                   sum(p.rows for p in parsed), sum(p.duplicates for p in parsed),
                   sum(len(p.unmapped) for p in parsed),
                   sum(int(u.get("rows", 0)) for p in parsed for u in p.unmapped),
                   ", ".join(sorted({p.release for p in parsed})))


def write(staged: staging.Staged, loaded: list[Loaded], path: Path) -> bool:
    """Copy what was staged into the warehouse file in one transaction; False (and nothing
    written) if the warehouse changed since it was staged.

    A first update writes a new file beside the warehouse and renames it into place once
    complete, so that a kill leaves no warehouse rather than one without its tables."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return _write(staged, loaded, path)
    _remove_leftovers(path)
    fresh = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        _write(staged, loaded, fresh)
        fresh.replace(path)
    finally:
        for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return True


def _remove_leftovers(path: Path) -> None:
    """New files of first updates that were killed (their process is gone)."""
    for leftover in path.parent.glob(f".{path.name}.*.new*"):
        pid = leftover.name.split(".")[-2 if leftover.suffix == ".new" else -3]
        if pid.isdigit() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write(staged: staging.Staged, loaded: list[Loaded], path: Path) -> bool:
    con = staged.con
    staging.attach(con, path, WAREHOUSE)
    try:
        con.execute(f"USE {WAREHOUSE}")
        con.execute(SCHEMA)
        con.execute("USE memory")
        con.execute("BEGIN TRANSACTION")
        try:
            if staging.versions(con, WAREHOUSE) != staged.versions:
                con.execute("ROLLBACK")
                return False
            _copy(con, staged)
            state = completeness(con, staged.needs, database=WAREHOUSE)
            record_update(con, [item.connector.name for item in loaded], staged.changed,
                          state.complete, list(state.missing))
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise
        con.execute(f"CHECKPOINT {WAREHOUSE}")  # the file whole, with no write-ahead log
    finally:
        con.execute(f"DETACH {WAREHOUSE}")
    return True


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:  # the failed statement was the COMMIT: nothing is left to undo
        pass


def _copy(con: duckdb.DuckDBPyConnection, staged: staging.Staged) -> None:
    target = f"{WAREHOUSE}.main"
    if staged.changed:
        for table in staging.SOURCE_TABLES:
            con.execute(f"DELETE FROM {target}.{table} WHERE list_contains(?::VARCHAR[], "
                        "source)", [staged.changed])
            con.execute(f"INSERT INTO {target}.{table} BY NAME SELECT * FROM "
                        f"memory.main.{table} WHERE list_contains(?::VARCHAR[], source)",
                        [staged.changed])
        con.execute(f"DELETE FROM {target}.countries")
        con.execute(f"INSERT INTO {target}.countries SELECT * FROM memory.main.countries")
    for table in staged.derived:
        con.execute(f"CREATE OR REPLACE TABLE {target}.{table} AS "
                    f"SELECT * FROM memory.main.{table}")


def record_update(con: duckdb.DuckDBPyConnection, requested: list[str], loaded: list[str],
                  complete: bool, missing: list[str]) -> None:
    """The last step of an update's transaction: it is recorded only if all of it is in."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute(f"INSERT INTO {WAREHOUSE}.main.updates VALUES (?, ?, ?, ?, ?)",
                [now, requested, loaded, complete, missing])
