"""UCDP/PRIO Armed Conflict Dataset, aggregated to country-year.

Two formats are read, told apart by the header:

* the researchers' country-year panel (``gwcode, year, internal_confl, ...``), as kept in
  the offline mirror;
* the publisher's conflict-year file (``UcdpPrioConflict_v22_1.csv`` inside
  ``ucdp-prio-acd-221-csv.zip``: ``conflict_id, ..., year, intensity_level,
  type_of_conflict, ..., gwno_a, gwno_a_2nd, gwno_b, gwno_b_2nd, gwno_loc, ..., version``),
  which is aggregated here to the panel's fifteen variables.

How the publisher's rows become the panel's variables. Each ``gwno_*`` cell may list several
G&W codes ("750, 770"); every code is one *participation* of that state in the conflict-year,
in the role the column names (side A or B, a supporting state on either side, or a location).
For each group below, ``X`` is 1 if any participation selected by the rule exists,
``X_major`` if any of them is in a conflict-year of intensity 2 (1,000+ battle deaths) and
``X_minor`` if any is of intensity 1 (25-999). Major and minor are separate flags, not a
highest level: a state with a war and a minor conflict in one year has both (the mirror
panel has 136 such country-years for ``internal_confl``).

* ``internal_confl``: extrasystemic, intrastate or internationalised intrastate conflict
  (types 1, 3, 4) located in the state (role ``gwno_loc``).
* ``internal_confl_part``: the same types, in any role, location included (so the troops
  France and the UK sent to Mali, Afghanistan and Iraq: the mirror has France 2010-21 and
  the UK 2000-11 at ``internal_confl_part`` = 1 with ``internal_confl`` = 0).
* ``war``: interstate conflict (type 2) in any role, location included (the mirror has the
  Korean War's troop contributors, e.g. Turkey 1950-53 and Colombia 1951-53, and the US in
  2001 and 2003).
* ``any_conflict``: any type, any role (in the mirror it equals ``internal_confl_part`` or
  ``war`` in every country-year, major and minor alike).
* ``ext_conf``: any type, any role except location. Despite the name this includes a
  government fighting on its own soil, since it is also side A there: the mirror has Mali
  and Colombia (2000-03) at 1 in years with no troops abroad, and ``any_conflict`` = 1 with
  ``ext_conf`` = 0 only in 13 country-years, where the state was no more than the location
  of a colonial war (Indonesia 1946-49; Morocco and Tunisia 1956, Algeria 1962 and others
  in their year of independence).

These rules agree with every invariant checked in the mirror panel and with the coding of the
PITF/coup-forecast replication data the panel comes from (A. Beger's ``acd`` cleaning
script); they could not be checked row by row against the mirror, as the mirror holds no
publisher file. Unsure: a state that is only the location of an interstate conflict gets
``war`` = 1 as in the script, which the mirror alone cannot confirm; whether the panel's
author split ``gwno_*`` cells on anything but commas and spaces (the publisher uses ", ");
how conflict types a later release might add should count (types other than 1-4 are
refused).

Rows: every G&W state-year (any part of the year) from the first to the last year in the
file, 0 where the state had no conflict. The state-years are those of the ``gw`` source,
read from the same mirror or download cache as the UCDP file (``coupwatch.countries`` knows
codes, not dates), so the ``gw`` source must have been fetched first, as ``data update``
does. A participation of a known code in a year when it was no state (a colony's
independence war before independence) is left out and reported as unmapped; an unknown code
is bad input.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from coupwatch import countries
from coupwatch.errors import BadInput
from coupwatch.sources import gw
from coupwatch.sources._ranges import FLAG
from coupwatch.sources._read import NA_TOKENS, Table, duplicates, read_table
from coupwatch.sources.base import Connector, Least, Parsed, SourceFile, gw_panel, to_long

UCDP_COLUMNS = ["internal_confl", "internal_confl_major", "internal_confl_minor",
                "internal_confl_part", "internal_confl_part_major", "internal_confl_part_minor",
                "war", "war_major", "war_minor", "any_conflict", "any_conflict_major",
                "any_conflict_minor", "ext_conf", "ext_conf_major", "ext_conf_minor"]
RANGES = dict.fromkeys(UCDP_COLUMNS, FLAG)

ROLES = ["gwno_a", "gwno_a_2nd", "gwno_b", "gwno_b_2nd", "gwno_loc"]
LOCATION = "gwno_loc"
INTERNAL_TYPES = (1, 3, 4)  # extrasystemic, intrastate, internationalised intrastate
INTERSTATE = 2
PUBLISHER_COLUMNS = ["conflict_id", "year", "intensity_level", "type_of_conflict", *ROLES]
_CODE_SEPARATOR = re.compile(r"[,\s]+")


class UCDP(Connector):
    name = "ucdp"
    title = "UCDP/PRIO Armed Conflict Dataset, country-year"
    publisher = "Uppsala Conflict Data Program / PRIO"
    licence = "CC BY 4.0"
    citation = "Gleditsch et al. (2002); Davies, Pettersson & Öberg (2022)"
    files = (SourceFile("ucdp/acd_gw.csv", "https://ucdp.uu.se/downloads/ucdpprio/"
                        "ucdp-prio-acd-221-csv.zip", "armed conflict by country-year",
                        zipped=True, least=Least(states_last_year=150)),)  # 197 in 2021

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        table = read_table(path, encoding=file.encoding)
        if table.has("conflict_id") and not table.has("gwcode"):
            return parse_conflict_years(table, state_years(file, path))
        return gw_panel(path, path.stem, numeric=RANGES)


def state_years(file: SourceFile, path: Path) -> pd.DataFrame:
    """G&W state-years (``gwcode, year``) from the gw source's file beside ``path``.

    Mirror and download cache share one layout (``file.path`` below a root), so the G&W
    system of the same mirror or cache sits at a known place; it is read by the gw
    connector itself so that whatever format that connector accepts is accepted here.
    """
    depth = min(len(Path(file.path).parts), len(path.parents))
    states_file = gw.CONNECTOR.files[0]
    states_path = path.parents[depth - 1] / states_file.path
    if not states_path.exists():
        raise BadInput("the G&W state system is needed to turn UCDP conflict-years into "
                       "country-years: load the gw source first", file=states_path)
    indicators = gw.CONNECTOR.parse(states_file, states_path).indicators
    states = indicators.loc[indicators["variable"] == "state_age", ["gwcode", "year"]]
    return states.astype({"gwcode": int, "year": int}).drop_duplicates()


def parse_conflict_years(table: Table, states: pd.DataFrame) -> Parsed:
    """The publisher's conflict-year rows aggregated onto the G&W state-years they cover."""
    conflicts, dups = _conflicts(table)
    roles = _participations(table, conflicts)
    first, last = int(conflicts["year"].min()), int(conflicts["year"].max())
    frame = states[states["year"].between(first, last)].reset_index(drop=True)
    known = roles.merge(frame, on=["gwcode", "year"], how="inner")
    frame = frame.merge(_flags(known), on=["gwcode", "year"], how="left")
    frame[UCDP_COLUMNS] = frame[UCDP_COLUMNS].fillna(0.0).astype("float64")
    frame = frame.sort_values(["gwcode", "year"]).reset_index(drop=True)
    return Parsed(release=_release(table), indicators=to_long(frame, UCDP_COLUMNS, [], {}),
                  unmapped=_stateless(roles, frame), duplicates=dups)


