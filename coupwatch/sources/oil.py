"""Annual real oil price (one global series, stored with no country).

Two formats are read, told apart by the file's first bytes:

* the researchers' series ``year, oil_price_real`` (the offline mirror);
* the Energy Institute's Statistical Review workbook (``EI-Stats-Review-All-Data.xlsx``),
  sheet "Oil crude prices since 1861" ("Oil - Crude prices since 1861" in bp's editions):
  a few title lines, a header row ``Year | $ money of the day | $ <base year>``, one row a
  year, then footnotes. ``oil_price_real`` is the ``$ <base year>`` column: US dollars a
  barrel in constant dollars of the base year (US average to 1944, Arabian Light to 1983,
  Brent dated since).

The Energy Institute's consolidated dataset (the CSV this source used to point at) holds
country-level series (``Country, Year, ..., Var, Value``) and no crude price at all; the
price tables are only in the workbook, which is why the URL is the workbook's.

Comparability with the mirror: the mirror took bp's real column of the 2018 edition
(constant 2017 dollars) for 1951-2017 and appended EIA's nominal Brent averages for
2018-2020 (2020 being January-April only). The workbook's real column is in dollars of a
later base year, so for 1951-2017 its values differ from the mirror's by one constant factor
(the ratio of the two base years' price levels); 2018-2020 are real annual averages here,
not nominal or partial ones. All years of the sheet (from 1861) are kept.

Reading the workbook needs openpyxl, imported only for a workbook.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pandas as pd

from coupwatch.errors import BadInput
from coupwatch.sources._files import head, read_bytes
from coupwatch.sources._ranges import NON_NEGATIVE
from coupwatch.sources._read import duplicates, read_table
from coupwatch.sources.base import Connector, Least, Parsed, SourceFile, to_long

WORKBOOK_URL = ("https://www.energyinst.org/__data/assets/excel_doc/0020/1540550/"
                "EI-Stats-Review-All-Data.xlsx")
_PRICE_SHEET = re.compile(r"crude\s+prices\s+since", re.IGNORECASE)
_REAL_HEADER = re.compile(r"\$\s*(\d{4})")
_MISSING = {"", "-", "n/a", "na", ".."}
_HEADER_SEARCH_ROWS = 12
RANGES = {"oil_price_real": NON_NEGATIVE}


class Oil(Connector):
    name = "oil"
    title = "Real Brent crude oil price, annual"
    publisher = "Energy Institute Statistical Review / EIA"
    licence = "free with attribution"
    citation = "Energy Institute, Statistical Review of World Energy"
    # 70 years in the mirror, 160 in the workbook (from 1861)
    files = (SourceFile("oil/oil_prices.csv", WORKBOOK_URL, "annual real oil price",
                        least=Least(years=50)),)

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        if _is_workbook(path):
            return parse_workbook(path)
        return parse_series(path)


def _is_workbook(path: Path) -> bool:
    # a zip: .xlsx is zipped XML; b"" when unreadable, and the CSV reader then says why
    return head(path, 4) == b"PK\x03\x04"


def parse_series(path: Path) -> Parsed:
    """The researchers' ``year, oil_price_real`` series."""
    table = read_table(path, expect=["year"], ranges=RANGES)
    table.require(["year", "oil_price_real"])
    frame = pd.DataFrame({
        "gwcode": pd.array([pd.NA] * len(table.frame), dtype="Int64"),
        "year": table.number("year", integer=True, required=True, lo=1850, hi=2100),
        "oil_price_real": table.number("oil_price_real"),
    })
    frame, dups = duplicates(frame, ["year"], table)
    return Parsed(release=path.stem, indicators=to_long(frame, ["oil_price_real"], [], {}),
                  duplicates=dups)


