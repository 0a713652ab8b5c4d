"""Coup events of one source, and two sources' lists matched event by event.

Powell & Thyne list coup attempts (successful or failed). The Cline Center lists realized coups,
attempts and conspiracies (plots discovered before any move): a P&T attempt matches a Cline
``coup`` or ``attempted`` event of the same G&W state within ``window`` days; conspiracies are
not attempts and take no part in the matching.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from coupwatch.errors import BadInput
from coupwatch.warehouse import releases

COLUMNS = ["year", "month", "day", "gwcode", "iso3", "country", "kind", "release", "file",
           "line", "actors"]
ATTEMPTS = {"powell_thyne": ("successful", "failed"), "cline": ("coup", "attempted")}
SUCCESS = {"powell_thyne": "successful", "cline": "coup"}  # the attempt took power
WINDOW = 31  # days


def read(con: duckdb.DuckDBPyConnection, source: str,
         release: str | None = None) -> pd.DataFrame:
    """One release of a source (default: the newest), by date, with ISO3 and display names."""
    have = releases.ordered(con, source)
    if not have:
        raise BadInput(f"the warehouse holds no {source} events: run `coupwatch data update "
                       f"--source {source}`", parameter="source")
    if release is not None and release not in have:
        raise BadInput(f"unknown {source} release '{release}' (have: {', '.join(have)})",
                       parameter="release")
    # only sources that have actor codings ever need the column (a warehouse made before it
    # was added reads Powell & Thyne without it)
    actors = "e.actors" if source != "powell_thyne" else "NULL::VARCHAR AS actors"
    return con.execute(f"""
        SELECT e.year, e.month, e.day, e.gwcode, c.iso3, coalesce(c.name, e.country) AS country,
               e.kind, e.release, e.file, e.line, {actors}
        FROM events e LEFT JOIN countries c USING (gwcode)
        WHERE e.source = ? AND e.release = ? ORDER BY e.year, e.month, e.day, e.gwcode, e.line
        """, [source, release or have[-1]]).df()[COLUMNS]


def dates(frame: pd.DataFrame, *, missing_day: int = 1) -> pd.Series:
    return pd.to_datetime(dict(year=frame["year"], month=frame["month"],
                               day=frame["day"].fillna(missing_day)))


@dataclass
class Comparison:
    """Events of ``first`` without a match in ``second`` and the other way round, the matched
    pairs, and the conspiracies left out of the matching."""

    first: str
    second: str
    only_first: pd.DataFrame
    only_second: pd.DataFrame
    pairs: pd.DataFrame  # per matched pair: dates, kinds, gap in days, same_outcome
    conspiracies: pd.DataFrame
    window: int


def compare(first: pd.DataFrame, second: pd.DataFrame, *, first_name: str = "powell_thyne",
            second_name: str = "cline", window: int = WINDOW) -> Comparison:
    """Match attempts one to one: same gwcode, at most ``window`` days apart, nearest first.

    Every candidate pair is ranked by its gap (ties: a pair that agrees on success first, e.g.
    Ethiopia's coup and failed attempt of 3 February 1977 in Cline; then the earlier events)
    and taken unless either event is already matched, so two events in one month cannot both
    claim one event of the other list. An event without a day is placed on the 15th, the
    middle of its month.
    """
    if window < 0:
        raise BadInput(f"window {window} is negative", parameter="window")
    a = first[first["kind"].isin(ATTEMPTS[first_name])].reset_index(drop=True)
    b = second[second["kind"].isin(ATTEMPTS[second_name])].reset_index(drop=True)
    left = dates(a, missing_day=15)
    right = dates(b, missing_day=15)
    won_a = a["kind"] == SUCCESS[first_name]
    won_b = b["kind"] == SUCCESS[second_name]
    candidates = (pd.DataFrame({"i": a.index, "gwcode": a["gwcode"], "da": left, "wa": won_a})
                  .dropna(subset=["gwcode"])
                  .merge(pd.DataFrame({"j": b.index, "gwcode": b["gwcode"], "db": right,
                                       "wb": won_b}).dropna(subset=["gwcode"]), on="gwcode"))
    candidates["gap"] = (candidates["db"] - candidates["da"]).dt.days
    candidates = candidates[candidates["gap"].abs() <= window]
    candidates = candidates.assign(size=candidates["gap"].abs(),
                                   differ=candidates["wa"] != candidates["wb"]).sort_values(
        ["size", "differ", "da", "db", "i", "j"], kind="stable")
    used_a, used_b, chosen = set(), set(), []
    for i, j, gap in zip(candidates["i"], candidates["j"], candidates["gap"], strict=True):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            chosen.append((i, j, gap))
    chosen.sort(key=lambda c: (left[c[0]], c[0]))  # by the first list's date
    ia = np.array([c[0] for c in chosen], dtype=int)
    ib = np.array([c[1] for c in chosen], dtype=int)
    pairs = pd.DataFrame({
        "gwcode": a["gwcode"].to_numpy()[ia], "iso3": a["iso3"].to_numpy()[ia],
        "country": a["country"].to_numpy()[ia],
        f"{first_name}_date": left.dt.strftime("%Y-%m-%d").to_numpy()[ia],
        f"{first_name}_kind": a["kind"].to_numpy()[ia],
        f"{second_name}_date": right.dt.strftime("%Y-%m-%d").to_numpy()[ib],
        f"{second_name}_kind": b["kind"].to_numpy()[ib],
        "days": np.array([c[2] for c in chosen], dtype=int),
        "same_outcome": won_a.to_numpy()[ia] == won_b.to_numpy()[ib],
    })
    others = second[~second["kind"].isin(ATTEMPTS[second_name])].reset_index(drop=True)
    only_first = _by_date(a.drop(index=sorted(used_a)))
    # An attempt one list has may be a plot in the other (e.g. Mali, February 1978): say so.
    only_first[f"{second_name}_conspiracy"] = _nearest(only_first, others, window)
    return Comparison(first=first_name, second=second_name, only_first=only_first,
                      only_second=_by_date(b.drop(index=sorted(used_b))),
                      pairs=pairs, conspiracies=others, window=window)


def _by_date(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["year", "month", "day", "gwcode"], kind="stable",
                             na_position="first").reset_index(drop=True)


def _nearest(events: pd.DataFrame, others: pd.DataFrame, window: int) -> list[str | None]:
    """The date of the nearest event of ``others`` in the same state within ``window`` days."""
    when = dates(others, missing_day=15)
    out: list[str | None] = []
    for code, day in zip(events["gwcode"], dates(events, missing_day=15), strict=True):
        gaps = (when[others["gwcode"] == code] - day).dt.days.abs()
        gaps = gaps[gaps <= window]
        out.append(when[gaps.idxmin()].strftime("%Y-%m-%d") if len(gaps) else None)
    return out
