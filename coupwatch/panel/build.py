"""Build the country-year panel: one row per G&W state-year, features known at year's end."""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd

from coupwatch.errors import BadInput
from coupwatch.panel import leader_join
from coupwatch.panel.spec import CATEGORIES, CHANGES, FEATURES, GLOBAL, Feature
from coupwatch.warehouse import releases

START = 1950
HISTORY_WINDOWS = (5, 10)
HALF_LIFE = 10.0  # years


def build(con: duckdb.DuckDBPyConnection, *, start: int = START) -> pd.DataFrame:
    """The panel, sorted by gwcode and year."""
    states = con.execute("""SELECT gwcode, year FROM indicators
                            WHERE source = 'gw' AND variable = 'state_age' AND year >= ?
                            ORDER BY gwcode, year""", [start]).df()
    if states.empty:
        raise BadInput("the warehouse has no G&W state system: run `coupwatch data update`")
    names = con.execute("SELECT gwcode, iso3, name AS country FROM countries").df()
    panel = states.merge(names, on="gwcode", how="left")
    events, through = _events(con)
    panel = _outcomes(panel, events, through)
    panel = _history(panel, events, start)
    panel = panel.merge(_features(con, states, start), on=["gwcode", "year"], how="left")
    panel = panel.merge(_global(con, states), on="year", how="left")
    panel = _changes(panel)
    return panel.sort_values(["gwcode", "year"]).reset_index(drop=True)


def _events(con) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """Events of the newest Powell & Thyne release, and the date it runs to."""
    newest = releases.newest(con, "powell_thyne")
    if newest is None:
        return pd.DataFrame(columns=["gwcode", "year", "kind"]), None
    events = con.execute("""SELECT gwcode, year, month, day, kind FROM events
                            WHERE source = 'powell_thyne' AND release = ? AND gwcode IS NOT NULL
                            ORDER BY year, month, day""", [newest]).df()
    return events, releases.release_date(newest)


def _outcomes(panel: pd.DataFrame, events: pd.DataFrame, through) -> pd.DataFrame:
    counts = events.assign(
        n_attempts=1, n_coups=(events["kind"] == "successful").astype(int),
        n_failed=(events["kind"] == "failed").astype(int),
    ).groupby(["gwcode", "year"])[["n_attempts", "n_coups", "n_failed"]].sum().reset_index()
    panel = panel.merge(counts, on=["gwcode", "year"], how="left")
    last_year = through.year if through is not None else -1
    known = panel["year"] <= last_year
    for column in ("n_attempts", "n_coups", "n_failed"):
        panel[column] = panel[column].fillna(0).where(known).astype("Float64")
    for flag, count in (("attempt", "n_attempts"), ("coup", "n_coups"), ("failed", "n_failed")):
        panel[flag] = (panel[count] > 0).astype("Float64").where(known)
    # The release's own year is only partly covered (e.g. to 29 Nov 2022).
    partial = through is not None and (through.month, through.day) != (12, 31)
    panel["outcome_partial_year"] = (panel["year"] == last_year) & partial
    return panel


def _history(panel: pd.DataFrame, events: pd.DataFrame, start: int) -> pd.DataFrame:
    """Coup history as known at the end of each year (the year's own events included)."""
    first_year = panel.groupby("gwcode")["year"].transform("min")
    kinds = {"attempt": events, "coup": events[events["kind"] == "successful"],
             "failed": events[events["kind"] == "failed"]}
    for label, subset in kinds.items():
        years = subset.groupby("gwcode")["year"].apply(lambda s: np.sort(s.to_numpy()))
        since, counts = [], {w: [] for w in HISTORY_WINDOWS}
        ever, decayed = [], []
        for code, year in zip(panel["gwcode"], panel["year"], strict=True):
            past = years.get(code)
            upto = past[past <= year] if past is not None else np.array([], dtype=int)
            since.append(year - upto[-1] if len(upto) else np.nan)
            for window in HISTORY_WINDOWS:
                counts[window].append(int((upto > year - window).sum()))
            ever.append(len(upto))
            # a "coup trap" memory that fades: each event counts half after HALF_LIFE years
            decayed.append(float(np.sum(0.5 ** ((year - upto) / HALF_LIFE))))
        none_yet = pd.Series(since, index=panel.index).isna()
        # No event on record: count from 1950 or the state's entry, whichever is later.
        panel[f"years_since_{label}"] = pd.Series(since, index=panel.index).fillna(
            panel["year"] - first_year.clip(lower=start) + 1)
        panel[f"no_{label}_on_record"] = none_yet.astype(int)
        for window in HISTORY_WINDOWS:
            panel[f"{label}s_{window}y"] = counts[window]
        panel[f"{label}s_since_1950"] = ever
        panel[f"{label}s_decayed"] = decayed
    return panel


