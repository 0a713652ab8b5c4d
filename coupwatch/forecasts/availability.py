"""Which inputs a forecast can stand on: features whose source gives no value at the origin.

Sources stop or pause (REIGN's lists end in March 2021; UCDP and EPR publish a year or more
late). The panels carry a value forward only so far (``panel/spec.py``); past that it is
missing for every state. A model fitted on years where such a feature was almost always
known would be applied far outside what it learned, so a forecast with origin t leaves out
every feature that has no value for any state at t, and is fitted on history with the
others only. The rolling backtest does the same origin by origin, so it measures what a
user would have got. What was left out, and why, is stored with each forecast run.
"""

from __future__ import annotations

import pandas as pd

from coupwatch import catalog

BLIND = "blind"  # design.attrs["availability"]: fit on every feature (to measure the rule)


def left_out(rows: pd.DataFrame, columns: list[str]) -> list[str]:
    """The ``columns`` that no row of the origin (``rows``) has a value for."""
    if rows.empty or rows.attrs.get("availability") == BLIND:
        return []
    known = rows[columns].notna().any(axis=0)
    return [c for c in columns if not known[c]]


def restrict(train: pd.DataFrame, test: pd.DataFrame, columns: list[str],
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and origin rows without the features the origin has no value for."""
    drop = left_out(test, columns)
    return (train.drop(columns=drop), test.drop(columns=drop)) if drop else (train, test)


def explain(design: pd.DataFrame, target: int, columns: list[str]) -> list[dict]:
    """What a forecast of ``target`` (origin: the end of ``target - 1``) leaves out and why:
    the feature, its source, the last year any state had a value, and the reason."""
    rows = design[design["year"] == target]
    out = []
    for column in left_out(rows, columns):
        entry = catalog.get(column)
        last = _last_observed(design, column)
        out.append({"feature": column, "label": entry.label, "source": entry.source,
                    "last_observed": last,
                    "reason": (f"no value for any state at the end of {target - 1}"
                               + (f" (last observed {last}; the panel carries a value "
                                  "forward only a few years)" if last is not None else ""))})
    return out


def _last_observed(design: pd.DataFrame, column: str) -> int | None:
    """The last year any state had an observed (not carried) value: from the panel's
    ``<feature>_cf`` counter of the column, of the variable it changes (``_d1``), or of its
    category (``gov_military`` -> ``gov_cf``)."""
    for flag in (f"{column}_cf", f"{column.rsplit('_d', 1)[0]}_cf",
                 f"{column.split('_', 1)[0]}_cf"):
        if flag in design.columns:
            seen = design.loc[design[flag] == 0, "year"]
            return int(seen.max()) - 1 if len(seen) else None  # design years are targets
    seen = design.loc[design[column].notna(), "year"]
    return int(seen.max()) - 1 if len(seen) else None


def blind(design: pd.DataFrame) -> pd.DataFrame:
    """``design`` marked to use every feature whatever the origin knows: the behaviour before
    this rule, for measuring it (fits are stored under their own key)."""
    out = design.copy()
    out.attrs["availability"] = BLIND
    return out


def key_suffix(design: pd.DataFrame) -> str:
    return "/blind" if design.attrs.get("availability") == BLIND else ""
