"""OEF's REIGN leader-month file (``REIGN_2021_8.csv``) read into the country-year panel of
``reign_*`` variables that the mirror's researcher panel holds (see ``parse_monthly``)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from coupwatch import countries
from coupwatch.sources._ranges import FLAG, NON_NEGATIVE, SHARE, Range
from coupwatch.sources._read import Table, read_table
from coupwatch.sources.base import Parsed, to_long

# The country-year variables and the values each may take: 0/1 flags; militarycareer in
# [0, 1] as REIGN's leader list codes a partly military career 0.5; lastelection, loss and
# irregular are logs of months (0 when it happened this month); prev_conflict is a count.
CY_RANGES: dict[str, Range] = {
    "elected": FLAG, "age": Range(0, 120), "male": FLAG, "militarycareer": SHARE,
    "tenure_months": NON_NEGATIVE,
    **dict.fromkeys(["anticipation", "ref_ant", "leg_ant", "exec_ant", "irreg_lead_ant",
                     "election_now", "election_recent", "leg_recent", "exec_recent",
                     "lead_recent", "ref_recent", "direct_recent", "indirect_recent",
                     "victory_recent", "defeat_recent", "change_recent", "nochange_recent",
                     "delayed"], FLAG),
    "lastelection": NON_NEGATIVE, "loss": NON_NEGATIVE, "irregular": NON_NEGATIVE,
    "prev_conflict": NON_NEGATIVE,
}
CY_NUMERIC = list(CY_RANGES)
RENAME = {c: f"reign_{c}" for c in [*CY_NUMERIC, "government"]}
MONTHLY_KEY = ["ccode", "year", "month"]


def unmapped_rows(entries: dict) -> list[dict]:
    return [{"code": f"COW {code}", "name": name or f"COW {code}", "year_min": min(years),
             "year_max": max(years), "rows": len(years), "reason": "no G&W state"}
            for code, (name, years) in entries.items()]


def parse_monthly(path: Path) -> Parsed:
    """OEF's leader-month file as the country-year panel of ``reign_*`` variables.

    Codes: ``ccode`` is a Correlates of War code, as in REIGN's leader list (unified Yemen
    is 679, Germany after 1990 is 255, Serbia keeps 345 after 2006); it is mapped to G&W by
    year with ``countries.cow_to_gw``. Years in which a code names no G&W state are
    reported as unmapped; a code known to neither system is bad input.

    Aggregation: each G&W state-year takes the values of its last month observed that
    year, i.e. December, or the last month of a state that ended during the year. When a
    month has several rows (a leader change), the last in file order is taken: REIGN lists
    a month's leaders in the order they took office, so this is the leader at the end of
    the month. Evidence in the mirror's panel: the USA's ``tenure_months`` is 69, 81, 93 in
    1950-52 (Truman, in office since April 1945: December counts) and 12 in 1953; the GDR's
    1990 row has tenure 11 (a leader since December 1989, so October 1990, its last month);
    unified Yemen's leader spell starts in May 1990 and G&W 678 has tenure 8 in 1990; and
    Romania 1989 and Argentina 2001 have tenure 1, the last of December's leaders.
    ``lastelection``, ``loss`` and ``irregular`` are logs of months since the last
    election, lost election and irregular exit, so they are December's values too.

    The release's last year is left out when its last month is not December (REIGN_2021_8
    stops in August 2021): its values are not end-of-year values, as the leader lists
    (``_horizon``) also stop at the last full year. Exact duplicate rows are counted once.

    Differences from the mirror, which used its own month-level code mapping: Serbia's
    June-December 2006 rows go to G&W 345 here (``cow_to_gw`` maps COW 345 in 2006 to 345),
    so 340 has no 2006 row; and Germany 1990 (G&W 260) takes unified Germany's December
    row (COW 255) where the mirror kept West Germany's September 1990 row.
    """
    table = read_table(path, expect=MONTHLY_KEY, ranges=CY_RANGES)
    table.require([*MONTHLY_KEY, *CY_NUMERIC, "government"])
    months = pd.DataFrame({
        "ccode": table.number("ccode", integer=True, required=True),
        "year": table.number("year", integer=True, required=True, lo=1900, hi=2100),
        "month": table.number("month", integer=True, required=True, lo=1, hi=12),
    })
    for name in CY_NUMERIC:
        months[name] = table.number(name)
    months["government"] = table.text("government")
    _check_cowcodes(table, months["ccode"])
    release = _monthly_release(path, months)
    exact = _exact_duplicates(table)
    months = _full_years(months[~exact])
    names = table.text("country") if table.has("country") else months["ccode"].map("{:g}".format)
    months["gwcode"], unmapped = _cow_to_gw_by_year(months, names)
    months = months.dropna(subset=["gwcode"])
    # a stable sort keeps file order within a month, so the last row is the month's last
    # leader
    ordered = months.sort_values(["gwcode", "year", "month"], kind="mergesort")
    year_end = ordered.drop_duplicates(["gwcode", "year"], keep="last")
    indicators = to_long(year_end, CY_NUMERIC, ["government"], RENAME)
    return Parsed(release=release, indicators=indicators, unmapped=unmapped_rows(unmapped),
                  duplicates=int(exact.sum()))


def _exact_duplicates(table: Table) -> pd.Series:
    """Rows identical to an earlier row. Only rows sharing a country-month can be, so the
    41-column comparison runs on those few (leader changes) instead of the whole file."""
    raw = table.frame
    shared = raw.duplicated(subset=MONTHLY_KEY, keep=False).to_numpy()
    exact = np.zeros(len(raw), dtype=bool)
    exact[shared] = raw[shared].duplicated(keep="first").to_numpy()
    return pd.Series(exact, index=raw.index)


def _check_cowcodes(table: Table, codes: pd.Series) -> None:
    for code in codes.unique():
        if not countries.known_cowcode(int(code)):
            index = int(np.flatnonzero((codes == code).to_numpy())[0])
            raise table.fail(index, "ccode", f"unknown COW country code {code:g}")


def _monthly_release(path: Path, months: pd.DataFrame) -> str:
    """OEF names releases ``REIGN_<year>_<month>`` after the last month they cover. A file
    downloaded into the cache carries the mirror's name, so the name is rebuilt from the
    data when the file's own name is not a release name."""
    if re.fullmatch(r"REIGN_\d{4}_\d{1,2}", path.stem):
        return path.stem
    last = int(months["year"].max())
    month = int(months.loc[months["year"] == last, "month"].max())
    return f"REIGN_{last}_{month}"


def _full_years(months: pd.DataFrame) -> pd.DataFrame:
    """Drop the file's last year unless some state is observed in its December."""
    if months.empty:
        return months
    last = months["year"].max()
    if months.loc[months["year"] == last, "month"].max() < 12:
        return months[months["year"] < last]
    return months


def _cow_to_gw_by_year(months: pd.DataFrame, names: pd.Series) -> tuple[pd.Series, dict]:
    """G&W code of every row (NaN where the COW state is no G&W state that year), and the
    unmapped code-years with the file's own country name."""
    pairs = months[["ccode", "year"]].drop_duplicates()
    lookup = {(c, y): countries.cow_to_gw(int(c), int(y))
              for c, y in zip(pairs["ccode"], pairs["year"], strict=True)}
    keys = zip(months["ccode"], months["year"], strict=True)
    gw = pd.Series([lookup[key] for key in keys], index=months.index, dtype="float64")
    unmapped: dict = {}
    for (code, year), mapped in lookup.items():
        if mapped is None:
            index = months.index[(months["ccode"] == code).to_numpy()][0]
            entry = unmapped.setdefault(int(code), (names.loc[index], set()))
            entry[1].add(int(year))
    return gw, unmapped
