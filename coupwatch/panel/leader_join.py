"""How REIGN and Wikidata are joined: REIGN for the dates it covers, Wikidata after.

REIGN's lists (``sources.reign``) end with their release (March 2021: complete through
February 2021, month ``c_r``); Wikidata's answers (``sources.wikidata``) run to the day they
were made (``c_w``, the last complete month). Both are read from table ``spells``.

Office. REIGN's leader is the effective ruler; Wikidata has two offices per state. Per state,
the office whose holder at the end of REIGN's coverage is REIGN's leader then (names compared
word by word, accents and case aside: every word of REIGN's name in Wikidata's label); when
neither or both match, the head of government where REIGN's last government type is
"Parliamentary Democracy", else the head of state. The same office is used after REIGN's end
and by ``leader_compare``.

Leaders. Up to ``c_r`` the spells are REIGN's, exactly. A Wikidata spell of the chosen office
running at ``c_r`` continues REIGN's leader of then: REIGN's open spell keeps its start (tenure
counts on) and military career, and ends when that Wikidata spell ends. Wikidata spells
starting after ``c_r`` are added as they are. A state Wikidata continues so is covered to
``c_w``; the others stay covered to ``c_r`` (and are carried, then empty, as before).

Elections. REIGN's records of votes dated up to ``c_r``, Wikidata's dated after; the merged
records count from ``c_r`` on, and every month up to ``c_r`` keeps REIGN's values (REIGN's own
announcements of later votes included). Coverage ``c_w``.

Annual values (``annual``): the end-of-year leader tenure and military career and years since
the last vote, for the years after REIGN's last country-year (2020) through Wikidata's last
complete year, from the same joined records; the panel builder uses them where REIGN has no
value. Wikidata gives no leader age here (``spells`` holds no birth dates).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from coupwatch.panel import months

REIGN, WIKIDATA = "reign", "wikidata"
PARLIAMENTARY = "Parliamentary Democracy"
PARTICLES = {"al", "el", "bin", "ibn", "de", "da", "van", "von", "la", "le"}
FILLED = ("leader_tenure_years", "leader_military", "years_since_election")


@dataclass
class Records:
    """Dated records of one kind, and the last month they are complete for."""

    frame: pd.DataFrame
    coverage: int | None  # default for every state
    by_state: dict[int, int] = field(default_factory=dict)  # states covered to another month
    reign_end: int | None = None  # months up to this one take REIGN's values alone

    def coverage_of(self, gwcodes: np.ndarray) -> np.ndarray:
        """Per row, the month its state's records are complete for (NaN: none)."""
        default = np.nan if self.coverage is None else float(self.coverage)
        return pd.Series(np.asarray(gwcodes, dtype=np.int64)).map(self.by_state).fillna(
            default).to_numpy(dtype=float)


