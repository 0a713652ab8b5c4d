"""Regions as data: UN subregions and continents (country_converter), AU regions, ECOWAS,
the Sahel groupings, with dates of membership and suspension (``data/regions.csv``)."""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from importlib import resources

import pandas as pd

from coupwatch import countries
from coupwatch.errors import BadInput

# States that predate ISO codes, placed in the UN subregion of their territory today.
HISTORIC_SUBREGION = {265: "Eastern Europe", 315: "Eastern Europe", 345: "Southern Europe",
                      680: "Western Asia", 817: "South-eastern Asia", 511: "Eastern Africa",
                      396: "Western Asia", 397: "Western Asia", 711: "Eastern Asia",
                      730: "Eastern Asia", 255: "Western Europe", 300: "Eastern Europe"}
HISTORIC_CONTINENT = {"Eastern Europe": "Europe", "Southern Europe": "Europe",
                      "Western Europe": "Europe", "Western Asia": "Asia",
                      "South-eastern Asia": "Asia", "Eastern Asia": "Asia",
                      "Eastern Africa": "Africa"}

MAX_NAME = countries.MAX_NAME  # characters, as for a country's name


@lru_cache(maxsize=1)
def memberships() -> pd.DataFrame:
    with resources.files("coupwatch.data").joinpath("regions.csv").open(encoding="utf-8") as f:
        frame = pd.DataFrame(list(csv.DictReader(f)))
    frame["gwcode"] = frame["iso3"].map(lambda c: countries.iso3_to_gw(c))
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"].replace("", None))
    return frame


@lru_cache(maxsize=1)
def geography() -> pd.DataFrame:
    """gwcode, iso3, name, UN subregion, continent, AU region and region label of every G&W
    state."""
    states = countries.gw_states()[["gwcode", "iso3", "name"]].copy()
    table = countries._converter().data[["ISO3", "UNregion", "continent"]]
    table = table.rename(columns={"ISO3": "iso3", "UNregion": "un_subregion"})
    states = states.merge(table, on="iso3", how="left")
    historic = states["gwcode"].map(HISTORIC_SUBREGION)
    states["un_subregion"] = states["un_subregion"].fillna(historic)
    states["continent"] = states["continent"].fillna(historic.map(HISTORIC_CONTINENT))
    au = memberships()
    au = au[au["region"].str.startswith("AU-")].drop_duplicates("gwcode")
    states["au_region"] = states["gwcode"].map(dict(zip(au["gwcode"], au["region"],
                                                        strict=True)))
    # the one "region" shown beside a country: its AU region, else its UN subregion
    states["region"] = states["au_region"].where(states["au_region"].notna(),
                                                 states["un_subregion"]).fillna("")
    return states.set_index("gwcode", drop=False)


def label(gwcode: int) -> str:
    """The region shown beside a country everywhere (AU region, else UN subregion)."""
    geo = geography()
    return str(geo.loc[gwcode, "region"]) if gwcode in geo.index else ""


def in_force(year: int | None, kind: str = "member") -> pd.DataFrame:
    """Rows of ``kind`` (member or suspension) in force at the end of ``year`` (all if None)."""
    rows = memberships()
    rows = rows[rows["kind"] == kind]
    if year is None:
        return rows
    end_of_year = pd.Timestamp(dt.date(year, 12, 31))
    return rows[(rows["start"] <= end_of_year) &
                (rows["end"].isna() | (rows["end"] > end_of_year))]


def groups() -> list[str]:
    """Names a user can filter by: membership groups, continents and UN subregions."""
    geo = geography()
    return ["World", *sorted(memberships()["region"].unique()),
            *sorted(geo["continent"].dropna().unique()),
            *sorted(geo["un_subregion"].dropna().unique())]


def members(region: str, year: int | None = None) -> set[int]:
    """G&W codes in a region; for groups with dates, members at the end of ``year``
    (suspended members still count: a suspension is not a departure)."""
    key = region.strip()
    if len(key) > MAX_NAME:  # as for a country: no region's name is this long
        raise BadInput(f"a region is at most {MAX_NAME} characters (got {len(key):,})",
                       parameter="region")
    geo = geography()
    if key.lower() == "world":
        return set(geo.index)
    if (memberships()["region"].str.lower() == key.lower()).any():
        rows = in_force(year)
        rows = rows[rows["region"].str.lower() == key.lower()]
        return {int(g) for g in rows["gwcode"].dropna()}
    for column in ("continent", "un_subregion"):
        hit = geo[geo[column].str.lower() == key.lower()]
        if len(hit):
            return set(hit.index)
    raise BadInput(f"unknown region '{region}' (try: {', '.join(groups()[:12])}, ...)",
                   parameter="region")


def members_during(region: str, year: int) -> set[int]:
    """G&W codes that were members of ``region`` at any time in ``year``: a state that left,
    or a group dissolved, in December (G5 Sahel, 2023) still counts for that year."""
    dated = memberships()
    dated = dated[(dated["region"].str.lower() == region.strip().lower())
                  & (dated["kind"] == "member")]
    if dated.empty:
        return members(region, year)
    first, last = pd.Timestamp(dt.date(year, 1, 1)), pd.Timestamp(dt.date(year, 12, 31))
    rows = dated[(dated["start"] <= last) & (dated["end"].isna() | (dated["end"] >= first))]
    return {int(g) for g in rows["gwcode"].dropna()}


def members_for(region: str, year: int) -> set[int]:
    """Members at the end of ``year``; for a group formed later (e.g. AES, 2023), its members
    at the end of its first year, so a forecast made just before it formed can be filtered."""
    found = members(region, year)
    if found:
        return found
    dated = memberships()
    dated = dated[(dated["region"].str.lower() == region.strip().lower())
                  & (dated["kind"] == "member")]
    later = dated.loc[dated["start"].dt.year > year, "start"]
    return members(region, int(later.dt.year.min())) if len(later) else found


def labels(gwcode: int, year: int | None = None) -> list[str]:
    """The membership groups a state belongs to (at the end of ``year`` if given)."""
    rows = in_force(year)
    return sorted(set(rows.loc[rows["gwcode"] == gwcode, "region"]))


def memberships_as_of(year: int | None) -> dict[int, tuple[list[str], list[str]]]:
    """Per G&W code, the membership groups at the end of ``year`` (all ever, if None), each
    once and sorted, and those of them the state was suspended from; without the state's AU
    region, which is its ``region`` (shown beside every country already). Suspended members
    stay members, so a filter on the group still finds them."""
    rows = in_force(year)
    rows = rows[rows["gwcode"].notna()]
    suspended = in_force(year, kind="suspension") if year is not None else rows.iloc[:0]
    paused = set(zip(suspended["region"], suspended["gwcode"], strict=True))
    au = geography()["au_region"]
    out: dict[int, tuple[list[str], list[str]]] = {}
    for (group, code), _ in rows.groupby(["region", "gwcode"]):
        code = int(code)
        if au.get(code) == group:
            continue
        member, paused_from = out.setdefault(code, ([], []))
        member.append(group)
        if (group, code) in paused:
            paused_from.append(group)
    return {code: (sorted(m), sorted(p)) for code, (m, p) in out.items()}


def marked(memberships: list[str], suspended: list[str]) -> list[str]:
    """Groups for people to read: "ECOWAS (suspended)" where the state is suspended."""
    return [f"{g} (suspended)" if g in set(suspended) else g for g in memberships]