def _conflicts(table: Table) -> tuple[pd.DataFrame, int]:
    """Validated conflict-year rows, exact duplicates dropped (and counted)."""
    table.require(PUBLISHER_COLUMNS)
    numbers = pd.DataFrame({
        "conflict_id": table.number("conflict_id", integer=True, required=True),
        "year": table.number("year", integer=True, required=True, lo=1800, hi=2100),
        "intensity": table.number("intensity_level", integer=True, required=True, lo=1, hi=2),
        "kind": table.number("type_of_conflict", integer=True, required=True, lo=1, hi=4),
    })
    if numbers.empty:
        raise BadInput("file has a header but no conflict-year rows", file=table.path, row=1)
    # Exact means every field of the row; a second, different row for one conflict-year is
    # refused rather than merged, as UCDP has one row per conflict and year.
    raw = table.frame.apply(lambda column: column.str.strip())
    kept, dups = duplicates(raw, ["conflict_id", "year"], table)
    return numbers.loc[kept.index], dups


def _participations(table: Table, conflicts: pd.DataFrame) -> pd.DataFrame:
    """One row per (conflict-year, role, G&W code), from the comma-separated ``gwno_*``."""
    parts = []
    for role in ROLES:
        codes = table.text(role).loc[conflicts.index].map(_CODE_SEPARATOR.split).explode()
        codes = codes[codes.notna() & ~codes.isin(NA_TOKENS)]
        rows = codes.index.to_numpy()
        parts.append(pd.DataFrame({"row": rows, "role": role,
                                   "gwcode": _gw_codes(table, rows, codes.to_numpy(), role)}))
    roles = pd.concat(parts, ignore_index=True)
    roles = roles.join(conflicts[["year", "intensity", "kind"]], on="row")
    return roles.drop_duplicates(["row", "role", "gwcode"]).astype(
        {"gwcode": int, "year": int, "intensity": int, "kind": int})


