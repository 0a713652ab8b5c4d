"""A copy of the mirror in which REIGN stopped at the end of a year (all four files), the
other sources left as they are: what a user meets when a source stops publishing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import copy_mirror, read_rows, write_rows


def _year(text: str) -> int | None:
    return int(text) if text.strip().lstrip("-").isdigit() else None


def _date(text: str) -> dt.date:
    month, day, year = (int(p) for p in text.split("/"))
    return dt.date(year, month, day)


def cut_reign(dest: Path, last: int) -> Path:
    """The mirror copied to ``dest`` with REIGN cut at the end of ``last``: country-years and
    elections after it dropped, leader spells and regimes begun after it dropped, and those
    still running then left open (leaders) or ended on 31 December (regimes)."""
    copy_mirror(dest)
    reign = dest / "reign"
    rows = read_rows(reign / "reign_country_year_1950_2019.csv")
    year = rows[0].index("year")
    write_rows(reign / "reign_country_year_1950_2019.csv",
               [rows[0]] + [r for r in rows[1:] if int(r[year]) <= last])

    rows = read_rows(reign / "leaderlist_3_21.csv")
    at = {n: rows[0].index(n) for n in ("syear", "eyear", "emonth")}
    kept = [rows[0]]
    for row in rows[1:]:
        if int(row[at["syear"]]) > last:
            continue
        end = _year(row[at["eyear"]])
        if end is not None and end > last:
            row = list(row)
            row[at["eyear"]], row[at["emonth"]] = "", ""
        kept.append(row)
    write_rows(reign / "leaderlist_3_21.csv", kept)

    rows = read_rows(reign / "electionlist_3_21.csv")
    year = rows[0].index("elec_year")
    write_rows(reign / "electionlist_3_21.csv",
               [rows[0]] + [r for r in rows[1:] if (_year(r[year]) or 0) <= last])

    rows = read_rows(reign / "regime_list.csv")
    start, end = rows[0].index("gwf_startdate"), rows[0].index("gwf_enddate")
    kept = [rows[0]]
    for row in rows[1:]:
        if _date(row[start]).year > last:
            continue
        if _date(row[end]) > dt.date(last, 12, 31):
            row = list(row)
            row[end] = f"12/31/{last}"
        kept.append(row)
    write_rows(reign / "regime_list.csv", kept)
    return dest
