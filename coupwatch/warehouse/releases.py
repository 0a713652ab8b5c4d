"""Which release of a source is "the newest": defined once, for the panel, the SQL views and
every reader built on them.

A release name that carries a date (Powell & Thyne's ``V2022.11.29``) is ordered by that date;
names without one come after, in reverse text order, so a file's own version string decides.
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd

DATE = r"(\d{4})\.(\d{2})\.(\d{2})"


def newest_sql(events: str = "events", source: str = "powell_thyne") -> str:
    """A query giving the newest release of ``source`` among the rows of ``events``."""
    if not re.fullmatch(r"[a-z_]+", source):
        raise ValueError(f"not a source name: {source!r}")
    return (f"SELECT release FROM {events} WHERE source = '{source}' GROUP BY release "
            f"ORDER BY try_strptime(regexp_extract(release, '{DATE}', 0), '%Y.%m.%d') "
            "DESC NULLS LAST, release DESC LIMIT 1")


def newest(con: duckdb.DuckDBPyConnection, source: str = "powell_thyne") -> str | None:
    rows = con.execute(newest_sql(source=source)).fetchall()
    return rows[0][0] if rows else None


def release_date(release: str | None) -> pd.Timestamp | None:
    """The date a release name carries (``V2022.11.29`` -> 2022-11-29), if any."""
    match = re.search(DATE, release or "")
    return pd.Timestamp(*(int(g) for g in match.groups())) if match else None
