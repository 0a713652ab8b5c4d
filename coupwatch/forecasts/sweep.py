"""Backtests of every model x outcome x seed over a span of years, compared in one table.

All the grid's member fits run as one batch of independent jobs (``runner``: joblib on the
local cores, or dask.distributed), each stored as soon as it finishes; a sweep stopped and run
again fits only what is missing. One fit serves every outcome (P(attempt) and q) and every
model that uses the member (``ensemble`` and ``stacked`` share ``logit``, ``lgbm`` and
``forest``), so the grid costs about as much as its most demanding model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from coupwatch import models
from coupwatch.forecasts import backtest as bt
from coupwatch.forecasts import metrics, rolling, runner, service
from coupwatch.panel.spec import OUTCOMES

SHOWN = ("roc_auc", "pr_auc", "brier_skill")


@dataclass
class Sweep:
    table: pd.DataFrame  # model, outcome, seed, n, events, then metric and its interval
    backtests: dict = field(default_factory=dict)  # (model, outcome, seed) -> published rows
    fits_run: int = 0
    fits_reused: int = 0
    seconds: float = 0.0


def run(con, design: pd.DataFrame, model_names: list[str], outcomes: list[str],
        seeds: list[int], start: int, end: int, *, backend: str = "local",
        workers: int | None = None, scheduler: str | None = None, n_boot: int = 1000,
        progress: Callable[[str | None, int], None] | None = None) -> Sweep:
    """Run the grid (missing fits only), store every model's backtest, score each cell."""
    from coupwatch import validate

    for name in model_names:
        models.check(name)
    validate.names(",".join(outcomes), "outcomes", OUTCOMES)
    runner.check(backend, workers, scheduler)
    years = service.backtest_years(design, start, end)
    began = time.perf_counter()
    todo = rolling.plan(con, design, [(m, s) for m in model_names for s in seeds], years)
    rolling.execute(con, design, todo.jobs, backend=backend, workers=workers,
                    scheduler=scheduler, progress=progress)
    out = Sweep(pd.DataFrame(), fits_run=len(todo.jobs), fits_reused=todo.reused)
    rows = []
    for name in model_names:
        for seed in seeds:
            frame = service.finish(con, design, years, name, seed)
            for outcome in outcomes:
                published = bt.rows(frame, outcome, name)
                out.backtests[(name, outcome, seed)] = published
                rows.append(_cell(published, design, name, outcome, seed, n_boot))
    out.table = pd.DataFrame(rows)
    out.seconds = time.perf_counter() - began
    return out


def _cell(rows: pd.DataFrame, design: pd.DataFrame, name: str, outcome: str, seed: int,
          n_boot: int) -> dict:
    base = bt.climatology(rows, design, outcome).to_numpy()
    summary = metrics.summary(rows, base_rate=base, n_boot=n_boot, seed=seed)
    cell = {"model": name, "outcome": outcome, "seed": seed, "n": summary.attrs["n"],
            "events": summary.attrs["events"]}
    indexed = summary.set_index("metric")
    for metric in SHOWN:
        value, low, high = indexed.loc[metric, ["value", "ci_low", "ci_high"]]
        cell.update({metric: value, f"{metric}_low": low, f"{metric}_high": high})
    return cell
