"""``coupwatch forecast`` and ``coupwatch explain``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from coupwatch import catalog, validate
from coupwatch.cli import monthly, tables
from coupwatch.cli.common import (
    WORKERS_HELP,
    bar,
    console,
    left_out_footer,
    show,
    writable,
    write_frame,
)
from coupwatch.errors import BadInput
from coupwatch.validate import Format, TableFormat
from coupwatch.warehouse.store import data_versions


def forecast(
    year: int | None = typer.Option(None, help="target year (default: the year after the "
                                    "latest coup data)"),
    fmt: TableFormat = typer.Option("table", "--format"),
    output: Path | None = typer.Option(None, help="write here instead of the screen "
                                       "('-' for standard output)"),
    model: str | None = typer.Option(None, help=validate.model_help()),
    seed: int = typer.Option(0),
    top: int = typer.Option(30, min=1, help="rows shown in table format"),
    mirror: Path | None = typer.Option(None, help="mirror for the first data update"),
    workers: int | None = typer.Option(None, help=WORKERS_HELP),
    unit: str = typer.Option("year", help="year, or month: risks over the next 1, 3, 6 and "
                             "12 months from the newest month of data"),
) -> None:
    """Ranked coup risk for the next year (or months, --unit month); on an empty warehouse,
    fetches the data first."""
    from coupwatch.forecasts import runner, service

    model = validate.model(model)
    runner.check("local", workers)
    monthly.check_unit(unit, year=year)
    validate.output(output)
    con = writable(fill_from=mirror)
    if unit == "month":
        try:
            monthly.forecast(con, model=model, seed=seed, fmt=fmt.value, output=output,
                             top=top)
        finally:
            con.close()
        return
    try:
        progress, tick = bar("fitting models")
        with progress:
            frame, run_id = service.forecast(con, year, model=model, seed=seed,
                                             workers=workers, progress=tick)
        versions = data_versions(con)
    finally:
        con.close()
    if fmt != Format.table:
        write_frame(frame, fmt.value, output)
        return
    target = frame["year"].iloc[0]
    dropped = tables.fitted(tables.forecast_cells(frame.head(top)), tables.FORECAST_PRIORITY,
                           title=f"coup risk {target} (top {top} of {len(frame)})")
    tables.footer(str(target), model, run_id, versions)
    tables.dropped_note(dropped)
    left_out_footer(frame.attrs.get("left_out", []))
    if output is not None:
        write_frame(frame, "csv", output)


def explain(
    country: str | None = typer.Argument(None, help="ISO3 code, G&W code or name"),
    year: int | None = typer.Option(None, help="target year (default: the next year)"),
    what_if: list[str] | None = typer.Option(None, "--what-if", help="feature=value; "
                                             "repeatable (names: --features)"),
    top: int = typer.Option(5, min=1, help="factors shown in each direction"),
    fmt: TableFormat = typer.Option("table", "--format"),
    model: str | None = typer.Option(None, help=validate.model_help(decomposable=True)),
    seed: int = typer.Option(0),
    features: bool = typer.Option(False, "--features", help="list the feature names "
                                  "--what-if accepts, with what they mean"),
) -> None:
    """The factors raising and lowering a country's risk, in plain words."""
    if features:
        _features(fmt)
        return
    from coupwatch.forecasts import explain as ex

    if country is None:
        raise BadInput("give a country (ISO3 code, G&W code or name), or "
                                "--features", parameter="country")
    model = validate.model(model, decomposable=True)
    con = writable()
    try:
        result = ex.explain(con, country, year, what_if=what_if, top=top, model=model,
                            seed=seed)
    finally:
        con.close()
    if fmt != Format.table:
        payload = {k: v for k, v in result.__dict__.items() if k != "drivers"}
        payload["drivers"] = json.loads(result.drivers.to_json(orient="records"))
        console.file.write(json.dumps(payload, indent=1) + "\n")
        return
    console.print(f"{result.country}, {result.year}: P(attempt) {result.p_attempt:.1%}, "
                  f"P(successful coup) {result.p_coup:.1%}, P(failed) {result.p_failed:.1%}")
    drivers = result.drivers.copy()
    drivers["contribution"] = drivers["contribution"].map(lambda v: catalog.signed_text(v, 2))
    show(drivers[["direction", "text", "contribution", "feature"]],
         title="drivers (contribution in log-odds)")
    if result.what_if:
        changes = ", ".join(f"{k}={v:g}" for k, v in result.what_if.items())
        console.print(f"what if {changes}: P(attempt) {result.p_attempt_what_if:.1%} "
                      f"(was {result.p_attempt:.1%}), P(coup) {result.p_coup_what_if:.1%}, "
                      f"P(failed) {result.p_failed_what_if:.1%}")


def _features(fmt: Format) -> None:
    """Every model feature with its label and unit, from the catalog."""
    import pandas as pd

    from coupwatch import catalog

    frame = pd.DataFrame([{"feature": v.column, "meaning": v.label, "unit": v.unit,
                           "source": v.attribution} for v in catalog.variables().values()])
    if fmt == Format.table:
        show(frame, title=f"{len(frame)} features (use with --what-if feature=value)")
    else:
        write_frame(frame, fmt.value, None)
