"""What every variable and source is, in plain words: one catalog for every interface.

Built from the panel's spec (``panel/spec.py``), the model's own features
(``models/features.py``) and the connectors' metadata, so the dashboard, the briefs, the
drivers of ``explain`` and the case study name a variable, its unit and its source the same
way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from coupwatch.models.features import GROUPS
from coupwatch.models.features import WINDOWS as CONTEXT_WINDOWS
from coupwatch.panel.build import HISTORY_WINDOWS
from coupwatch.panel.spec import CATEGORIES, CHANGES, FEATURES, GLOBAL

HISTORY = {"attempt": "coup attempt", "coup": "successful coup", "failed": "failed coup attempt"}
CONTEXT = {"subregion": "in the UN subregion", "au_region": "in the AU region"}


@dataclass(frozen=True)
class Variable:
    column: str  # the panel / model column
    label: str
    unit: str = ""
    source: str = ""  # connector name ("" for features computed from several sources)
    variable: str = ""  # the warehouse variable it comes from
    group: str = ""  # country-page group; "" = not shown there
    attribution: str = ""  # who to credit for the series


@lru_cache(maxsize=1)
def sources() -> dict:
    from coupwatch.sources import CONNECTORS

    return CONNECTORS


def sources_frame() -> pd.DataFrame:
    """name, title, publisher, licence, citation of every connector."""
    return pd.DataFrame([{"source": c.name, "title": c.title, "publisher": c.publisher,
                          "licence": c.licence, "citation": c.citation}
                         for c in sources().values()])


def source_title(name: str) -> str:
    connector = sources().get(name)
    return connector.title if connector is not None else name


@lru_cache(maxsize=1)
def variables() -> dict[str, Variable]:
    out: dict[str, Variable] = {}
    for f in (*FEATURES, *GLOBAL):
        label = f.label or f.about[:1].upper() + f.about[1:]
        out[f.column] = Variable(f.column, label, f.unit, f.source, f.variable, f.group,
                                 f.origin or source_title(f.source))
    for name in CHANGES:
        base = out[name]
        for lag in (1, 5):
            span = "1 year" if lag == 1 else f"{lag} years"
            out[f"{name}_d{lag}"] = Variable(f"{name}_d{lag}", f"{base.label}: change over "
                                             f"{span}", base.unit, base.source, base.variable,
                                             attribution=base.attribution)
    for f in CATEGORIES:
        for level in (*f.levels, "other"):
            words = level.replace("_", " ")
            out[f"{f.column}_{level}"] = Variable(f"{f.column}_{level}", f"{f.about}: {words}",
                                                  "1 = yes", f.source, f.variable,
                                                  attribution=source_title(f.source))
    out["oil_price_change"] = Variable("oil_price_change", "Real oil price: change on the year "
                                       "before", "%", "oil", "oil_price_real",
                                       attribution=source_title("oil"))
    for key, noun in HISTORY.items():
        plural = noun.replace("attempt", "attempts") if key != "coup" else "successful coups"
        events = dict(source="powell_thyne", attribution=source_title("powell_thyne"))
        out[f"years_since_{key}"] = Variable(f"years_since_{key}", f"Years since the last {noun}",
                                             "years", **events)
        out[f"no_{key}_on_record"] = Variable(f"no_{key}_on_record", f"No {noun} on record "
                                              "since 1950", "1 = yes", **events)
        for window in HISTORY_WINDOWS:
            out[f"{key}s_{window}y"] = Variable(f"{key}s_{window}y", f"{plural.capitalize()} in "
                                                f"the past {window} years", "count", **events)
        out[f"{key}s_since_1950"] = Variable(f"{key}s_since_1950", f"{plural.capitalize()} "
                                             "since 1950", "count", **events)
        out[f"{key}s_decayed"] = Variable(f"{key}s_decayed", f"{plural.capitalize()}, older "
                                          "ones counting less (half after 10 years)", "score",
                                          **events)
    events = dict(source="powell_thyne", attribution=source_title("powell_thyne"))
    for key, where in CONTEXT.items():
        for window in CONTEXT_WINDOWS:
            span = "last year" if window == 1 else f"in the past {window} years"
            out[f"{key}_attempts_{window}y"] = Variable(
                f"{key}_attempts_{window}y", f"Coup attempts elsewhere {where}, {span}",
                "count", **events)
    for window in CONTEXT_WINDOWS:
        span = "last year" if window == 1 else f"in the past {window} years"
        out[f"world_attempts_{window}y"] = Variable(f"world_attempts_{window}y",
                                                    f"Coup attempts elsewhere in the world, "
                                                    f"{span}", "count", **events)
    for group in GROUPS:
        key = group.lower().replace("-", "_")
        out[f"member_{key}"] = Variable(f"member_{key}", f"Member of {group.replace('-', ' ')}",
                                        "1 = yes")
    out.update(_monthly())
    return out


def _months(n: int) -> str:
    return "last month" if n == 1 else f"in the past {n} months"


def _monthly() -> dict[str, Variable]:
    """The country-month panel's own features (``panel/monthly*.py``)."""
    from coupwatch.panel.monthly_events import CLINE_WINDOWS, HISTORY_WINDOWS, REGION_WINDOWS

    events = dict(source="powell_thyne", attribution=source_title("powell_thyne"))
    cline = dict(source="cline", attribution=source_title("cline"))
    reign = dict(source="reign", attribution=source_title("reign"))
    rows = [(f"months_since_{k}", f"Months since the last {noun}", "months", events)
            for k, noun in HISTORY.items()]
    for n in HISTORY_WINDOWS:
        rows.append((f"attempts_{n}m", f"Coup attempts {_months(n)}", "count", events))
        rows.append((f"coups_{n}m", f"Successful coups {_months(n)}", "count", events))
    for n in CLINE_WINDOWS:
        rows.append((f"cline_plots_{n}m", f"Coup plots uncovered {_months(n)}", "count", cline))
        rows.append((f"cline_self_coups_{n}m", f"Self-coups {_months(n)}", "count", cline))
    places = {"au": "in the AU region", "subregion": "in the UN subregion",
              "ecowas": "in ECOWAS", "sahel": "in the Sahel", "world": "in the world"}
    for n in REGION_WINDOWS:
        for key, where in places.items():
            rows.append((f"{key}_attempts_{n}m", f"Coup attempts elsewhere {where}, "
                         f"{_months(n)}", "count", events))
    rows += [("leader_months", "Months the leader has held office", "months", reign),
             ("leader_is_military", "Leader from the military", "1 = yes", reign),
             ("leader_changes_3m", "Leader changes in the past 3 months", "count", reign),
             ("leader_changes_12m", "Leader changes in the past 12 months", "count", reign),
             ("irregular_exits_12m", "Irregular leader exits in the past 12 months", "count",
              reign),
             ("irregular_exits_36m", "Irregular leader exits in the past 36 months", "count",
              reign),
             ("months_since_vote", "Months since the last national vote", "months", reign),
             ("months_to_vote", "Months until the next national vote scheduled", "months",
              reign)]
    return {name: Variable(name, label, unit, **where) for name, label, unit, where in rows}


