"""A read-only SQL console over the warehouse, for analysts, researchers and journalists.

One query per call, on a private in-memory DuckDB that attaches the warehouse READ_ONLY and
offers documented views over it (``VIEWS``). Defence in depth, because the SQL comes from
whoever types it:

1. only a single SELECT-type statement is accepted (no INSERT, ATTACH, COPY, SET, PRAGMA,
   INSTALL, LOAD, EXPORT, CALL, a second statement after ``;``...), checked by DuckDB's own
   parser before the warehouse is even opened;
2. the warehouse is attached read-only, so a write fails in the engine as well;
3. ``enable_external_access`` is off (no file, directory, URL, extension or other database)
   and ``lock_configuration`` is on, so no statement can turn it back on;
4. a time limit (the connection is interrupted), a memory limit without spilling to disk, and
   caps on the rows returned and on their size in bytes;
5. no table function that reads files (DuckDB lets a connection read its attached database's
   own file even with external access off) and nothing that shows the machine's paths
   (``coupwatch.read.sql_guard``).

DuckDB's own advice for untrusted SQL is to sandbox the process too: this console is meant for
a server on a trusted network or a local user, not the open internet.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from coupwatch.errors import BadInput
from coupwatch.read import sql_guard, views
from coupwatch.read.jsonify import jsonable
from coupwatch.read.views import NEEDS, VIEWS

DEFAULT_LIMIT = 10_000
DEFAULT_TIMEOUT = 5.0  # seconds
MAX_LIMIT, MAX_TIMEOUT = 1_000_000, 3600.0  # what the CLI's --limit and --timeout accept
MEMORY_LIMIT = "256MB"  # per query: two at a time stay well under a gigabyte
FIRST_FETCH, FETCH = 16, 1000  # rows per fetch, each batch measured against the byte cap

EXAMPLES: list[tuple[str, str]] = [
    ("Coup attempts per year since 2000",
     "SELECT year, count(*) AS attempts, count(*) FILTER (WHERE successful) AS successful\n"
     "FROM coups WHERE year >= 2000\nGROUP BY year ORDER BY year"),
    ("Sahel states with a coup attempt since 2020",
     "SELECT c.name, list(k.date ORDER BY k.date) AS attempts\n"
     "FROM coups k JOIN countries c USING (gwcode)\n"
     "WHERE list_contains(c.memberships, 'Sahel') AND k.year >= 2020\n"
     "GROUP BY c.name ORDER BY c.name"),
    ("Mali: military spending, % of GDP (WDI/SIPRI)",
     "SELECT year, round(value, 2) AS milex_gdp FROM indicators\n"
     "WHERE iso3 = 'MLI' AND variable = 'MS.MIL.XPND.GD.ZS' AND year >= 2008\nORDER BY year"),
    ("Attempts per decade and continent (panel)",
     "SELECT c.continent, p.year // 10 * 10 AS decade, sum(p.n_attempts) AS attempts\n"
     "FROM panel p JOIN countries c USING (gwcode)\n"
     "WHERE p.year < 2020 GROUP BY ALL ORDER BY decade, continent"),
    ("Ten highest risks in the latest forecast",
     "SELECT rank, country, region, round(100 * p_attempt, 1) AS pct_attempt\n"
     "FROM forecasts ORDER BY rank LIMIT 10"),
]


@dataclass
class Result:
    columns: list[str]
    types: list[str]  # DuckDB type of each column, e.g. INTEGER, VARCHAR, DOUBLE[]
    rows: list[tuple]
    truncated: bool  # the query had more rows than the limit
    elapsed_ms: float
    limit: int = DEFAULT_LIMIT

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.rows, columns=self.columns)

    def payload(self) -> dict:
        """The JSON body shared by the API and ``coupwatch sql --format json``."""
        return {"columns": self.columns, "types": self.types,
                "rows": [[jsonable(v) for v in row] for row in self.rows],
                "truncated": self.truncated, "elapsed_ms": round(self.elapsed_ms, 1)}


@dataclass
class View:
    name: str
    description: str
    available: bool
    columns: list[tuple[str, str]] = field(default_factory=list)  # (name, type)
    needs: str | None = None  # what to run when it is not available

    def payload(self) -> dict:
        return {"name": self.name, "description": self.description,
                "available": self.available, "needs": self.needs,
                "columns": [{"name": c, "type": t} for c, t in self.columns]}


def query(sql: str, *, path: Path | None = None, limit: int = DEFAULT_LIMIT,
          timeout: float = DEFAULT_TIMEOUT) -> Result:
    """Run one SELECT over the warehouse views; at most ``limit`` rows, ``timeout`` seconds."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadInput(f"limit must be a whole number from 1 to {MAX_LIMIT:,}, not {limit!r}",
                       parameter="limit")
    if not (isinstance(timeout, int | float) and math.isfinite(timeout)
            and 0 < timeout <= MAX_TIMEOUT):
        raise BadInput(f"timeout must be a number of seconds above 0 and at most "
                       f"{MAX_TIMEOUT:g}, not {timeout!r}", parameter="timeout")
    con = views.engine()
    try:
        text = _single_select(con, sql)
        _open(con, path)
        return _run(con, text, limit, float(timeout))
    finally:
        con.close()


