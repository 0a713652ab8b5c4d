"""How ``--help`` reads: commands in the order of the work (get data, look at it, forecast,
check the forecasts, report), and no type label on flags (a flag takes no value)."""

from __future__ import annotations

import inspect
import re

import click
from typer.core import TyperCommand, TyperGroup

# The flow: data in, then what it holds, the forecast and why, how good it is, reports, tools.
ORDER = ("data", "events", "panel", "forecast", "explain", "backtest", "score", "sweep",
         "region", "case", "brief", "sql", "serve")


def _flags_untyped(params: list[click.Parameter]) -> list[click.Parameter]:
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""  # Typer would show "<bool>" beside every flag, --help too
    return params


def reflowed(text: str | None) -> str | None:
    """A docstring's paragraphs each on one line: the terminal wraps them to its width
    (a docstring's own line breaks would cut a help line in the middle)."""
    if not text:
        return text
    paragraphs = re.split(r"\n\s*\n", inspect.cleandoc(text))
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


class _Help:
    """What commands and groups share: reflowed help, flags without a type."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.help = reflowed(self.help)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _flags_untyped(super().get_params(ctx))


class Command(_Help, TyperCommand):
    pass


class Group(_Help, TyperGroup):

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands of ORDER first, in its order; any other in the order added."""
        names = super().list_commands(ctx)
        rank = {name: index for index, name in enumerate(ORDER)}
        return sorted(names, key=lambda name: (rank.get(name, len(rank)), names.index(name)))