def _carry(wide: pd.DataFrame, feature: Feature, column: str) -> pd.DataFrame:
    """Carry a column forward within each country, at most ``feature.carry`` years."""
    observed_year = wide["year"].where(wide[column].notna())
    last_seen = observed_year.groupby(wide["gwcode"]).ffill()
    gap = wide["year"] - last_seen
    filled = wide[column].groupby(wide["gwcode"]).ffill()
    usable = gap <= feature.carry
    if feature.count_up:
        filled = filled + gap
    wide[column] = filled.where(usable)
    wide[f"{column}_cf"] = gap.where(usable)
    return wide


def _features(con, states: pd.DataFrame, start: int) -> pd.DataFrame:
    wanted = [(f.source, f.variable) for f in (*FEATURES, *CATEGORIES)]
    long = con.execute("""
        SELECT i.gwcode, i.year, i.source, i.variable, i.value, i.text
        FROM indicators i JOIN (SELECT unnest(?) AS source, unnest(?) AS variable) w
          USING (source, variable)
        WHERE i.gwcode IS NOT NULL""", [[w[0] for w in wanted], [w[1] for w in wanted]]).df()
    # A full yearly grid per state, reaching back far enough to carry values into 1950.
    lookback = max(f.carry for f in (*FEATURES, *CATEGORIES)) + 5
    grid = pd.DataFrame([(code, year) for code, group in states.groupby("gwcode")
                         for year in range(min(group["year"].min(), start) - lookback,
                                           group["year"].max() + 1)],
                        columns=["gwcode", "year"])
    wide = grid
    empty = long.iloc[0:0]
    parts = {key: frame for key, frame in long.groupby(["source", "variable"], sort=False)}
    fills = leader_join.annual(con)  # Wikidata's values after REIGN's last year
    for feature in FEATURES:
        part = parts.get((feature.source, feature.variable), empty)
        if feature.fill == leader_join.WIKIDATA and len(fills[feature.variable]):
            part = pd.concat([part[["gwcode", "year", "value"]], fills[feature.variable]],
                             ignore_index=True)
        wide = wide.merge(part[["gwcode", "year", "value"]].rename(
            columns={"value": feature.column}), on=["gwcode", "year"], how="left")
        wide = _carry(wide, feature, feature.column)
    for feature in CATEGORIES:
        part = parts.get((feature.source, feature.variable), empty)
        slugs = part["text"].map(_slug)
        levels = [*feature.levels, "other"] if feature.levels else sorted(slugs.unique())
        known = slugs.where(slugs.isin(levels), "other")
        dummies = pd.DataFrame({f"{feature.column}_{level}": (known == level).astype(float)
                                for level in levels}, index=part.index)
        block = pd.concat([part[["gwcode", "year"]], dummies], axis=1)
        wide = wide.merge(block, on=["gwcode", "year"], how="left")
        carried = feature.column + "_any"
        wide[carried] = np.where(wide[list(dummies.columns)].notna().any(axis=1), 1.0, np.nan)
        wide = _carry(wide, feature, carried)
        for column in dummies.columns:
            wide[column] = wide[column].groupby(wide["gwcode"]).ffill().where(
                wide[carried].notna())
        wide = wide.drop(columns=[carried]).rename(
            columns={carried + "_cf": feature.column + "_cf"})
    return wide


def _global(con, states: pd.DataFrame) -> pd.DataFrame:
    years = pd.DataFrame({"year": range(int(states["year"].min()) - 5,
                                        int(states["year"].max()) + 1)})
    for feature in GLOBAL:
        part = con.execute("""SELECT year, value FROM indicators WHERE source = ?
                              AND variable = ? AND gwcode IS NULL""",
                           [feature.source, feature.variable]).df()
        years = years.merge(part.rename(columns={"value": feature.column}), on="year",
                            how="left").assign(gwcode=0)
        years = _carry(years, feature, feature.column).drop(columns="gwcode")
        years[f"{feature.column}_change"] = years[feature.column].pct_change(
            fill_method=None) * 100
    return years


def _changes(panel: pd.DataFrame) -> pd.DataFrame:
    by_state = panel.groupby("gwcode")
    for column in CHANGES:
        for lag in (1, 5):
            previous = by_state[column].shift(lag)
            # shift() looks at rows, so check the earlier row really is `lag` years back
            same_gap = panel["year"] - by_state["year"].shift(lag) == lag
            panel[f"{column}_d{lag}"] = (panel[column] - previous).where(same_gap)
    return panel


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")

