"""Rolling fits: which member fits a set of backtests needs, running the missing ones in
parallel (``runner``), storing each as it finishes, and combining them into raw forecasts.

A member's fit for year T depends on the data, the member, its seed and T only, so fits are
shared: by every model that uses the member, by the outcomes (one fit gives P(attempt) and
q), by later runs, and by a sweep stopped half-way and run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coupwatch import models
from coupwatch.forecasts import availability, runner, store
from coupwatch.forecasts.engine import SUCCESS, member_job, wide
from coupwatch.models.nested import columns, inner_origins, stack_for

MIN_TRAIN_YEARS = 20
CALIBRATION_YEARS = 10


def target_span(first_outcome: int, last_outcome: int) -> tuple[int, int]:
    """Years a forecast can target, given the first and last target years whose outcome is
    known: from MIN_TRAIN_YEARS after the first to the year after the last."""
    return first_outcome + MIN_TRAIN_YEARS, last_outcome + 1


def first_known(design: pd.DataFrame) -> int:
    return int(design.loc[design["attempt"].notna(), "year"].min())


def fit_key(con, design: pd.DataFrame) -> str:
    """The key stored fits are kept under: the data and code, and how inputs were chosen."""
    return store.data_key(con) + availability.key_suffix(design)


def member_seed(member: str, seed: int) -> int:
    """Unseeded members (logit, success, ...) are fitted and stored once, as seed 0."""
    return seed if member != SUCCESS and models.seeded(member) else 0


def raw_years(design: pd.DataFrame, years: list[int]) -> list[int]:
    """Target years whose raw forecasts ``years`` need: each, and its calibration years."""
    first = first_known(design) + MIN_TRAIN_YEARS
    return sorted({y for t in years for y in range(max(first, t - CALIBRATION_YEARS), t + 1)})


def _stack(model: str, seed: int):
    return stack_for(_templates(model, seed), models.WEIGHTS.get(model, "equal"))


def _templates(model: str, seed: int) -> list:
    return [models.make_member(m, seed) for m in models.check(model)]


def _chooses(model: str) -> bool:
    """Whether the model has anything to choose (then it needs its inner years' fits)."""
    return sum(len(t.variant_names()) for t in _templates(model, 0)) > 1


def needed(design: pd.DataFrame, years: list[int], model: str, seed: int,
           ) -> set[tuple[str, int, int]]:
    """(member, seed, year) fits behind the raw forecasts of ``years``."""
    raw = raw_years(design, years)
    fit_years = set(raw)
    if _chooses(model):
        start = first_known(design)
        fit_years |= {s for t in raw for s in inner_origins(t, start)}
    members = (*models.check(model), SUCCESS)
    return {(m, member_seed(m, seed), y) for m in members for y in fit_years}


@dataclass
class Plan:
    jobs: list[tuple[str, int, int, bool]]  # member, seed, year, keep the fitted member
    reused: int  # fits already stored


def plan(con, design: pd.DataFrame, requests: list[tuple[str, int]], years: list[int],
         keep_year: int | None = None) -> Plan:
    """The fits that ``requests`` (model, seed) over ``years`` need and the store lacks."""
    key = fit_key(con, design)
    wanted = set().union(*(needed(design, years, m, s) for m, s in requests))
    have = store.stored_members(con, key, sorted(wanted))
    done = set(have[["member", "seed", "year"]].drop_duplicates().itertuples(index=False,
                                                                               name=None))
    done = {(m, int(s), int(y)) for m, s, y in done}
    if keep_year is not None:  # the target year's fitted members are kept for explanations
        kept = store.stored_fits(con, key, keep_year, [(m, s) for m, s, y in wanted
                                                       if y == keep_year])
        done -= {(m, s, y) for m, s, y in done if y == keep_year and (m, s) not in kept}
    # Longest first (latest years, then the slowest members): fewer idle workers at the end.
    cost = {"lgbm": 0, "forest": 1, "logit": 2}
    missing = sorted(wanted - done, key=lambda f: (-f[2], cost.get(f[0], 3), f[0], f[1]))
    jobs = [(m, s, y, y == keep_year) for m, s, y in missing]
    return Plan(jobs, len(wanted) - len(missing))


def execute(con, design: pd.DataFrame, jobs: list[tuple[str, int, int, bool]], *,
            backend: str = "local", workers: int | None = None, scheduler: str | None = None,
            progress: Callable[[str | None, int], None] | None = None) -> None:
    """Run ``jobs`` and store each fit as soon as it finishes.

    ``progress(None, total)`` is called once before the first fit starts, then
    ``progress("member year", total)`` as each fit is stored."""
    key = fit_key(con, design)
    if progress:
        progress(None, len(jobs))

    def stored(index: int, result: tuple[pd.DataFrame, bytes | None]) -> None:
        member, seed, year, _ = jobs[index]
        store.save_member(con, key, member, seed, year, *result)
        if progress:
            progress(f"{member} {year}", len(jobs))

    runner.run(member_job, jobs, backend=backend, workers=workers, scheduler=scheduler,
               shared=design, on_result=stored)


def _table(con, design: pd.DataFrame, fits) -> pd.DataFrame:
    """Stored member forecasts of ``fits`` as one column per member:variant, with outcomes."""
    table = wide(store.stored_members(con, fit_key(con, design), sorted(fits)))
    observed = design[["gwcode", "year", "iso3", "country", "attempt", "coup", "failed"]]
    if table.empty:
        return observed.iloc[:0]
    return table.merge(observed, on=["gwcode", "year"], how="left")


def _fit_stack(table: pd.DataFrame, target: int, start: int, model: str, seed: int):
    """The ``Stack`` for ``target``, fitted on its inner years' stored forecasts (the same
    fit ``models.nested.Nested`` makes by refitting)."""
    templates = _templates(model, seed)
    cols = columns(templates, list(models.check(model)))
    inner = table[table["year"].isin(inner_origins(target, start)) &
                  table["attempt"].notna()] if _chooses(model) else table.iloc[:0]
    if inner.empty:
        return _stack(model, seed).fit(np.empty((0, len(cols))), np.empty(0)), cols
    return _stack(model, seed).fit(inner[cols].to_numpy(), inner["attempt"].to_numpy()), cols


def assemble(con, design: pd.DataFrame, years: list[int], model: str,
             seed: int) -> pd.DataFrame:
    """Raw P(attempt), q and the observed outcomes for ``raw_years(years)``, from stored
    fits (nothing is refitted)."""
    table = _table(con, design, needed(design, years, model, seed))
    start = first_known(design)
    out = []
    for target in raw_years(design, years):
        here = table[table["year"] == target]
        stack, cols = _fit_stack(table, target, start, model, seed)
        frame = here[["gwcode", "iso3", "country", "year"]].copy()
        frame["p_attempt_raw"] = stack.predict_proba(here[cols].to_numpy())[:, 1]
        frame["q_success"] = here[f"{SUCCESS}:q"].to_numpy()
        for outcome in ("attempt", "coup", "failed"):
            frame[f"observed_{outcome}"] = here[outcome].astype("float64").to_numpy()
        out.append(frame)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def stack_at(con, design: pd.DataFrame, target: int, model: str, seed: int):
    """The fitted ``Stack`` (variants and weights) used for ``target``, from stored fits."""
    start = first_known(design)
    fits = {(m, member_seed(m, seed), y) for m in models.check(model)
            for y in inner_origins(target, start)}
    return _fit_stack(_table(con, design, fits), target, start, model, seed)[0]
