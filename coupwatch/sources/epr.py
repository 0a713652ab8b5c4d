"""Ethnic Power Relations (EPR core), aggregated to country-year.

Two formats are read, told apart by the header:

* the researchers' country-year panel (``gwcode, year, epr_groups, ...``), as kept in the
  offline mirror;
* the publisher's group-period file (``EPR-2021.csv``: ``gwid, statename, from, to, group,
  groupid, gwgroupid, umbrella, size, status, reg_aut``), which is expanded here to
  group-years (``from`` to ``to``, both included) and aggregated to the panel's variables.

Definitions, each checked against rows of the mirror panel whose EPR coding is known (the
United States: Whites 0.691 MONOPOLY, Latinos 0.125 IRRELEVANT, African Americans 0.124
DISCRIMINATED, Asian Americans 0.036 IRRELEVANT, American Indians 0.0078 POWERLESS with
regional autonomy, Arab Americans 0.0042 IRRELEVANT in 1946-65):

* Groups whose status is IRRELEVANT are left out of every variable: the mirror has 3 US
  groups in 1946-65 and 6 from 1966, when EPR recodes the three irrelevant groups as
  POWERLESS.
* ``epr_groups``: the number of the remaining (politically relevant) groups.
* ``epr_elf``: the sum of squared group sizes, a concentration (Herfindahl) index rather
  than the usual 1 - sum of squares, despite its name: the US 1946 value 0.49291784 is
  exactly 0.691^2 + 0.124^2 + 0.0078^2.
* ``epr_excluded_groups_count`` / ``epr_excluded_group_pop``: groups POWERLESS,
  DISCRIMINATED or SELF-EXCLUSION, and the sum of their sizes (US 1946: 2, 0.1318).
* ``epr_inpower_groups_count`` / ``epr_inpower_groups_pop``: groups MONOPOLY, DOMINANT,
  SENIOR PARTNER, JUNIOR PARTNER or STATE COLLAPSE (US 1946: 1, 0.691). STATE COLLAPSE
  counts as in power: in the mirror, Lebanon 1976-91, Liberia 1990-96 and Afghanistan
  1993-96 have every group in power, and excluded plus in-power groups always make up
  ``epr_groups``.
* ``epr_regaut_groups_count`` / ``epr_regaut_group_pop``: relevant groups with regional
  autonomy, and their sizes (US 1946: 1, 0.0078).

A country-year with no relevant group has no row (missing, not 0), as in the mirror, where
only states EPR does not cover (microstates) are missing. Rows are not restricted to G&W
state-years: EPR codes states by G&W code already, and rows outside the system are
reported by ``data status``. Unsure: an empty ``reg_aut`` is read as no autonomy (earlier
EPR releases had some, and the panel's author mapped them to FALSE), and the mirror panel
could not be compared row by row with an EPR release, as the mirror holds none.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from coupwatch.errors import BadInput
from coupwatch.sources._ranges import NON_NEGATIVE, SHARE
from coupwatch.sources._read import NA_TOKENS, Table, duplicates, read_table
from coupwatch.sources.base import (
    Connector,
    Least,
    Parsed,
    SourceFile,
    check_gwcodes,
    gw_panel,
    to_long,
)

EPR_COLUMNS = ["epr_groups", "epr_elf", "epr_excluded_groups_count", "epr_excluded_group_pop",
               "epr_inpower_groups_count", "epr_inpower_groups_pop", "epr_regaut_groups_count",
               "epr_regaut_group_pop"]
# counts of groups, and shares of the population (epr_elf, a sum of squared shares, too)
RANGES = {name: NON_NEGATIVE if "count" in name or name == "epr_groups" else SHARE
          for name in EPR_COLUMNS}

EXCLUDED = frozenset({"POWERLESS", "DISCRIMINATED", "SELF-EXCLUSION"})
IN_POWER = frozenset({"MONOPOLY", "DOMINANT", "SENIOR PARTNER", "JUNIOR PARTNER",
                      "STATE COLLAPSE"})
IRRELEVANT = "IRRELEVANT"
STATUSES = EXCLUDED | IN_POWER | {IRRELEVANT}
PUBLISHER_COLUMNS = ["gwid", "from", "to", "groupid", "size", "status", "reg_aut"]


class EPR(Connector):
    name = "epr"
    title = "Ethnic Power Relations (EPR core), country-year"
    publisher = "ETH Zürich, International Conflict Research"
    licence = "free for research; cite Vogt et al. (2015)"
    citation = "Vogt et al. (2015), Integrating Data on Ethnicity, Geography, and Conflict"
    files = (SourceFile("epr/epr_gw.csv", "https://icr.ethz.ch/data/epr/core/EPR-2021.csv",
                        "ethnic groups' access to power by country-year",
                        least=Least(states_last_year=140)),)  # 174 in 2021

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        table = read_table(path, encoding=file.encoding)
        if table.has("gwid") and not table.has("gwcode"):
            return parse_group_periods(table)
        return gw_panel(path, path.stem, numeric=RANGES)


def parse_group_periods(table: Table) -> Parsed:
    """The publisher's group periods aggregated to country-years."""
    periods, dups = _periods(table)
    years = _group_years(table, periods)
    relevant = years[years["status"] != IRRELEVANT]
    frame = _aggregate(relevant).sort_values(["gwcode", "year"]).reset_index(drop=True)
    first, last = int(periods["from"].min()), int(periods["to"].max())
    return Parsed(release=_release(table.path, first, last),
                  indicators=to_long(frame, EPR_COLUMNS, [], {}), duplicates=dups)


