"""Country identity: the canonical country is a Gleditsch & Ward state (``gwcode``).

COW codes, ISO3 codes and names are mapped onto it explicitly. A code that exists but
names no G&W state in that year is *unmapped* (reported by ``coupwatch data status``); a
code that exists in no system at all is bad input.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

import pandas as pd

from coupwatch.errors import BadInput, NotFound


def _package_csv(name: str) -> list[dict[str, str]]:
    with resources.files("coupwatch.data").joinpath(name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def gw_states() -> pd.DataFrame:
    """All G&W codes with ISO3 (blank for states that predate ISO 3166) and a display name."""
    rows = _package_csv("gw_states.csv")
    frame = pd.DataFrame(rows)
    frame["gwcode"] = frame["gwcode"].astype(int)
    return frame.set_index("gwcode", drop=False)


@lru_cache(maxsize=1)
def _cow_rules() -> dict[int, list[tuple[int, int, int]]]:
    rules: dict[int, list[tuple[int, int, int]]] = {}
    for row in _package_csv("cow_to_gw.csv"):
        rules.setdefault(int(row["cowcode"]), []).append(
            (int(row["first_year"]), int(row["last_year"]), int(row["gwcode"]))
        )
    return rules


def known_gwcode(code: int) -> bool:
    return code in gw_states().index


def gw_name(code: int) -> str:
    return str(gw_states().loc[code, "name"]) if known_gwcode(code) else str(code)


def gw_iso3(code: int) -> str:
    return str(gw_states().loc[code, "iso3"]) if known_gwcode(code) else ""


def known_cowcode(code: int) -> bool:
    return code in _cow_rules() or known_gwcode(code)


def cow_to_gw(cowcode: int, year: int) -> int | None:
    """G&W code for a COW code in a year; ``None`` when COW has a state G&W does not then.

    Raises ``KeyError`` for a number that is a code in neither system.
    """
    rules = _cow_rules()
    if cowcode in rules:
        for first, last, gw in rules[cowcode]:
            if first <= year <= last:
                return gw
        return None
    if known_gwcode(cowcode):
        return cowcode
    raise KeyError(cowcode)


@lru_cache(maxsize=1)
def _iso3_index() -> dict[str, int]:
    states = gw_states()
    return {iso: int(code)
            for code, iso in zip(states["gwcode"], states["iso3"], strict=True) if iso}


@lru_cache(maxsize=1)
def wb_aggregates() -> frozenset[str]:
    return frozenset(row["code"] for row in _package_csv("wb_aggregates.csv"))


@lru_cache(maxsize=1)
def _converter():  # country_converter takes ~1 s to load its table: only when needed
    import logging

    import country_converter

    logging.getLogger("country_converter").setLevel(logging.ERROR)  # it warns on every miss
    return country_converter.CountryConverter()


@lru_cache(maxsize=1)
def _all_iso3() -> frozenset[str]:
    return frozenset(str(code) for code in _converter().data["ISO3"]) | frozenset(_iso3_index())


def iso3_to_gw(iso3: str) -> int | None:
    """G&W code for an ISO3 code; ``None`` for a territory that is not a G&W state.

    Raises ``KeyError`` for a code that is neither ISO3 nor a World Bank aggregate.
    """
    code = iso3.strip().upper()
    if code in _iso3_index():
        return _iso3_index()[code]
    if code in wb_aggregates() or code in _all_iso3() or code == "CHI":
        return None
    raise KeyError(iso3)


def name_to_gw(name: str) -> int | None:
    """G&W code for a country name, via country_converter's regular expressions."""
    target = name.strip()
    states = gw_states()
    exact = states[states["name"].str.lower() == target.lower()]
    if len(exact):
        return int(exact.index[0])
    iso = _converter().convert(target, to="ISO3", not_found=None)
    if isinstance(iso, str) and iso in _iso3_index():
        return _iso3_index()[iso]
    return None


MAX_NAME = 60


def resolve(query: str | int, *, parameter: str = "country") -> int:
    """Turn what a user typed (gwcode, ISO3 or a name) into a G&W code, or refuse it."""
    text = str(query).strip()
    if len(text) > MAX_NAME:  # name matching is slow on long text; no country name is this long
        raise BadInput(f"a country is at most {MAX_NAME} characters (got {len(text):,})",
                       parameter=parameter)
    if text.isdigit():
        if known_gwcode(int(text)):
            return int(text)
        raise NotFound(f"unknown Gleditsch & Ward code {text}", parameter=parameter)
    if len(text) == 3 and text.isalpha() and text.upper() in _iso3_index():
        return _iso3_index()[text.upper()]
    found = name_to_gw(text) if text else None
    if found is None:
        raise NotFound(f"unknown country '{text}' (give an ISO3 code, a G&W code or a name)",
                       parameter=parameter)
    return found


def named_like(text: str, among) -> list[str]:
    """Names of the states ``among`` (G&W codes) that contain ``text``, or are
    close to it ("Korea" -> North Korea, South Korea): suggestions for an answer that is
    not a state at the time asked about."""
    import difflib

    names = {int(g): gw_name(int(g)) for g in among}
    key = text.strip().lower()
    hits = [n for n in names.values() if key and key in n.lower()]
    return sorted(set(hits)) or difflib.get_close_matches(text, sorted(set(names.values())),
                                                          n=3, cutoff=0.7)

