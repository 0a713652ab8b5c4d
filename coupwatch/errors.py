"""Every error coupwatch expects, in one place, so each interface reports them alike.

The CLI prints one line and exits with ``exit_code``; the API answers ``status`` with a JSON
``{"detail", "parameter"}`` body. Anything else is a bug and is reported as such.
"""

from __future__ import annotations

from pathlib import Path


class Expected(Exception):
    """Base of the errors a user can meet: one line, never a traceback."""

    exit_code = 1
    status = 500

    def __init__(self, message: str, parameter: str | None = None) -> None:
        self.message = message
        self.parameter = parameter
        super().__init__(message)

    def __reduce__(self):
        # keyword-only details survive pickling (errors cross process pools)
        return _rebuild, (type(self), dict(self.__dict__))


class BadInput(Expected):
    """Input the user or an upstream publisher gave us that we refuse to store or use.

    The message is rendered on one line naming the file, row and column (or parameter),
    so an analyst can open the file at the right place.
    """

    exit_code = 2
    status = 422

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        parameter: str | None = None,
        row_name: str = "row",
        column_name: str = "column",
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        # what a row and a column are called in the file (a JSON answer has records and
        # bindings)
        self.row_name, self.column_name = row_name, column_name
        super().__init__(message, parameter)

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"{getattr(self, 'row_name', 'row')} {self.row}")
        if self.column is not None:
            where.append(f"{getattr(self, 'column_name', 'column')} '{self.column}'")
        if self.parameter is not None:
            where.append(f"parameter '{self.parameter}'")
        text = " ".join(self.message.split())
        return f"{', '.join(where)}: {text}" if where else text


class EmptyWarehouse(BadInput):
    """The warehouse holds no data yet: the one thing to do is to load it."""

    MESSAGE = "the warehouse is empty: run `coupwatch data update` first"

    def __init__(self, message: str = MESSAGE, **where) -> None:
        super().__init__(message, **where)


class NotFound(BadInput):
    """An unknown country, case study or other named thing (HTTP 404; exit code 2)."""

    status = 404

    def __init__(self, message: str, parameter: str | None = None, **where) -> None:
        super().__init__(message, parameter=parameter, **where)


class NoData(Expected):
    """The warehouse lacks what was asked (no forecast run yet, no warehouse at all)."""

    exit_code = 2
    status = 503


class Busy(Expected):
    """Another process is writing the warehouse (DuckDB allows one writer, then no readers)."""

    exit_code = 1
    status = 503
    MESSAGE = ("the warehouse is being updated by another process (`coupwatch data update` or "
               "`forecast`), try again when it is done")

    def __init__(self, message: str = MESSAGE, parameter: str | None = None) -> None:
        super().__init__(message, parameter)


class FetchError(Expected):
    """A publisher (or an HTTP mirror) could not be reached: not the user's input."""

    exit_code = 1
    status = 502


def _rebuild(cls: type[Expected], state: dict) -> Expected:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error
