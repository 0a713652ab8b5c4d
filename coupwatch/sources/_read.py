"""Strict reading of delimited text files, with errors that name file, row and column.

Every connector reads through here so that bad input is reported the same way: one
line, the file, the 1-based line number in the file, the column.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from coupwatch.errors import BadInput
from coupwatch.sources._files import MAX_BYTES, read_bytes
from coupwatch.sources._ranges import FINITE, Range

NA_TOKENS = frozenset({"", "NA", "N/A", "NaN", "nan", ".", ".."})
NEWLINES = ("\n", "\r")


def _cp1252_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    # Some publisher files are UTF-8 with a stray Windows-1252 byte pasted into a notes field.
    return err.object[err.start:err.start + 1].decode("cp1252", errors="replace"), err.start + 1


codecs.register_error("cp1252-fallback", _cp1252_fallback)


def load_text(path: Path, *, encoding: str = "utf-8", lenient: bool = False,
              limit: int = MAX_BYTES, whole_lines: bool = True) -> str:
    """File contents as text; refuses missing, empty, HTML and wrongly encoded files, and
    anything but a regular file of at most ``limit`` bytes.

    ``lenient`` decodes stray non-UTF-8 bytes as Windows-1252, for files known to have them.
    ``whole_lines``: every publisher's text file ends with a newline, so one that ends inside
    its last line was cut short (an interrupted transfer or copy) and is refused.
    """
    data = read_bytes(path, limit=limit)
    if not data.strip():
        raise BadInput("file is empty", file=path)
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head")):
        raise BadInput("file is an HTML/XML page, not data (a failed or redirected download?)",
                       file=path, row=1)
    try:
        text = data.decode(encoding, errors="cp1252-fallback" if lenient else "strict")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise BadInput(f"byte 0x{data[err.start]:02x} is not valid {encoding}", file=path,
                       row=line) from None
    if whole_lines and not text.endswith(NEWLINES):
        raise BadInput(_CUT, file=path, row=text.count("\n") + 1)
    return text.removeprefix("\ufeff")


_CUT = "the file ends inside this line, with no final newline (truncated?)"


@dataclass
class Table:
    """A delimited file held as strings, with the file line number of every record."""

    path: Path
    header: list[str]
    frame: pd.DataFrame  # all values as str
    lines: np.ndarray = field(repr=False)  # file line number of each record
    ranges: Mapping[str, Range] = field(default_factory=dict)  # by column, see ``number``

    def require(self, columns: Iterable[str]) -> None:
        for name in columns:
            if name not in self.frame.columns:
                found = ", ".join(h for h in self.header if not h.startswith("_unnamed")) or "-"
                raise BadInput(f"required column is missing (found: {found})",
                               file=self.path, row=1, column=name)

    def has(self, name: str) -> bool:
        return name in self.frame.columns

    def text(self, name: str) -> pd.Series:
        self.require([name])
        return self.frame[name].str.strip()

    def number(self, name: str, *, integer: bool = False, lo: float | None = None,
               hi: float | None = None, required: bool = False,
               na: Iterable[str] = (), rule: Range | None = None,
               exempt: np.ndarray | None = None) -> pd.Series:
        """A numeric column; NA tokens (and ``na``, a source's own missing codes) become NaN,
        anything else unparseable is an error, and so is a value that is not finite or that
        breaks the column's range (``rule``, else the one the table was read with; rows
        where ``exempt`` is true are documented exceptions to the range, not to finiteness).
        """
        raw = self.text(name)
        missing = raw.isin(NA_TOKENS | set(na))
        values = pd.to_numeric(raw.where(~missing), errors="coerce")
        bad = values.isna() & ~missing
        self._fail_first(bad, name, _not_a_number, raw)
        self._fail_first(values.abs() == np.inf, name, lambda v: f"'{v}' is not a finite number",
                         raw)
        scale = rule or self.ranges.get(name, FINITE)
        out = scale.refuses(values)
        if exempt is not None:
            out &= ~exempt
        self._fail_first(out, name, lambda v: f"{v} is out of range: {name} must be "
                         f"{scale.describe()}", raw)
        if integer:
            self._fail_first(values.notna() & (values % 1 != 0), name,
                             lambda v: f"'{v}' is not a whole number", raw)
        if required:
            self._fail_first(missing, name, lambda v: "value is missing", raw)
        if lo is not None:
            self._fail_first(values < lo, name, lambda v: f"{v} is below {lo:g}", raw)
        if hi is not None:
            self._fail_first(values > hi, name, lambda v: f"{v} is above {hi:g}", raw)
        return values.astype("float64")

    def _fail_first(self, mask: pd.Series, column: str, message, raw: pd.Series) -> None:
        if bool(mask.any()):
            index = int(np.flatnonzero(mask.to_numpy())[0])
            raise BadInput(message(raw.iloc[index]), file=self.path, row=int(self.lines[index]),
                           column=column)

    def fail(self, index: int, column: str | None, message: str) -> BadInput:
        return BadInput(message, file=self.path, row=int(self.lines[index]), column=column)


def _not_a_number(text: str) -> str:
    try:  # pandas reads '1e999' as no number at all, Python as infinity
        return f"'{text}' is not a finite number" if math.isinf(float(text)) else \
            f"'{text}' is not a number"
    except ValueError:
        return f"'{text}' is not a number"


def _sniff_delimiter(header_line: str) -> str | None:
    counts = {sep: header_line.count(sep) for sep in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else None


def read_table(path: Path, *, sep: str = ",", skip_lines: int = 0, encoding: str = "utf-8",
               expect: Sequence[str] = (), lenient: bool = False,
               ranges: Mapping[str, Range] | None = None, limit: int = MAX_BYTES) -> Table:
    """Read a delimited file strictly: ragged rows and bad quoting are errors, not guesses;
    so are a last line cut short and a table with no rows. ``ranges`` gives the values each
    numeric column may take (see ``Table.number``)."""
    text = load_text(path, encoding=encoding, lenient=lenient, limit=limit, whole_lines=False)
    lines = text.splitlines(keepends=True)
    if len(lines) <= skip_lines:
        raise BadInput(f"file ends before its header (expected {skip_lines} preamble lines)",
                       file=path, row=len(lines))
    body = "".join(lines[skip_lines:])
    reader = csv.reader(io.StringIO(body), delimiter=sep, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise BadInput("file has no header row", file=path, row=skip_lines + 1) from None
    except csv.Error as err:
        # e.g. '"a";"b"' read with ',': the quotes hide the real delimiter from the reader
        guess = _sniff_delimiter(lines[skip_lines].replace('"', ""))
        if guess and guess != sep and lines[skip_lines].count(sep) == 0:
            raise BadInput(f"wrong delimiter: expected {sep!r} but the header is {guess!r}-"
                           "separated", file=path, row=skip_lines + 1) from None
        raise BadInput(f"malformed header ({err})", file=path, row=skip_lines + 1) from None
    header = [h.strip() for h in header]
    if len(header) == 1:
        guess = _sniff_delimiter(header[0])
        if guess and guess != sep:
            raise BadInput(f"wrong delimiter: expected {sep!r} but the header is {guess!r}-"
                           "separated", file=path, row=skip_lines + 1)
    missing_expected = [c for c in expect if c not in header]
    if missing_expected and len(header) == 1:
        raise BadInput(f"header has one field; expected columns separated by {sep!r}",
                       file=path, row=skip_lines + 1, column=missing_expected[0])
    names = [h if h else f"_unnamed_{i}" for i, h in enumerate(header)]
    if not text.endswith(NEWLINES):
        raise BadInput(_CUT, file=path, row=text.count("\n") + 1,
                       column=_cut_column(text.rsplit("\n", 1)[-1], sep, names))
    records: list[list[str]] = []
    numbers: list[int] = []
    width = len(names)
    try:
        for record in reader:
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if len(record) != width:
                raise BadInput(f"expected {width} fields, found {len(record)} (truncated row or "
                               "wrong delimiter?)", file=path, row=skip_lines + reader.line_num)
            records.append(record)
            numbers.append(skip_lines + reader.line_num)
    except csv.Error as err:
        raise BadInput(f"malformed CSV ({err}); the file may be truncated", file=path,
                       row=skip_lines + reader.line_num) from None
    if not records:
        raise BadInput("the file has a header but no data rows", file=path, row=skip_lines + 1)
    frame = pd.DataFrame(records, columns=names, dtype=str)
    if frame.columns.duplicated().any():
        dup = str(frame.columns[frame.columns.duplicated()][0])
        raise BadInput("column name appears twice", file=path, row=skip_lines + 1, column=dup)
    return Table(path=path, header=names, frame=frame, lines=np.asarray(numbers, dtype=np.int64),
                 ranges=dict(ranges or {}))


def _cut_column(line: str, sep: str, names: list[str]) -> str | None:
    """The column a cut-short last line stops in (read leniently: it may end in a quote)."""
    fields = next(csv.reader([line.rstrip("\r")], delimiter=sep), [])
    if not fields or len(fields) > len(names):
        return None
    name = names[len(fields) - 1]
    return None if name.startswith("_unnamed") else name


def duplicates(frame: pd.DataFrame, key: list[str], table: Table, index: pd.Index | None = None,
               ) -> tuple[pd.DataFrame, int]:
    """Drop exact duplicate rows (counted) and refuse rows that share a key but disagree."""
    exact = frame.duplicated(keep="first")
    count = int(exact.sum())
    frame = frame[~exact]
    clash = frame.duplicated(subset=key, keep=False)
    if bool(clash.any()):
        rows = frame.index[clash.to_numpy()]
        first, second = int(rows[0]), int(rows[1])
        keyval = ", ".join(f"{k}={frame.loc[first, k]}" for k in key)
        raise BadInput(f"two rows give different values for {keyval} (also row "
                       f"{int(table.lines[first])})", file=table.path,
                       row=int(table.lines[second]), column=key[0])
    return frame, count
