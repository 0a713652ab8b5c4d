"""Month arithmetic for the country-month panel: a month is an integer index
(``year * 12 + month - 1``), and per-state series are dense arrays ``[state, month]``."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd


def index(year, month):
    """Month index of (year, month): scalars, arrays or Series alike."""
    return year * 12 + month - 1


def label(mi: int) -> str:
    return f"{mi // 12}-{mi % 12 + 1:02d}"


def of_dates(dates: pd.Series) -> np.ndarray:
    """Month index of each date (NaT -> -1)."""
    valid = dates.notna().to_numpy()
    out = np.full(len(dates), -1, dtype=np.int64)
    out[valid] = index(dates[valid].dt.year.to_numpy(), dates[valid].dt.month.to_numpy())
    return out


def covered_through(date: pd.Timestamp) -> int:
    """The last month a release dated ``date`` covers: its own month when dated within the
    month's last three days (Powell & Thyne's 29 November 2022), else the month before."""
    days = date.days_in_month
    own = index(date.year, date.month)
    return own if date.day >= days - 2 else own - 1


def release_month(release: str) -> int | None:
    """Month before the release month for lists named ``_<month>_<yy>`` (REIGN's
    ``leaderlist_3_21``: released March 2021, complete through February 2021)."""
    match = re.search(r"_(\d{1,2})_(\d{2})$", release or "")
    if not match:
        return None
    return index(2000 + int(match.group(2)), int(match.group(1))) - 1


class Grid:
    """Dense [state, month] arrays over ``months`` (inclusive range) for ``codes``."""

    def __init__(self, codes: np.ndarray, first: int, last: int) -> None:
        self.codes = np.asarray(codes)
        self.first, self.last = first, last
        self.position = {int(c): i for i, c in enumerate(self.codes)}

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.codes), self.last - self.first + 1

    def counts(self, gwcodes, months) -> np.ndarray:
        """How many records fall in each state-month (records outside the grid ignored)."""
        out = np.zeros(self.shape)
        rows = np.array([self.position.get(int(c), -1) for c in gwcodes], dtype=np.int64)
        cols = np.asarray(months, dtype=np.int64) - self.first
        keep = (rows >= 0) & (cols >= 0) & (cols < self.shape[1])
        np.add.at(out, (rows[keep], cols[keep]), 1.0)
        return out

    def where(self, gwcodes, months) -> tuple[np.ndarray, np.ndarray]:
        """Array positions of panel rows (gwcode, month index), for ``take``."""
        lookup = pd.Series(np.arange(len(self.codes)), index=self.codes)
        rows = lookup.reindex(np.asarray(gwcodes)).to_numpy()
        return rows.astype(np.int64), np.asarray(months, dtype=np.int64) - self.first

    @staticmethod
    def take(matrix: np.ndarray, where: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Values of ``matrix`` at the panel rows located by ``where``."""
        return matrix[where]


def window(matrix: np.ndarray, width: int) -> np.ndarray:
    """Sum over the last ``width`` months, this month included: (m - width, m]."""
    total = np.cumsum(matrix, axis=1)
    out = total.copy()
    out[:, width:] -= total[:, :-width]
    return out


def since(matrix: np.ndarray) -> np.ndarray:
    """Months since the last month with a record, this month counting 0 (NaN: none yet)."""
    columns = np.arange(matrix.shape[1])
    last = np.where(matrix > 0, columns, -1)
    last = np.maximum.accumulate(last, axis=1)
    return np.where(last >= 0, columns - last, np.nan).astype("float64")
