"""Which release of a source is "the newest": defined once, for the panel, the SQL views and
every reader built on them.

Release names are ordered by the numbers they carry, compared as numbers: Powell & Thyne's
``V2015.05.20`` < ``V2022.11.29`` (dates) and the Cline Center's ``v2.1.9`` < ``v2.1.12``.
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd

DATE = r"(\d{4})\.(\d{2})\.(\d{2})"
# the numbers in a release name, as a list DuckDB compares element by element
ORDER = r"list_transform(regexp_extract_all(release, '\d+'), lambda n: n::BIGINT)"


def newest_sql(events: str = "events", source: str = "powell_thyne") -> str:
    """A query giving the newest release of ``source`` among the rows of ``events``."""
    if not re.fullmatch(r"[a-z_]+", source):
        raise ValueError(f"not a source name: {source!r}")
    return (f"SELECT release FROM {events} WHERE source = '{source}' GROUP BY release "
            f"ORDER BY {ORDER} DESC, release DESC LIMIT 1")


def ordered(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """The releases of ``source`` in the warehouse, oldest first."""
    return [r[0] for r in con.execute(
        f"SELECT release FROM events WHERE source = ? GROUP BY release "
        f"ORDER BY {ORDER}, release", [source]).fetchall()]


def newest(con: duckdb.DuckDBPyConnection, source: str = "powell_thyne") -> str | None:
    rows = con.execute(newest_sql(source=source)).fetchall()
    return rows[0][0] if rows else None


def release_date(release: str | None) -> pd.Timestamp | None:
    """The date a release name carries (``V2022.11.29`` -> 2022-11-29), if any."""
    match = re.search(DATE, release or "")
    return pd.Timestamp(*(int(g) for g in match.groups())) if match else None
