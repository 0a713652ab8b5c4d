"""One error type for bad input, so every interface reports it the same way (exit code 2)."""

from __future__ import annotations

from pathlib import Path


class BadInput(Exception):
    """Input the user or an upstream publisher gave us that we refuse to store.

    The message is rendered on one line naming the file, row and column (or parameter),
    so an analyst can open the file at the right place.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        parameter: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.parameter = parameter
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.parameter is not None:
            where.append(f"parameter '{self.parameter}'")
        text = " ".join(self.message.split())
        return f"{', '.join(where)}: {text}" if where else text
