"""How ``--help`` reads: commands in the order of the work (get data, look at it, forecast,
check the forecasts, report), and no type label on flags (a flag takes no value)."""

from __future__ import annotations

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


class Command(TyperCommand):
    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _flags_untyped(super().get_params(ctx))


class Group(TyperGroup):
    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _flags_untyped(super().get_params(ctx))

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands of ORDER first, in its order; any other in the order added."""
        names = super().list_commands(ctx)
        rank = {name: index for index, name in enumerate(ORDER)}
        return sorted(names, key=lambda name: (rank.get(name, len(rank)), names.index(name)))
