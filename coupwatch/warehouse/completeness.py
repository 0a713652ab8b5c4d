"""Whether the warehouse holds every source the product needs, and which are missing.

A first update killed part-way under earlier versions left some sources and not others, and
forecasts then ran with whole features empty and no warning. Updates are now one transaction,
but a warehouse can still lack sources (``data update --source`` on an empty warehouse, or a
file written by an older version), so whatever builds on the panel asks here first.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from coupwatch.errors import BadInput, EmptyWarehouse


@dataclass(frozen=True)
class Completeness:
    present: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing

    def require(self, what: str = "forecasts") -> None:
        """Refuse, in one line that says what to run, when a needed source is missing."""
        if not self.present:
            raise EmptyWarehouse()
        if self.missing:
            raise BadInput(f"the warehouse lacks sources {', '.join(self.missing)} that "
                           f"{what} need (an update loaded only some sources, or was "
                           "interrupted under an earlier version): run `coupwatch data update`")


def completeness(con: duckdb.DuckDBPyConnection, needed: tuple[str, ...], *,
                 database: str | None = None) -> Completeness:
    """Which of the ``needed`` sources (the panel's: ``panel.spec.NEEDS``) the warehouse
    (``database``, default the connection's own) holds and which it lacks."""
    table = f"{database}.main.provenance" if database else "provenance"
    present = {row[0] for row in con.execute(f"SELECT DISTINCT source FROM {table}").fetchall()}
    want = sorted(needed)
    return Completeness(present=tuple(s for s in want if s in present),
                        missing=tuple(s for s in want if s not in present))