def _gw_codes(table: Table, rows: np.ndarray, tokens: np.ndarray, role: str) -> np.ndarray:
    """Tokens as integer codes; one that is no number or no G&W code is refused."""
    values = pd.to_numeric(pd.Series(tokens, dtype=object), errors="coerce").to_numpy()
    bad = np.isnan(values) | (values % 1 != 0)
    if bool(bad.any()):
        first = int(np.flatnonzero(bad)[0])
        raise table.fail(int(rows[first]), role,
                         f"'{tokens[first]}' is not a Gleditsch & Ward code")
    unknown = ~np.isin(values, countries.gw_states().index.to_numpy())
    if bool(unknown.any()):
        first = int(np.flatnonzero(unknown)[0])
        raise table.fail(int(rows[first]), role,
                         f"unknown Gleditsch & Ward code {values[first]:g}")
    return values.astype(int)


def _flags(roles: pd.DataFrame) -> pd.DataFrame:
    """The fifteen country-year flags (see the module docstring for each rule)."""
    internal = roles["kind"].isin(INTERNAL_TYPES)
    located = roles["role"] == LOCATION
    rules = {
        "internal_confl": internal & located,
        "internal_confl_part": internal,
        "war": roles["kind"] == INTERSTATE,
        "any_conflict": pd.Series(True, index=roles.index),
        "ext_conf": ~located,
    }
    keys = ["gwcode", "year"]
    out = roles[keys].drop_duplicates()
    for name, selected in rules.items():
        chosen = roles[selected]
        flags = pd.DataFrame({
            "gwcode": chosen["gwcode"], "year": chosen["year"], name: 1.0,
            f"{name}_major": (chosen["intensity"] == 2).astype(float),
            f"{name}_minor": (chosen["intensity"] == 1).astype(float),
        }).groupby(keys, as_index=False).max()
        out = out.merge(flags, on=keys, how="left")
    return out


def _stateless(roles: pd.DataFrame, frame: pd.DataFrame) -> list[dict]:
    """Participations of states in years they were not in the G&W system, per code."""
    pairs = roles[["gwcode", "year"]].drop_duplicates()
    outside = pairs.merge(frame[["gwcode", "year"]], how="left", indicator=True)
    outside = outside[outside["_merge"] == "left_only"]
    return [{"code": f"G&W {code}", "name": countries.gw_name(int(code)),
             "year_min": int(years.min()), "year_max": int(years.max()), "rows": len(years),
             "reason": "no G&W state that year"}
            for code, years in outside.groupby("gwcode")["year"]]


def _release(table: Table) -> str:
    """``ucdp-prio-acd-22.1`` from the file's ``version`` column, else the file's name."""
    if not table.has("version"):
        return table.path.stem
    versions = sorted(set(table.text("version")) - NA_TOKENS)
    return f"ucdp-prio-acd-{'+'.join(versions)}" if versions else table.path.stem


CONNECTOR = UCDP()
