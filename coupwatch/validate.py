"""Checks of what a user asks for, shared by the CLI and the API: years, date ranges,
outcomes, models, output formats and paths, and a warehouse that has data.

Each check returns the clean value or raises ``BadInput`` naming the parameter, so both
interfaces refuse the same things with the same words.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path

import duckdb
import pandas as pd

from coupwatch import config
from coupwatch.errors import BadInput, EmptyWarehouse
from coupwatch.panel.spec import OUTCOMES

OUTCOME_HELP = ", ".join(OUTCOMES)
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
STDOUT = "-"


class Format(StrEnum):
    """Every output format; each command offers a subset (``formats``)."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"
    html = "html"
    pdf = "pdf"


def formats(name: str, *choices: str) -> type[StrEnum]:
    """The formats one command accepts, as a choice type for Typer."""
    return StrEnum(name, {c: Format(c).value for c in choices})


TableFormat = formats("TableFormat", "table", "csv", "json")
ReportFormat = formats("ReportFormat", "table", "json")
PanelFormat = formats("PanelFormat", "csv", "parquet")
BriefFormat = formats("BriefFormat", "pdf", "html")


def outcome(name: str, parameter: str = "outcome") -> str:
    if name not in OUTCOMES:
        raise BadInput(f"unknown outcome '{name}' (use {OUTCOME_HELP})", parameter=parameter)
    return name


def model(name: str | None, *, decomposable: bool = False, parameter: str = "model") -> str:
    """A model name (default: the ``COUPWATCH_MODEL`` setting); ``decomposable`` for those
    ``explain`` can split into drivers."""
    from coupwatch.models import DECOMPOSABLE, MODELS

    chosen = name or config.settings().model
    allowed = DECOMPOSABLE if decomposable else tuple(MODELS)
    if chosen not in allowed:
        what = "drivers can be computed for" if decomposable else "known"
        raise BadInput(f"unknown model '{chosen}' ({what}: {', '.join(allowed)})",
                       parameter=parameter)
    return chosen


def model_help(decomposable: bool = False) -> str:
    from coupwatch.models import DECOMPOSABLE, MODELS

    names = DECOMPOSABLE if decomposable else tuple(MODELS)
    return f"{', '.join(names)} (default: $COUPWATCH_MODEL, else ensemble)"


def names(text: str, parameter: str, known: tuple[str, ...] | None = None) -> list[str]:
    """A comma-separated list, in order, without duplicates; empty or unknown is bad input."""
    items = list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if not items:
        raise BadInput("is empty: give a comma-separated list", parameter=parameter)
    for item in items:
        if known is not None and item not in known:
            raise BadInput(f"unknown {parameter.rstrip('s')} '{item}' (known: "
                           f"{', '.join(known)})", parameter=parameter)
    return items


def seeds(text: str, parameter: str = "seeds") -> list[int]:
    out = []
    for item in names(text, parameter):
        try:
            out.append(int(item))
        except ValueError:
            raise BadInput(f"'{item}' is not an integer seed", parameter=parameter) from None
    return out


def year_span(start: int, end: int, first: int, last: int, *,
              names: tuple[str, str] = ("from", "to")) -> tuple[int, int]:
    """``first <= start <= end <= last``, or a message naming the parameter at fault."""
    if start > end:
        raise BadInput(f"--{names[0]} {start} is after --{names[1]} {end}", parameter=names[0])
    for value, name in ((start, names[0]), (end, names[1])):
        if not first <= value <= last:
            raise BadInput(f"{value} is outside the years available ({first}-{last})",
                           parameter=name)
    return start, end


def date_bound(text: str | None, parameter: str, *, end: bool = False) -> dt.date | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as the first day it covers (``end``: the last)."""
    if text is None:
        return None
    if not DATE.match(text.strip()):
        raise BadInput(f"'{text}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
                       parameter=parameter)
    parts = [int(p) for p in text.strip().split("-")]
    try:
        if len(parts) == 1:
            return dt.date(parts[0], 12, 31) if end else dt.date(parts[0], 1, 1)
        if len(parts) == 2:
            first = dt.date(parts[0], parts[1], 1)
            return (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date() if end else first
        return dt.date(*parts)
    except ValueError:
        raise BadInput(f"'{text}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
                       parameter=parameter) from None


def date_range(date_from: str | None, date_to: str | None
               ) -> tuple[dt.date | None, dt.date | None]:
    """Both ends of a ``--from``/``--to`` range (inclusive), in order."""
    start = date_bound(date_from, "from")
    stop = date_bound(date_to, "to", end=True)
    if start is not None and stop is not None and start > stop:
        raise BadInput(f"--from {date_from} is after --to {date_to}", parameter="from")
    return start, stop


def output(path: Path | None, parameter: str = "output") -> Path | None:
    """A file to write: its directory must exist and it must not be a directory.
    ``-`` means standard output (returned as None)."""
    if path is None or str(path) == STDOUT:
        return None
    if path.is_dir():
        raise BadInput(f"{path} is a directory: give a file name", parameter=parameter)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise BadInput(f"directory does not exist: {parent}", parameter=parameter)
    return path


def has_data(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a warehouse no ``data update`` has filled yet."""
    rows = con.execute("SELECT count(*) FROM provenance").fetchall()
    if not rows[0][0]:
        raise EmptyWarehouse()

