"""Benchmark and skill report of the monthly early warning (issue 11).

Builds a fresh warehouse from the mirror, then:
1. ``coupwatch backtest --unit month --horizon 3 --from 1990 --to 2022`` as a user runs it
   (empty cache, ``--workers 2``): wall time and peak memory of the whole process tree
   (the CLI and its joblib workers, sampled every 0.2 s); targets 120 s, 2 GB on 2 cores;
2. from the stored hazards: horizon 3, origins 2011-01 to 2022-08 (ROC-AUC >= 0.90, PR-AUC
   >= 5x the base rate) and horizon 12, origins 2011-01 to 2021-11 (the last whose window
   the coup data cover; ROC-AUC >= 0.88), with 95 % bootstrap intervals;
3. Mali's rank in the 3-month forecast issued at the end of December 2011 and of May 2020
   (target: top 10), from the backtest (model of the January refit) and refitted on every
   month known by the origin (what ``forecast --unit month`` would have said then);
4. the 12-month risk issued at the end of each December beside the annual forecast for the
   next year, 2011-2019, on the same country-years (annual: ``service.backtest``).

    python bench/bench_monthly.py [--mirror DIR] [--model ensemble] [--annual-model NAME]
                                  [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def _tree_rss(root: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except OSError:
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid]
        tree.update(children)
        frontier += children
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def cli(args: list[str], env: dict[str, str], measure: bool = False) -> tuple[float, int, str]:
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "coupwatch", *args], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    if measure:
        sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"coupwatch {' '.join(args)} failed: {err.strip()}")
    return seconds, peak[0], out


def _interval(table: pd.DataFrame, metric: str) -> str:
    row = table.set_index("metric").loc[metric]
    return f"{row['value']:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]"


def skill(con, data, model: str) -> None:
    from coupwatch.forecasts import monthly, monthly_metrics

    for horizon, (start, end), target in ((3, (2011, 2022), 0.90), (12, (2011, 2021), 0.88)):
        first, last = monthly.origin_range(data, start, end, horizon)
        for outcome in ("attempt", "coup"):
            frame = monthly.backtest(con, data, first, last, model=model)
            rows = monthly.published(data, frame, horizon, outcome, model)
            table = monthly_metrics.summary(rows, monthly_metrics.climatology(data, rows,
                                                                              outcome))
            base = table.attrs["base_rate"]
            pr = table.set_index("metric").loc["pr_auc", "value"]
            print(f"h={horizon:>2} {outcome:<7} origins {rows['year'].iloc[0]}-"
                  f"{rows['month'].iloc[0]:02d} to {rows['year'].iloc[-1]}-"
                  f"{rows['month'].iloc[-1]:02d}: {len(rows):,} state-months, "
                  f"{int(rows['observed'].sum())} with an event (base rate {base:.4f})")
            print(f"    ROC-AUC {_interval(table, 'roc_auc')}"
                  + (f" (target {target})" if outcome == "attempt" else ""))
            print(f"    PR-AUC  {_interval(table, 'pr_auc')} = {pr / base:.1f}x the base rate"
                  + (" (target 5x)" if outcome == "attempt" and horizon == 3 else ""))
            print(f"    Brier skill {_interval(table, 'brier_skill')}, log-loss "
                  f"{_interval(table, 'log_loss')}, top-10 recall "
                  f"{_interval(table, 'recall_top10')}, top-20 "
                  f"{_interval(table, 'recall_top20')}")


def mali(con, data, model: str) -> None:
    from coupwatch.forecasts import monthly
    from coupwatch.panel.months import index

    for year, month in ((2011, 12), (2020, 5)):
        origin = index(year, month)
        frame = monthly.backtest(con, data, origin, origin, model=model)
        p = monthly.probabilities(frame, 3, "attempt")
        ranks = pd.Series(p, index=frame["gwcode"]).rank(ascending=False, method="first")
        issued, _ = monthly.forecast(con, model=model, save=False, origin=origin)
        live = issued.set_index("gwcode").loc[432]
        print(f"Mali, 3-month forecast issued at the end of {year}-{month:02d}: rank "
              f"{int(ranks[432])} of {len(frame)} in the backtest (P {p[ranks.index == 432][0]:.1%}"
              f"), rank {int(live['rank'])} refitted on data through {year}-{month:02d} "
              f"(P {live['p_attempt_3m']:.1%}; 12-month {live['p_attempt_12m']:.1%})")


def versus_annual(con, data, model: str, annual_model: str) -> None:
    from coupwatch.forecasts import metrics, monthly, service
    from coupwatch.panel.months import index

    design = service.design_rows(con)
    started = time.perf_counter()
    annual = service.backtest(con, design, list(range(2011, 2020)), model=annual_model)
    took = time.perf_counter() - started
    annual = annual[["gwcode", "year", "p_attempt", "observed_attempt"]]
    frame = monthly.backtest(con, data, index(2010, 12), index(2018, 12), model=model)
    frame = frame[frame["origin"] % 12 == 11]
    monthly_p = pd.DataFrame({"gwcode": frame["gwcode"], "year": frame["origin"] // 12 + 1,
                              "p_month": monthly.probabilities(frame, 12, "attempt")})
    both = annual.merge(monthly_p, on=["gwcode", "year"], how="inner").dropna()
    both = both.rename(columns={"observed_attempt": "observed"})
    print(f"next-year attempts 2011-2019 on the same {len(both):,} country-years "
          f"({int(both['observed'].sum())} with an attempt); annual model {annual_model} "
          f"({took:.0f} s), monthly model {model} (12-month risk issued each December):")
    for label, column in (("annual", "p_attempt"), ("monthly", "p_month")):
        table = metrics.summary(both.assign(p=both[column]))
        print(f"    {label:<8} ROC-AUC {_interval(table, 'roc_auc')}, PR-AUC "
              f"{_interval(table, 'pr_auc')}, Brier skill {_interval(table, 'brier_skill')}")
    paired = metrics.paired(both, "p_month", "p_attempt").set_index("metric")
    for name in ("roc_auc", "pr_auc", "brier"):
        row = paired.loc[name]
        print(f"    monthly - annual {name}: {row['difference']:+.3f} [{row['ci_low']:+.3f}, "
              f"{row['ci_high']:+.3f}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=Path(
        os.environ.get("COUPWATCH_MIRROR", REPO.parent / "shared" / "mirror")))
    parser.add_argument("--model", default="ensemble")
    parser.add_argument("--annual-model", default="ensemble")
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coupwatch-bench-") as home:
        env = {k: v for k, v in os.environ.items() if k != "COUPWATCH_MIRROR"}
        env.update(COUPWATCH_HOME=home, COLUMNS="200", NO_COLOR="1")
        cli(["data", "update", "--mirror", str(options.mirror.resolve())], env)
        db = Path(home) / "warehouse.duckdb"
        seconds, peak, _ = cli(["backtest", "--unit", "month", "--horizon", "3", "--from",
                                "1990", "--to", "2022", "--model", options.model,
                                "--workers", str(options.workers)], env, measure=True)
        print(f"monthly backtest 1990-2022, horizon 3 ({options.model}, {options.workers} "
              f"workers, {os.cpu_count()} cores, machine shared): {seconds:.1f} s wall, peak "
              f"memory {peak / 2**20:.0f} MiB (targets: 120 s, 2048 MiB)")
        from coupwatch.forecasts import monthly

        con = duckdb.connect(str(db))
        try:
            data = monthly.prepare(con)
            skill(con, data, options.model)
            mali(con, data, options.model)
            versus_annual(con, data, options.model, options.annual_model)
        finally:
            con.close()


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