def parse_workbook(path: Path) -> Parsed:
    """The real price column of the Statistical Review's crude-price sheet."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError("reading the Energy Institute workbook needs openpyxl "
                                  "(pip install openpyxl)") from None
    # read as bytes: openpyxl refuses a path whose name does not end in .xlsx, and the
    # download cache keeps the mirror's name (oil_prices.csv)
    with io.BytesIO(read_bytes(path)) as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as err:  # openpyxl raises zipfile, KeyError and its own errors
            raise BadInput(f"not a readable .xlsx workbook ({err})", file=path) from None
        try:
            sheet = _price_sheet(book, path)
            title = sheet.title
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    where = f"{path} [sheet '{title}']"
    header, real, base = _header(rows, where)
    frame, dups = _price_rows(rows, header, real, f"$ {base}", where)
    return Parsed(release=f"{title} (constant {base} US$)",
                  indicators=to_long(frame, ["oil_price_real"], [], {}), duplicates=dups)


def _price_sheet(book, path: Path):
    names = [name for name in book.sheetnames if _PRICE_SHEET.search(name)]
    if not names:
        raise BadInput("the workbook has no 'Oil crude prices since 1861' sheet (sheets: "
                       f"{', '.join(book.sheetnames[:8])} ...)", file=path)
    return book[names[0]]


def _header(rows: list[list], where: str) -> tuple[int, int, str]:
    """Index of the header row, index of the real-price column and its base year.

    The header is found by its ``$ <base year>`` cell, not by column A's label, which the
    editions need not keep; the years are in column A below it."""
    labelled = None
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        for column, cell in enumerate(row or []):
            match = _REAL_HEADER.fullmatch(str(cell or "").strip())
            if match:
                return index, column, match.group(1)
        if labelled is None and row and str(row[0] or "").strip().lower() == "year":
            labelled = index
    raise BadInput("no constant-dollar price column ('$ <base year>') in the header",
                   file=where, row=(labelled or 0) + 1, column="$ <base year>")


def _price_rows(rows: list[list], header: int, real: int, name: str,
                where: str) -> tuple[pd.DataFrame, int]:
    """The block of year rows below the header; a text row after it starts the footnotes
    (one before it, such as a units line, is passed over)."""
    years: list[int] = []
    prices: list[float] = []
    lines: list[int] = []
    for index in range(header + 1, len(rows)):
        row = rows[index]
        if not row or all(cell is None or str(cell).strip() == "" for cell in row):
            continue
        year = _year(row[0])
        if year is None and years:
            break
        if year is None:
            continue
        cell = row[real] if real < len(row) else None
        years.append(year)
        prices.append(_price(cell, where, index + 1, name))
        lines.append(index + 1)
    if not years:
        raise BadInput("no year rows below the header", file=where, row=header + 1,
                       column="Year")
    frame = pd.DataFrame({"gwcode": pd.array([pd.NA] * len(years), dtype="Int64"),
                          "year": years, "oil_price_real": prices})
    exact = frame.duplicated(keep="first")
    frame, lines = frame[~exact], [n for n, dup in zip(lines, exact, strict=True) if not dup]
    clash = frame["year"].duplicated(keep="first").to_numpy()
    if clash.any():
        at = int(clash.nonzero()[0][0])
        raise BadInput(f"two rows give different prices for {frame['year'].iloc[at]}",
                       file=where, row=lines[at], column="Year")
    return frame, int(exact.sum())


def _year(cell) -> int | None:
    """A year cell (a number or digits) in 1800-2100, else None."""
    text = str(cell).strip() if cell is not None else ""
    if re.fullmatch(r"\d{4}(\.0+)?", text) and 1800 <= float(text) <= 2100:
        return int(float(text))
    return None


def _price(cell, where: str, row: int, name: str) -> float:
    if cell is None or (isinstance(cell, str) and cell.strip().lower() in _MISSING):
        return float("nan")
    try:
        value = float(cell)
    except (TypeError, ValueError):
        raise BadInput(f"'{cell}' is not a number", file=where, row=row, column=name) from None
    rule = RANGES["oil_price_real"]
    if not math.isfinite(value):
        raise BadInput(f"'{cell}' is not a finite number", file=where, row=row, column=name)
    if rule.refuses_value(value):
        raise BadInput(f"{value:g} is out of range: oil_price_real must be {rule.describe()}",
                       file=where, row=row, column=name)
    return value


CONNECTOR = Oil()
