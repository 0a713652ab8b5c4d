"""``coupwatch case mali [--show-sql] [--compare FILE]``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.syntax import Syntax

from coupwatch import config
from coupwatch.cli.common import console, show
from coupwatch.read import case as analysis
from coupwatch.validate import ReportFormat

MARKS = {"confirmed": "✔", "partly confirmed": "~", "not confirmed": "✘",
         "cannot check yet": "?"}


def case(
    country: str = typer.Argument(..., help="the case study's country (available: mali)"),
    show_sql: bool = typer.Option(False, "--show-sql", help="print the query behind each "
                                  "number (paste it into `coupwatch sql`)"),
    compare: Path | None = typer.Option(None, help="another forecaster's file to rank the "
                                        "country in, e.g. forecaster2_forecasts_2020.csv "
                                        "(default: $COUPWATCH_COMPARE)"),
    fmt: ReportFormat = typer.Option("table", "--format"),
) -> None:
    """A case study rebuilt from data: history, the claims it checks, and our forecasts."""
    study = analysis.case_study(country, compare=compare or config.compare_file())
    if fmt == "json":
        console.file.write(json.dumps(analysis.as_json(study), indent=1) + "\n")
        return
    console.print(f"[bold]Case study: {study.country}[/bold] (every number below comes from "
                  "a query over the warehouse" + ("" if show_sql else "; add --show-sql to "
                                                  "see them") + ")")
    if study.analysis:
        console.print(f"Claims checked: those of {study.analysis}.", highlight=False)
    if study.analysis_title:
        console.print(f"The analysis: {study.analysis_title}"
                      + (f", {study.analysis_url}" if study.analysis_url else ""),
                      highlight=False, markup=False, soft_wrap=True)
    for finding in study.findings:
        console.rule(finding.title)
        if show_sql:
            console.print(Syntax(finding.sql, "sql", theme="ansi_light", word_wrap=True))
        show(finding.frame)
        if finding.summary:
            console.print(finding.summary, highlight=False)
    console.rule("Claims of the analysis, checked against the data")
    for claim in study.claims:
        console.print(f"{MARKS[claim.verdict]} [bold]{claim.verdict}[/bold]: {claim.claim}",
                      highlight=False)
        console.print(f"    {claim.evidence}", highlight=False)
