"""Forecasts when a source stops (issue 12): REIGN cut at the end of 2017 in a copy of the
mirror, the rest as it is.

1. Backtest 2019-2022 (attempts) of the availability-aware model (inputs with no value at an
   origin left out of that origin's fit) and of the same model fitted on every input, as
   before: metrics with 95 % bootstrap intervals on the same country-years, and the paired
   difference (target: aware ROC-AUC >= the other's).
2. What the forecast for 2023 leaves out, and why.
3. Time of the fits behind a forecast (two target years, empty fit store) aware vs not, on
   the full mirror (target: aware at most 1.5 x).

    python bench/bench_availability.py [--mirror DIR] [--model ensemble]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("COUPWATCH_MIRROR", str(REPO.parent / "shared" / "mirror"))

from reign_cut import cut_reign  # noqa: E402  (the tests' mirror cutter)

from coupwatch import operations, warehouse  # noqa: E402
from coupwatch.forecasts import availability, metrics, service  # noqa: E402
from coupwatch.forecasts import backtest as bt  # noqa: E402
from coupwatch.models.base import model_columns  # noqa: E402

YEARS = [2019, 2020, 2021, 2022]


def skill(db: Path, model: str) -> None:
    con = warehouse.connect(db)
    try:
        design = service.design_rows(con)
        frames = {"aware": service.backtest(con, design, YEARS, model=model),
                  "every input": service.backtest(con, availability.blind(design), YEARS,
                                                  model=model)}
        left = availability.explain(design, 2023, model_columns(design))
    finally:
        con.close()
    rows = {k: bt.rows(f, "attempt", model) for k, f in frames.items()}
    print(f"REIGN cut at 2017, backtest {YEARS[0]}-{YEARS[-1]} ({model}): "
          f"{len(rows['aware'])} country-years, {int(rows['aware']['observed'].sum())} attempts")
    for name, frame in rows.items():
        summary = metrics.summary(frame).set_index("metric")
        cells = [f"{m} {summary.at[m, 'value']:.3f} [{summary.at[m, 'ci_low']:.3f}, "
                 f"{summary.at[m, 'ci_high']:.3f}]" for m in ("roc_auc", "pr_auc", "brier")]
        print(f"  {name:12s} " + "; ".join(cells))
    both = rows["aware"][["year", "gwcode", "observed"]].copy()
    both["aware"], both["blind"] = rows["aware"]["p"], rows["every input"]["p"]
    paired = metrics.paired(both, "aware", "blind").set_index("metric")
    for name in ("roc_auc", "pr_auc", "brier"):
        r = paired.loc[name]
        print(f"  aware - every input {name}: {r['difference']:+.3f} [{r['ci_low']:+.3f}, "
              f"{r['ci_high']:+.3f}]")
    sources = sorted({e["source"] for e in left})
    print(f"forecast for 2023 leaves out {len(left)} inputs from {', '.join(sources)}, e.g. "
          + "; ".join(f"{e['feature']}: {e['reason']}" for e in left[:2]))


def timing(mirror: Path, model: str) -> None:
    seconds = {}
    for name in ("aware", "every input"):
        with tempfile.TemporaryDirectory(prefix="coupwatch-bench-") as home:
            db = Path(home) / "warehouse.duckdb"
            operations.update_data(mirror=mirror, path=db)
            con = warehouse.connect(db)
            try:
                design = service.design_rows(con)
                if name != "aware":
                    design = availability.blind(design)
                started = time.perf_counter()
                service.backtest(con, design, [2022, 2023], model=model, keep_year=2023)
                seconds[name] = time.perf_counter() - started
            finally:
                con.close()
    print(f"fits behind the 2023 forecast ({model}, empty store): aware "
          f"{seconds['aware']:.1f} s, every input {seconds['every input']:.1f} s "
          f"({seconds['aware'] / seconds['every input']:.2f} x; target at most 1.5 x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=Path(os.environ["COUPWATCH_MIRROR"]))
    parser.add_argument("--model", default="ensemble")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coupwatch-bench-") as base:
        mirror = cut_reign(Path(base) / "mirror", 2017)
        db = Path(base) / "warehouse.duckdb"
        operations.update_data(mirror=mirror, path=db)
        skill(db, options.model)
    timing(options.mirror.resolve(), options.model)


if __name__ == "__main__":
    main()