@contextmanager
def session(path: Path | None = None, *, limit: int = DEFAULT_LIMIT,
            timeout: float = DEFAULT_TIMEOUT) -> Iterator[Callable[[str], Result]]:
    """Several queries on one locked-down connection (one attach instead of one per query)."""
    con = views.engine()
    try:
        _open(con, path)
        yield lambda sql: _run(con, _single_select(con, sql), limit, float(timeout))
    finally:
        con.close()


def describe(path: Path | None = None) -> list[View]:
    """The documented views, their columns, and which ones this warehouse can offer now."""
    con = views.engine()
    try:
        available = _open(con, path)
        out = []
        for name, about in VIEWS.items():
            # DESCRIBE of a query: ``DESCRIBE variables`` is DuckDB's SHOW VARIABLES (empty)
            columns = [(str(r[0]), str(r[1])) for r in con.execute(
                f'DESCRIBE SELECT * FROM "{name}"').fetchall()] if name in available else []
            out.append(View(name, about, name in available, columns,
                            None if name in available else NEEDS.get(name)))
        return out
    finally:
        con.close()


def catalog(views: list[View]) -> dict:
    """What there is to query, as JSON: ``GET /api/sql/views``, ``sql --views --format json``."""
    return {"views": [v.payload() for v in views],
            "examples": [{"title": t, "sql": q} for t, q in EXAMPLES],
            "limit": DEFAULT_LIMIT, "timeout": DEFAULT_TIMEOUT}


def _open(con: duckdb.DuckDBPyConnection, path: Path | None) -> set[str]:
    """Attach the warehouse read-only with the views, then lock the connection down."""
    available = views.attach(con, path)
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET threads = 1")  # a query never takes every core from the server
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return available


def _single_select(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    if not isinstance(sql, str) or not sql.strip():
        raise BadInput("the query is empty: give one SELECT statement", parameter="sql")
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as err:
        raise BadInput(_first_line(err), parameter="sql") from None
    if not statements:
        raise BadInput("the query is empty: give one SELECT statement", parameter="sql")
    if len(statements) > 1:
        raise BadInput(f"one statement at a time: found {len(statements)} separated by ';'",
                       parameter="sql")
    kind = statements[0].type
    if kind == duckdb.StatementType.MULTI:
        # PIVOT without an IN list creates a type first, so DuckDB splits it in two
        raise BadInput("this statement runs several statements; for PIVOT, list the values: "
                       "PIVOT t ON col IN ('a', 'b') USING count(*)", parameter="sql")
    if kind != duckdb.StatementType.SELECT:
        # the statement's own first word: DuckDB files INSTALL under LOAD, for one
        words = re.findall(r"[A-Za-z]+", re.sub(r"--[^\n]*|/\*.*?\*/", " ",
                                                 statements[0].query, flags=re.S))
        said = words[0].upper() if words else kind.name
        raise BadInput(f"only SELECT queries are allowed here, not {said}: the console "
                       "is read-only", parameter="sql")
    sql_guard.check(sql)
    return sql


# --- running one query ---------------------------------------------------------------------

def _run(con: duckdb.DuckDBPyConnection, sql: str, limit: int, timeout: float) -> Result:
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        con.interrupt()

    timer = threading.Timer(timeout, stop)
    timer.daemon = True
    started = time.perf_counter()
    timer.start()
    try:
        cursor = con.execute(sql)
        columns = [str(d[0]) for d in cursor.description or []]
        types = [str(d[1]) for d in cursor.description or []]
        rows = _fetch(cursor, limit)
    except duckdb.Error as err:
        if stopped.is_set():
            raise BadInput(f"query ran longer than {timeout:g} s and was stopped: narrow it "
                           "down (WHERE, LIMIT) or aggregate", parameter="sql") from None
        raise BadInput(_explain(err), parameter="sql") from None
    finally:
        timer.cancel()
    elapsed = (time.perf_counter() - started) * 1000
    return Result(columns, types, rows[:limit], len(rows) > limit, elapsed, limit)


def _fetch(cursor: duckdb.DuckDBPyConnection, limit: int) -> list[tuple]:
    """Up to ``limit + 1`` rows (one past the cap tells whether there were more), measured as
    they come: past ``sql_guard.MAX_BYTES`` the query is refused before more is converted.
    Batches shrink as rows grow, so a few huge rows are never converted at once."""
    rows: list[tuple] = []
    total, batch_size = 0, FIRST_FETCH
    while len(rows) <= limit:
        batch = cursor.fetchmany(min(batch_size, limit + 1 - len(rows)))
        if not batch:
            break
        total += sum(sql_guard.size(v) for row in batch for v in row)
        if total > sql_guard.MAX_BYTES:
            raise sql_guard.too_large()
        rows.extend(batch)
        per_row = total / len(rows)
        batch_size = int(max(1, min(FETCH, (sql_guard.MAX_BYTES - total) / per_row / 4)))
    return rows


def _first_line(err: Exception) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__


def _explain(err: duckdb.Error) -> str:
    """DuckDB's first line, plus what to do when a view is not there (yet)."""
    line = _first_line(err)
    if isinstance(err, duckdb.CatalogException) and "does not exist" in line:
        for name, needs in NEEDS.items():
            if f"with name {name} does not exist" in line:
                return f"the {name} view is not available yet: {needs}"
        return (f"{line} (views: {', '.join(VIEWS)}; `coupwatch sql --views` lists their "
                "columns)")
    return line