def read(con: duckdb.DuckDBPyConnection, kind: str, source: str) -> tuple[pd.DataFrame,
                                                                          int | None]:
    """One source's records of ``kind`` and the last month they cover."""
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
    ).fetchall()}
    if "spells" not in tables:
        return pd.DataFrame(), None
    frame = con.execute("""SELECT gwcode, start_date, end_date, military, detail, release, line,
                                  name, ref FROM spells WHERE kind = ? AND source = ?
                           AND gwcode IS NOT NULL ORDER BY gwcode, start_date, line""",
                        [kind, source]).df()
    if frame.empty:
        return frame, None
    for column in ("start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column])
    release = str(frame["release"].iloc[0])
    if source == WIKIDATA:
        return frame, months.covered_through(pd.Timestamp(release))
    coverage = months.release_month(release)
    if coverage is None:  # no release month: the newest dated record
        coverage = int(max(months.of_dates(frame["start_date"]).max(), months.of_dates(
            frame["end_date"].where(frame["detail"].isna() | (frame["detail"] == "held"))).max()))
    return frame, coverage


def _words(name: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return {w for w in re.findall(r"[a-z]+", plain) if len(w) > 1 and w not in PARTICLES}


def _holders(frame: pd.DataFrame, at: int, keys: list[str]) -> pd.DataFrame:
    """The spell in office at the end of month ``at``, per ``keys`` (state, or state and
    office)."""
    start, end = months.of_dates(frame["start_date"]), months.of_dates(frame["end_date"])
    running = frame[(start <= at) & ((end < 0) | (end >= at))]
    return running.sort_values("start_date", kind="mergesort").drop_duplicates(keys,
                                                                                keep="last")


def offices(con, reign: pd.DataFrame, wiki: pd.DataFrame, at: int | None) -> dict[int, str]:
    """The Wikidata office that matches REIGN's leader, per state (see the module text)."""
    government = con.execute("""SELECT gwcode, arg_max(text, year) FROM indicators
                                WHERE source = 'reign' AND variable = 'reign_government'
                                GROUP BY gwcode""").fetchall()
    by_rule = {int(g): "head_of_government" if t == PARLIAMENTARY else "head_of_state"
               for g, t in government}
    chosen = {int(g): by_rule.get(int(g), "head_of_state") for g in wiki["gwcode"].unique()}
    if at is None or reign.empty:
        return chosen
    rulers = _holders(reign, at, ["gwcode"]).set_index("gwcode")["name"]
    matched: dict[int, set[str]] = {}
    for code, office, label in _holders(wiki, at, ["gwcode", "detail"])[
            ["gwcode", "detail", "name"]].itertuples(index=False):
        ruler = _words(rulers.get(code, ""))
        if ruler and ruler <= _words(label):
            matched.setdefault(int(code), set()).add(office)
    for code, found in matched.items():
        if len(found) == 1:  # both offices held by REIGN's leader: the rule decides
            chosen[code] = found.pop()
    return chosen


def leaders(con) -> Records:
    """REIGN's leader spells, continued by Wikidata's (see the module text)."""
    reign, c_r = read(con, "leader", REIGN)
    wiki, c_w = read(con, "leader", WIKIDATA)
    if wiki.empty or (c_r is not None and c_w <= c_r):
        return Records(reign, c_r, reign_end=c_r)
    office = offices(con, reign, wiki, c_r)
    wiki = wiki[wiki["detail"] == wiki["gwcode"].map(office)]
    if reign.empty:
        return Records(wiki, c_w)
    start = months.of_dates(wiki["start_date"])
    later = wiki[start > c_r]
    running = _holders(wiki[start <= c_r], c_r, ["gwcode"]).set_index("gwcode")
    running = running[running["end_date"].isna() | (months.of_dates(running["end_date"]) > c_r)]
    joined = reign.copy()
    open_spell = joined["end_date"].isna() & joined["gwcode"].isin(running.index)
    joined.loc[open_spell, "end_date"] = joined.loc[open_spell, "gwcode"].map(
        running["end_date"]).to_numpy()
    frame = pd.concat([joined, later], ignore_index=True).sort_values(
        ["gwcode", "start_date", "line"], kind="mergesort").reset_index(drop=True)
    continued = set(running.index) | set(later["gwcode"])
    return Records(frame, c_r, {int(g): c_w for g in continued}, reign_end=c_r)


def elections(con) -> tuple[Records, Records | None]:
    """REIGN's election records alone, and joined with Wikidata's (None: no Wikidata)."""
    reign, c_r = read(con, "election", REIGN)
    own = Records(reign, c_r, reign_end=c_r)
    wiki, c_w = read(con, "election", WIKIDATA)
    if wiki.empty or (c_r is not None and c_w <= c_r):
        return own, None
    if reign.empty:
        return Records(wiki, c_w), Records(wiki, c_w)
    kept = reign[months.of_dates(reign["end_date"]) <= c_r]
    added = wiki[months.of_dates(wiki["end_date"]) > c_r]
    frame = pd.concat([kept, added], ignore_index=True).sort_values(
        ["gwcode", "start_date", "line"], kind="mergesort").reset_index(drop=True)
    return own, Records(frame, c_w, reign_end=c_r)


def _last_full_year(month: int) -> int:
    return (month + 1) // 12 - 1


def annual(con) -> dict[str, pd.DataFrame]:
    """Per variable of ``FILLED``: ``gwcode, year, value`` for the years after REIGN's last
    country-year, from the joined records (empty frames without Wikidata)."""
    last = dict(con.execute("""SELECT variable, max(year) FROM indicators WHERE source = 'reign'
                               AND list_contains(?, variable) GROUP BY variable""",
                            [list(FILLED)]).fetchall())
    out = {name: pd.DataFrame(columns=["gwcode", "year", "value"]) for name in FILLED}
    spells = leaders(con)
    if spells.by_state and "leader_tenure_years" in last:
        rows = []
        for code, own in spells.frame.groupby("gwcode", sort=False):
            if int(code) not in spells.by_state:
                continue
            starts, ends = months.of_dates(own["start_date"]), months.of_dates(own["end_date"])
            for year in range(int(last["leader_tenure_years"]) + 1,
                              _last_full_year(spells.by_state[int(code)]) + 1):
                december = months.index(year, 12)
                current = np.searchsorted(starts, december, side="right") - 1
                if current >= 0 and (ends[current] < 0 or ends[current] > december):
                    rows.append((int(code), year, year - own["start_date"].iloc[current].year,
                                 own["military"].iloc[current]))
        frame = pd.DataFrame(rows, columns=["gwcode", "year", "tenure", "military"])
        out["leader_tenure_years"] = frame.rename(columns={"tenure": "value"})[
            ["gwcode", "year", "value"]]
        if "leader_military" in last:
            out["leader_military"] = frame.loc[frame["year"] > last["leader_military"]].rename(
                columns={"military": "value"})[["gwcode", "year", "value"]].dropna()
    _, joined = elections(con)
    if joined is not None and "years_since_election" in last:
        held = joined.frame[joined.frame["detail"] == "held"]
        years = range(int(last["years_since_election"]) + 1,
                      _last_full_year(joined.coverage) + 1)
        rows = [(int(code), year, year - max(v for v in votes if v <= year))
                for code, votes in held.groupby("gwcode")["end_date"].agg(
                    lambda d: sorted(d.dt.year)).items()
                for year in years if votes[0] <= year]
        out["years_since_election"] = pd.DataFrame(rows, columns=["gwcode", "year", "value"])
    return out