def _periods(table: Table) -> tuple[pd.DataFrame, int]:
    """Validated group periods, exact duplicates dropped (and counted)."""
    table.require(PUBLISHER_COLUMNS)
    frame = pd.DataFrame({
        "gwcode": table.number("gwid", integer=True, required=True),
        "groupid": table.number("groupid", required=True),
        "from": table.number("from", integer=True, required=True, lo=1800, hi=2100),
        "to": table.number("to", integer=True, required=True, lo=1800, hi=2100),
        "size": table.number("size", required=True, lo=0, hi=1),
        "status": _statuses(table),
        "regaut": _booleans(table, "reg_aut"),
    })
    if frame.empty:
        raise BadInput("file has a header but no group rows", file=table.path, row=1)
    check_gwcodes(table, frame["gwcode"], "gwid")
    backwards = (frame["to"] < frame["from"]).to_numpy()
    if bool(backwards.any()):
        index = int(np.flatnonzero(backwards)[0])
        raise table.fail(index, "to", f"period ends ({frame['to'].iloc[index]:g}) before it "
                         f"starts ({frame['from'].iloc[index]:g})")
    raw = table.frame.apply(lambda column: column.str.strip())
    kept, dups = duplicates(raw, ["gwid", "groupid", "from"], table)
    return frame.loc[kept.index], dups


def _statuses(table: Table) -> pd.Series:
    status = table.text("status").str.upper()
    bad = ~status.isin(STATUSES).to_numpy()
    if bool(bad.any()):
        index = int(np.flatnonzero(bad)[0])
        raise table.fail(index, "status", f"'{table.text('status').iloc[index]}' is not an EPR "
                         f"status ({', '.join(sorted(STATUSES))})")
    return status


def _booleans(table: Table, column: str) -> pd.Series:
    """``true``/``false`` (any case) as 1/0; empty is read as false (see module docstring)."""
    raw = table.text(column)
    lowered = raw.str.lower()
    missing = raw.isin(NA_TOKENS)
    bad = (~lowered.isin(["true", "false"]) & ~missing).to_numpy()
    if bool(bad.any()):
        index = int(np.flatnonzero(bad)[0])
        raise table.fail(index, column, f"'{raw.iloc[index]}' is not true/false")
    return (lowered == "true").astype(float)


def _group_years(table: Table, periods: pd.DataFrame) -> pd.DataFrame:
    """One row per group and year; a group in two periods covering one year is refused."""
    spans = (periods["to"] - periods["from"] + 1).astype(int).to_numpy()
    years = periods.loc[periods.index.repeat(spans)]
    offset = years.groupby(level=0).cumcount().to_numpy()
    years = years.assign(year=(years["from"].to_numpy() + offset).astype(int))
    overlap = years.duplicated(["gwcode", "groupid", "year"]).to_numpy()
    if bool(overlap.any()):
        first = int(np.flatnonzero(overlap)[0])
        index = int(years.index[first])
        raise table.fail(index, "from", f"group {years['groupid'].iloc[first]:g} is already "
                         f"coded for {years['year'].iloc[first]} by another period")
    return years.reset_index(drop=True)


def _aggregate(years: pd.DataFrame) -> pd.DataFrame:
    """The eight country-year variables (see the module docstring for each)."""
    excluded = years["status"].isin(EXCLUDED)
    in_power = years["status"].isin(IN_POWER)
    parts = pd.DataFrame({
        "gwcode": years["gwcode"].astype(int), "year": years["year"],
        "epr_groups": 1.0, "epr_elf": years["size"] ** 2,
        "epr_excluded_groups_count": excluded.astype(float),
        "epr_excluded_group_pop": years["size"].where(excluded, 0.0),
        "epr_inpower_groups_count": in_power.astype(float),
        "epr_inpower_groups_pop": years["size"].where(in_power, 0.0),
        "epr_regaut_groups_count": years["regaut"],
        "epr_regaut_group_pop": years["size"] * years["regaut"],
    })
    return parts.groupby(["gwcode", "year"], as_index=False)[EPR_COLUMNS].sum()


def _release(path: Path, first: int, last: int) -> str:
    """The file's name when it is the publisher's (``EPR-2021``); a download is cached under
    the mirror's name, which says nothing of the release, so then the years it covers."""
    if re.match(r"epr[-_ ]?\d{4}", path.stem, flags=re.IGNORECASE):
        return path.stem
    return f"EPR core {first}-{last}"


CONNECTOR = EPR()
