"""The values a variable may take, declared as data next to each connector's columns.

Every number read must be finite; a ``Range`` narrows that further. ``Table.number`` applies
them, so a value out of range is refused with its file, row and column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Range:
    lo: float = -math.inf
    hi: float = math.inf
    above: bool = False  # ``lo`` itself is refused (population > 0)
    values: tuple[float, ...] = ()  # only these (0/1 flags, codes)

    def refuses(self, values: pd.Series) -> pd.Series:
        """True where a present value is outside the range (missing values are not)."""
        present = values.notna()
        if self.values:
            return present & ~values.isin(self.values)
        low = values <= self.lo if self.above else values < self.lo
        return present & (low | (values > self.hi))

    def refuses_value(self, value: float) -> bool:
        return bool(self.refuses(pd.Series([value], dtype="float64")).iloc[0])

    def describe(self) -> str:
        if self.values:
            codes = [f"{v:g}" for v in self.values]
            return " or ".join([", ".join(codes[:-1]), codes[-1]] if len(codes) > 1 else codes)
        if math.isfinite(self.lo) and math.isfinite(self.hi):
            return f"between {self.lo:g} and {self.hi:g}"
        if math.isfinite(self.lo):
            return f"{'>' if self.above else '>='} {self.lo:g}"
        if math.isfinite(self.hi):
            return f"<= {self.hi:g}"
        return "finite"


FINITE = Range()
POSITIVE = Range(lo=0, above=True)  # population, GDP: a real economy is never empty
NON_NEGATIVE = Range(lo=0)  # counts, prices, ratios that may pass 100 (% of GDP)
SHARE = Range(0, 1)  # population shares, V-Dem indices
PERCENT = Range(0, 100)  # shares of people, in percent
FLAG = Range(values=(0.0, 1.0))
GROWTH = Range(lo=-100, above=True)  # % change: an economy cannot shrink by all of itself
