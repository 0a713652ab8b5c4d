"""Reading stored forecasts for analyses: newest run for a year, else the backtest for it."""

from __future__ import annotations

import duckdb


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_name = ?", [table]).fetchone()[0])


def backtest_choice(con: duckdb.DuckDBPyConnection, year: int,
                    prefer: str = "ensemble") -> tuple[str, str, bool] | None:
    """(data_key, model, current) of the stored out-of-sample forecasts for ``year``.

    The current data/code key is preferred; a backtest cached under an earlier key (before
    an upgrade or a data update) is still the record of what was forecast, so it is used and
    flagged rather than hidden.
    """
    if not has_table(con, "backtests"):
        return None
    from coupwatch.forecasts import store  # imports the model code's version only

    current = store.data_key(con)
    rows = con.execute("""SELECT data_key, model, count(*) AS n FROM backtests WHERE year = ?
                          GROUP BY ALL""", [year]).fetchall()
    if not rows:
        return None

    def rank(row: tuple) -> tuple:
        key, model, n = row
        return (key != current, model != prefer, -n, key, model)

    key, model, _ = min(rows, key=rank)
    return key, model, key == current
