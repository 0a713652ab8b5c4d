"""What the SQL console refuses by name, and how large an answer may grow.

``enable_external_access = false`` stops every file read but one kind: DuckDB always lets a
connection read the files of a database it has attached, so ``read_blob('<home>/warehouse
.duckdb')`` would return the warehouse's raw bytes. And a few catalog functions show the
machine's absolute paths (``duckdb_databases()``, ``duckdb_settings()``,
``current_setting('allowed_paths')``). So, before the query runs:

- a table function is accepted only from ``TABLE_FUNCTIONS`` (series, unnesting, the catalog of
  the views): any other one DuckDB offers (``read_*``, ``glob``, ``query``, ``parquet_*``,
  ``duckdb_settings``, ... and those of later DuckDB versions) is refused;
- the catalog views and scalar functions in ``REFUSED`` are refused too.

Names are read from DuckDB's own tokenizer, so quoting (``"read_blob"``), comments and
schema-qualified names (``system.main.read_blob``) do not hide them.

The answer is also capped in bytes (``MAX_BYTES``, measured while the rows are fetched): a
query returning more is refused, never half-converted into a body of a gigabyte.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import duckdb

from coupwatch.errors import BadInput

TABLE_FUNCTIONS = frozenset({
    "range", "generate_series", "unnest", "repeat", "repeat_row", "json_each", "json_tree",
    "duckdb_columns", "duckdb_tables", "duckdb_views", "duckdb_schemas", "duckdb_types",
    "duckdb_functions", "duckdb_keywords", "duckdb_constraints", "duckdb_indexes",
    "duckdb_dependencies", "duckdb_sequences", "pragma_table_info", "pragma_show",
    "pragma_version", "pragma_platform", "pragma_collations", "pg_timezone_names",
    "icu_calendar_names"})
REFUSED = frozenset({"current_setting", "duckdb_databases", "pragma_database_list",
                     "pg_settings", "duckdb_logs"})
MAX_BYTES = 32 * 2**20  # of cell values, about the size of the JSON answer
WORDS = (duckdb.token_type.identifier, duckdb.token_type.keyword)


@lru_cache(maxsize=1)
def _table_functions() -> frozenset[str]:
    con = duckdb.connect(":memory:")
    try:
        return frozenset(r[0].lower() for r in con.execute(
            "SELECT DISTINCT function_name FROM duckdb_functions() "
            "WHERE function_type = 'table'").fetchall())
    finally:
        con.close()


def check(sql: str) -> None:
    """Refuse a query naming a file reader or a function that shows the machine's paths."""
    functions = _table_functions() - TABLE_FUNCTIONS
    tokens = [(sql[start:end].strip(), kind) for (start, kind), end in zip(
        duckdb.tokenize(sql), [t[0] for t in duckdb.tokenize(sql)[1:]] + [len(sql)],
        strict=True) if kind != duckdb.token_type.comment]
    for i, (text, kind) in enumerate(tokens):
        following = tokens[i + 1][0] if i + 1 < len(tokens) else ""
        if kind == duckdb.token_type.string_const and i and \
                tokens[i - 1][0].upper() in ("FROM", "JOIN"):
            raise BadInput("reading a file is not allowed in the console: query the views "
                           "(`coupwatch sql --views` lists them)", parameter="sql")
        if kind not in WORDS:
            continue
        name = text.strip('"').lower()
        # a table function is called (a column or alias may share its name); the views and
        # scalar functions in REFUSED are refused wherever they are named
        if name in REFUSED or (name in functions and following.startswith("(")):
            raise BadInput(f"{name} is not available in the console: it reads files or shows "
                           "the server's settings and paths; query the views instead "
                           "(`coupwatch sql --views` lists them)", parameter="sql")


def size(value) -> int:
    """About how many bytes a cell takes in the JSON answer."""
    if value is None:
        return 4
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, bytes):  # base64 in the JSON answer
        return len(value) * 4 // 3 + 4
    if isinstance(value, list | tuple):
        return 2 + sum(size(v) + 1 for v in value)
    if isinstance(value, dict):
        return 2 + sum(size(k) + size(v) + 2 for k, v in value.items())
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return 28
    return 8  # a number: most print in a few characters


def too_large(limit: int = MAX_BYTES) -> BadInput:
    return BadInput(f"the answer is larger than {limit / 2**20:g} MB: narrow the query (fewer "
                    "or shorter columns, WHERE, LIMIT) or aggregate", parameter="sql")
