"""``coupwatch sweep``: backtests of a model x outcome x seed grid, in one comparison table."""

from __future__ import annotations

from pathlib import Path

import typer

from coupwatch import validate
from coupwatch.cli.common import (
    HIDDEN_END,
    HIDDEN_START,
    WORKERS_HELP,
    bar,
    console,
    show,
    span_alias,
    writable,
)
from coupwatch.errors import BadInput
from coupwatch.panel.spec import OUTCOMES


def sweep(
    models: str = typer.Option("logit,lgbm,forest,ensemble", help="comma-separated models"),
    outcomes: str = typer.Option("attempt,coup,failed", help="comma-separated outcomes"),
    seeds: str = typer.Option("0", help="comma-separated integer seeds"),
    start: int = typer.Option(1990, "--from", help="first target year"),
    end: int = typer.Option(2022, "--to", help="last target year"),
    backend: str = typer.Option("local", help="local (joblib on this machine's cores) or "
                                "dask (a local dask.distributed cluster, or --scheduler)"),
    scheduler: str | None = typer.Option(None, help="address of a running dask scheduler, "
                                         "e.g. tcp://10.0.0.5:8786"),
    workers: int | None = typer.Option(None, help=WORKERS_HELP),
    output_dir: Path | None = typer.Option(None, help="write each cell's backtest as "
                                           "MODEL_OUTCOME_SEED.csv here"),
    start_alias: int | None = HIDDEN_START,
    end_alias: int | None = HIDDEN_END,
) -> None:
    """Backtest every model x outcome x seed; fits already stored are reused."""
    from coupwatch import models as registry
    from coupwatch.forecasts import backtest as bt
    from coupwatch.forecasts import runner, service
    from coupwatch.forecasts import sweep as sw

    names = validate.names(models, "models", tuple(registry.MODELS))
    wanted = validate.names(outcomes, "outcomes", OUTCOMES)
    seed_list = validate.seeds(seeds)
    start, end = span_alias(start, start_alias), span_alias(end, end_alias)
    runner.check(backend, workers, scheduler)
    if output_dir is not None and not output_dir.is_dir():
        raise BadInput(f"directory does not exist: {output_dir}", parameter="output-dir")
    con = writable()
    try:
        design = service.design_rows(con)
        service.backtest_years(design, start, end)
        progress, tick = bar(f"sweep on {backend}: fitting")
        with progress:
            result = sw.run(con, design, names, wanted, seed_list, start, end,
                            backend=backend, workers=workers, scheduler=scheduler,
                            progress=tick)
    finally:
        con.close()
    if output_dir is not None:
        for (name, outcome, seed), rows in result.backtests.items():
            (output_dir / f"{name}_{outcome}_{seed}.csv").write_text(bt.to_csv(rows))
        console.print(f"wrote {len(result.backtests)} backtest files (CSV) to {output_dir}",
                      highlight=False, markup=False, soft_wrap=True)
    shown = result.table[["model", "outcome", "seed", "n", "events"]].copy()
    for metric in sw.SHOWN:
        shown[metric] = [f"{v:.3f} [{lo:.3f}, {hi:.3f}]" for v, lo, hi in zip(
            result.table[metric], result.table[f"{metric}_low"],
            result.table[f"{metric}_high"], strict=True)]
    show(shown, title=f"backtests {start}-{end} (95 % bootstrap CI)")
    console.print(f"fits: {result.fits_run} run, {result.fits_reused} reused from the "
                  f"warehouse ({result.seconds:.1f} s, backend {backend})")