def get(column: str) -> Variable:
    """The catalog entry of a column; unknown columns get a readable fallback."""
    found = variables().get(column)
    if found is not None:
        return found
    if column.startswith("log_"):  # the monthly models' log scale of a count of months
        return get(column[4:])
    if column.endswith("_cf"):
        base = get(column[:-3])
        return Variable(column, f"{base.label}: years carried forward", "years")
    return Variable(column, column.replace("_", " ").capitalize())


def label(column: str) -> str:
    return get(column).label


def by_variable(variable: str) -> Variable | None:
    """The catalog entry of a warehouse variable (e.g. ``MS.MIL.XPND.GD.ZS``)."""
    return next((v for v in variables().values() if v.variable == variable
                 and v.group), None) or next(
        (v for v in variables().values() if v.variable == variable), None)


def shown() -> list[Variable]:
    """Series a country page and a brief show, in their order (grouped)."""
    return [v for v in variables().values() if v.group]


def value_text(column: str, value: float | None) -> str:
    """A value with its unit, for people: "yes", "1.9 % of GDP", "0.42", "12 years"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    unit = get(column).unit
    if unit == "1 = yes":
        return "yes" if value >= 0.5 else "no"
    if unit.startswith("index"):
        return f"{value:.2f}"
    if unit in ("% per year", "%"):
        return f"{value:+.1f} %"
    if unit.startswith("%"):
        return f"{value:.1f} {unit}"
    if unit in ("years", "months"):
        return f"{value:.0f} {unit[:-1] if round(value) == 1 else unit}"
    if unit == "count":
        return f"{value:.0f}"
    if unit == "constant US$":
        return f"US$ {value:,.0f}"
    if unit == "thousands":
        return f"{value / 1000:,.1f} million"
    return f"{value:,.3g} {unit}".strip()


def describe(column: str, value: float | None) -> str:
    """One driver in plain words: the variable and this country's value."""
    entry = get(column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{entry.label}: no data"
    if entry.unit == "1 = yes":
        return entry.label if value >= 0.5 else f"{entry.label}: no"
    if column.endswith(("_d1", "_d5")):
        direction = "up" if value > 0 else "down" if value < 0 else "unchanged"
        return f"{entry.label}: {direction} {abs(value):.2f}"
    return f"{entry.label}: {value_text(column, value)}"


# Columns of a forecast table, as people read them (CLI; "change" is in percentage points).
# The Brier skill score's reference forecast differs between outputs: say which one.
BRIER_SKILL = {
    "prior_years": "brier_skill (vs prior-years rate)",  # backtest: all years before each row
    "prior_months": "brier_skill (vs prior-months rate)",  # monthly: windows closed by origin
    "sample": "brier_skill (vs this sample's rate)",  # score: event rate of the same rows
}

FORECAST_HEADERS = {
    "rank": "rank", "country": "country", "iso3": "ISO3", "region": "region",
    "p_attempt": "P(attempt)", "p_coup": "P(coup)", "p_failed": "P(failed)",
    "p_attempt_last_year": "year before", "change": "change (pt)", "status": "status",
    # monthly: P(attempt) within 1, 3, 6, 12 months; change of the 3-month risk
    "p_attempt_1m": "1 month", "p_attempt_3m": "3 months", "p_attempt_6m": "6 months",
    "p_attempt_12m": "12 months", "p_coup_3m": "P(coup) 3 m", "change_3m": "change (pt)",
    "p_attempt_3m_previous": "a month before",
}
# Columns of a calibration table (``forecasts.metrics.calibration``).
CALIBRATION_HEADERS = {
    "p_low": "forecasts from", "p_high": "to", "mean_p": "mean forecast",
    "observed_rate": "observed", "events": "events", "n": "forecasts",
}
# What each probability means, for a footer under a forecast table.
FORECAST_MEANING = "P(attempt): probability of at least one coup attempt (successful or " \
    "failed) in {period}"


def probability_text(p: float | None) -> str:
    """A probability for people: "<0.1 %", "4.5 %", "99.9 %"; "" when unknown."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    if 0 < p < 0.0005:
        return "<0.1 %"
    if 0.9995 < p < 1:
        return ">99.9 %"
    return f"{p * 100:.1f} %"


def points_text(change: float | None) -> str:
    """A change of probability in percentage points: "+6.9", "-0.4", "0.0" for
    what rounds to zero (never "-0.0"); "" when unknown."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return ""
    return signed_text(change * 100, 1)


def signed_text(value: float, digits: int) -> str:
    """``value`` with its sign ("+0.25", "-1.3"); what rounds to zero is "0.0" (never "-0.0")."""
    text = f"{value:+.{digits}f}"
    return text[1:] if float(text) == 0 else text
