"""Annual real oil price (one global series, stored with no country)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coupwatch.sources._read import duplicates, read_table
from coupwatch.sources.base import Connector, Parsed, SourceFile, to_long


class Oil(Connector):
    name = "oil"
    title = "Real Brent crude oil price, annual"
    publisher = "Energy Institute Statistical Review / EIA"
    licence = "free with attribution"
    citation = "Energy Institute, Statistical Review of World Energy"
    files = (SourceFile("oil/oil_prices.csv", "https://www.energyinst.org/__data/assets/file/"
                        "0003/1055550/EI-Stats-Review-ALL-data.csv", "annual real oil price"),)

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        table = read_table(path, expect=["year"])
        table.require(["year", "oil_price_real"])
        frame = pd.DataFrame({
            "gwcode": pd.array([pd.NA] * len(table.frame), dtype="Int64"),
            "year": table.number("year", integer=True, required=True, lo=1850, hi=2100),
            "oil_price_real": table.number("oil_price_real", lo=0),
        })
        frame, dups = duplicates(frame, ["year"], table)
        return Parsed(release=path.stem, indicators=to_long(frame, ["oil_price_real"], [], {}),
                      duplicates=dups)


CONNECTOR = Oil()
