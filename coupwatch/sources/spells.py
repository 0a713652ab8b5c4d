"""Dated records: leader spells and national votes, as exact as each source dates them.

Connectors fill the warehouse table ``spells`` through ``Parsed.spells`` (one row per record;
a source's rows are replaced with its events and indicators, in the same transaction). The
table is source-neutral: REIGN's leader and election lists and Wikidata's answers
(``sources.wikidata``) fill it, each under its own ``source``; ``panel.leader_join`` joins
them by date.

Columns:

- ``source, file, line, release``: where the record comes from (``line``: 1-based, the line in
  the file, or the record in a JSON answer; Wikidata's release is the day the query ran).
- ``gwcode``: the G&W state. A record whose COW code maps to two G&W codes over its years
  (Serbia 2006/07) appears once per G&W code.
- ``cowcode``: the source's own Correlates of War code (NULL for sources keyed otherwise).
- ``kind``: ``leader`` or ``election``.
- ``start_date``, ``start_precision``: leader: took office. Election: the day the vote became
  known (announced); NULL when the source does not say.
- ``end_date``, ``end_precision``: leader: left office (NULL: still in office when the release
  was made). Election: the day of the vote if held, else the day it was planned for.
- ``name``: leader: the name. Election: its type (``executive``, ``legislative``,
  ``referendum``; Wikidata also ``general``).
- ``military``: leader: military career (1 yes, 0 no, 0.5 partly; NULL unknown).
- ``detail``: election: ``held``, ``scheduled`` (still to come when the release was made) or
  ``not_held`` (voided, cancelled, a deadline not met). Leader: the office where the source
  tells two apart (Wikidata: ``head_of_state``, ``head_of_government``); NULL for REIGN.
- ``ref``: the source's own identifier (REIGN ``leadid`` or ``elecnum``; Wikidata: the
  person's or the election's item).

Precision is ``day``, ``month`` or ``year``: a date known to the month is stored as the first
of that month, one known to the year as 1 January, so comparisons by month stay exact.
"""

from __future__ import annotations

import pandas as pd

SPELL_COLUMNS = ["gwcode", "cowcode", "kind", "start_date", "start_precision", "end_date",
                 "end_precision", "name", "military", "detail", "ref", "release", "line"]
KINDS = ("leader", "election")
PRECISIONS = ("day", "month", "year")
ELECTION_STATUS = ("held", "scheduled", "not_held")


def frame(rows: list[dict]) -> pd.DataFrame:
    """Spell rows with the table's columns and types (dates as ``datetime64``)."""
    out = pd.DataFrame(rows, columns=SPELL_COLUMNS)
    for column in ("start_date", "end_date"):
        out[column] = pd.to_datetime(out[column])
    out["gwcode"] = out["gwcode"].astype("Int64")
    out["cowcode"] = out["cowcode"].astype("Int64")
    out["military"] = out["military"].astype("float64")
    out["line"] = out["line"].astype("int64")
    return out
