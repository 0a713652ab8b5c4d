"""Do REIGN and Wikidata agree on when leaders change? (``coupwatch data compare-leaders``)

Compared per state-year where both sources cover the year:

- the office: REIGN's leader is the effective ruler, so Wikidata's office is the one that
  matches it (``leader_join.offices``: the office whose holder was REIGN's leader at the end of
  REIGN's list, else by REIGN's government type), the same office the panel continues REIGN
  with;
- a leader change in a year: a spell starting in that year whose holder differs from the
  holder of the state's spell before it (REIGN's ``leadid``, else the name; Wikidata's person
  item), so a second term recorded as a new statement is no change;
- a source covers a state-year when one of its spells is in office during the year, the year
  is after the one its first spell of the state starts in (what came before is unknown to
  it) and it is no later than the source's last complete year (REIGN: 2020).

The share of state-years whose changes agree (both a change, or both none) is reported with
the state-years that disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from coupwatch import countries
from coupwatch.errors import NoData
from coupwatch.panel import leader_join

COLUMNS = ["gwcode", "country", "year", "office", "reign_change", "wikidata_change", "reign",
           "wikidata"]


@dataclass
class LeaderComparison:
    compared: pd.DataFrame  # every state-year both cover (``COLUMNS``)
    disagreements: pd.DataFrame  # the rows of ``compared`` whose changes differ

    @property
    def total(self) -> int:
        return len(self.compared)

    @property
    def agree(self) -> int:
        return self.total - len(self.disagreements)

    @property
    def share(self) -> float:
        return self.agree / self.total if self.total else float("nan")

    @property
    def years(self) -> tuple[int | None, int | None]:
        if not self.total:
            return None, None
        return int(self.compared["year"].min()), int(self.compared["year"].max())


def _years(frame: pd.DataFrame, last: int) -> dict[int, dict[int, list[str]]]:
    """Per state: every year covered, with the holders whose change falls in it."""
    out: dict[int, dict[int, list[str]]] = {}
    for code, own in frame.groupby("gwcode", sort=False):
        own = own.sort_values(["start_date", "line"], kind="mergesort")
        first = int(own["start_date"].iloc[0].year)
        years: dict[int, list[str]] = {}
        holder = None
        for start, end, name, ref in own[["start_date", "end_date", "name", "ref"]].itertuples(
                index=False):
            who = ref if isinstance(ref, str) and ref else name
            stop = last if pd.isna(end) else min(int(end.year), last)
            for year in range(max(int(start.year), first + 1), stop + 1):
                years.setdefault(year, [])
            if holder is not None and who != holder and first < start.year <= last:
                years.setdefault(int(start.year), []).append(str(name))
            holder = who
        out[int(code)] = years
    return out


def compare(con, *, first: int | None = None, last: int | None = None,
            gwcode: int | None = None) -> LeaderComparison:
    reign, c_r = leader_join.read(con, "leader", leader_join.REIGN)
    wiki, c_w = leader_join.read(con, "leader", leader_join.WIKIDATA)
    if reign.empty:
        raise NoData("the warehouse has no REIGN leader spells: run `coupwatch data update`")
    if wiki.empty:
        raise NoData("the warehouse has no Wikidata leader spells: run `coupwatch data update "
                     "--source wikidata` online (a mirror holds none)")
    office = leader_join.offices(con, reign, wiki, c_r)
    wiki = wiki[wiki["detail"] == wiki["gwcode"].map(office)]
    if gwcode is not None:
        reign, wiki = reign[reign["gwcode"] == gwcode], wiki[wiki["gwcode"] == gwcode]
    ours = _years(reign, (c_r + 1) // 12 - 1)
    theirs = _years(wiki, (c_w + 1) // 12 - 1)
    rows = []
    for code in sorted(set(ours) & set(theirs)):
        for year in sorted(set(ours[code]) & set(theirs[code])):
            if (first is not None and year < first) or (last is not None and year > last):
                continue
            a, b = ours[code][year], theirs[code][year]
            rows.append((code, countries.gw_name(code), year, office.get(code, ""), bool(a),
                         bool(b), "; ".join(a), "; ".join(b)))
    compared = pd.DataFrame(rows, columns=COLUMNS)
    differ = compared["reign_change"].to_numpy() != compared["wikidata_change"].to_numpy()
    return LeaderComparison(compared, compared[np.asarray(differ, dtype=bool)].reset_index(
        drop=True))
