"""Gleditsch & Ward state system: which states existed in which year, and their age.

Two formats are read, told apart by the first line:

* the researchers' state-year panel ``gwcode, year, state_age`` (the offline mirror);
* the publishers' list of membership spells, one spell per line, tab-separated:
  ``iisystem.dat`` (no header; code, abbreviation, name, start and end as ``dd:mm:yyyy``)
  or its successor ``ksgmdw.txt`` (a header line, dates as ``yyyy-mm-dd``). Names are
  Latin-1 (Württemberg, Côte d'Ivoire). The same layout serves ``microstatessystem.dat``.

How spells become state-years, as the mirror's panel was built (A. Beger's
``gw-state-age`` script over the ``states`` package's copy of these lists): a state exists
in every year that any part of a spell touches, and ``state_age`` is the year minus the
spell's start year plus one, so it is 1 in the year of independence and starts again at 1
after a gap (Estonia: 23 in 1940, 1 in 1991). If two spells of a state touch the same year,
the later one (the state at the end of that year) gives the age.

Surviving states: the list closes every surviving state's last spell on one date (e.g.
31:12:2017), the latest end date in the file. Those spells are extended through the last
complete calendar year, the current year minus one, as the mirror's author did (his
script sets the list's last end date to 31 December of ``year(today) - 1``; the mirror runs
to 2025 although no list goes past 2020). So the rows depend on the date of the run, for
surviving states only; dissolved states end in their end year. With that rule the
publisher's dates reproduce the mirror's rows exactly (tested for the USA, the two
Germanies, Württemberg, Estonia, Serbia and Yugoslavia).

Known gap: the mirror also holds the microstates (Monaco, Liechtenstein, Andorra ...),
which G&W publish in a second list, ``microstatessystem.dat``, not at this source's URL.
This parser reads that list too, but one source file holds one list: a download of
``iisystem.dat`` alone has no microstates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from coupwatch.errors import BadInput
from coupwatch.sources._files import head
from coupwatch.sources._ranges import Range
from coupwatch.sources._read import Table, load_text
from coupwatch.sources.base import (
    Connector,
    Least,
    Parsed,
    SourceFile,
    check_gwcodes,
    gw_panel,
    to_long,
)

SPELL_COLUMNS = ["gwcode", "abbreviation", "name", "start", "end"]
PANEL = {"state_age": Range(lo=1)}  # 1 in the year of independence
V7_HEADER = "statenumber"  # first field of ksgmdw.txt's header line
_DMY = re.compile(r"(\d{1,2}):(\d{1,2}):(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class GleditschWard(Connector):
    name = "gw"
    title = "Gleditsch & Ward list of independent states"
    publisher = "Kristian S. Gleditsch & Michael D. Ward"
    licence = "free; cite Gleditsch & Ward (1999)"
    citation = "Gleditsch & Ward (1999), A revised list of independent states since 1816"
    # 197 states in the mirror's last year (some 20 fewer in iisystem.dat, which leaves the
    # microstates to a list of their own of about 30)
    files = (SourceFile("gw/gwstate_age.csv", "http://ksgleditsch.com/data/iisystem.dat",
                        "state-years of the G&W system with state age",
                        least=Least(states_last_year=150)),
             SourceFile("gw/microstatessystem.dat",
                        "http://ksgleditsch.com/data/microstatessystem.dat",
                        "the microstates (the mirror's panel already holds them)",
                        encoding="latin-1", online_only=True, least=Least(states=10)))

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        if _is_spell_list(path):
            return parse_spells(path)
        return gw_panel(path, path.stem, numeric=PANEL)


def _is_spell_list(path: Path) -> bool:
    """A tab-separated first line that starts with a code, or the v7 list's header."""
    # b"" when unreadable: the panel reader then reports why
    first = head(path, 1 << 16).split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf")
    fields = first.decode("latin-1").strip().split("\t")
    return len(fields) > 1 and (fields[0].isdigit() or fields[0].lower() == V7_HEADER)


@dataclass(frozen=True)
class Spell:
    index: int  # record in the table, for error messages
    gwcode: int
    start: date
    end: date


def parse_spells(path: Path, last_year: int | None = None) -> Parsed:
    """State-years with ``state_age`` from a list of spells.

    ``last_year`` is the year surviving states are extended to; by default the last
    complete calendar year (see the module docstring).
    """
    table = spell_table(path)
    codes = table.number("gwcode", integer=True, required=True)
    check_gwcodes(table, codes)
    starts, ends = _dates(table, "start"), _dates(table, "end")
    exact = table.frame.duplicated(keep="first").to_numpy()
    spells = [Spell(i, int(codes.iloc[i]), starts[i], ends[i])
              for i in range(len(codes)) if not exact[i]]
    if not spells:
        raise BadInput("the list holds no state", file=path)
    _check_spells(table, spells)
    closing = max(spell.end for spell in spells)
    horizon = date.today().year - 1 if last_year is None else last_year
    frame = _state_years(spells, closing, horizon)
    return Parsed(release=f"Gleditsch & Ward list closing {closing.isoformat()}",
                  indicators=to_long(frame, ["state_age"], [], {}),
                  duplicates=int(exact.sum()))


def spell_table(path: Path) -> Table:
    """The list as a table of strings with the file line of each record.

    Split on tabs only (not read as CSV): names hold quotes, as in Cote D'Ivoire. Stray
    Windows-1252/Latin-1 bytes are read as such, since the publisher's names are Latin-1.
    """
    text = load_text(path, lenient=True)
    records: list[list[str]] = []
    numbers: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split("\t")]
        if not records and fields[0].lower() == V7_HEADER:
            continue
        if len(fields) != len(SPELL_COLUMNS):
            column = SPELL_COLUMNS[min(len(fields), len(SPELL_COLUMNS) - 1)]
            raise BadInput(f"expected {len(SPELL_COLUMNS)} tab-separated fields (code, "
                           f"abbreviation, name, start, end), found {len(fields)}",
                           file=path, row=number, column=column)
        records.append(fields)
        numbers.append(number)
    frame = pd.DataFrame(records, columns=SPELL_COLUMNS, dtype=str)
    return Table(path=path, header=list(SPELL_COLUMNS), frame=frame,
                 lines=np.asarray(numbers, dtype=np.int64))


def _dates(table: Table, column: str) -> list[date]:
    return [_date(table, index, column, text) for index, text in enumerate(table.text(column))]


def _date(table: Table, index: int, column: str, text: str) -> date:
    dmy, iso = _DMY.fullmatch(text), _ISO.fullmatch(text)
    try:
        if dmy:
            day, month, year = (int(part) for part in dmy.groups())
        elif iso:
            year, month, day = (int(part) for part in iso.groups())
        else:
            raise ValueError(text)
        value = date(year, month, day)
    except ValueError:
        raise table.fail(index, column, f"'{text}' is not a date (dd:mm:yyyy)") from None
    if not 1800 <= value.year <= 2100:
        raise table.fail(index, column, f"year {value.year} is outside 1800-2100")
    return value


def _check_spells(table: Table, spells: list[Spell]) -> None:
    """Spells end after they start, and the spells of one state do not overlap."""
    last: dict[int, Spell] = {}
    for spell in sorted(spells, key=lambda s: (s.gwcode, s.start)):
        if spell.end < spell.start:
            raise table.fail(spell.index, "end", "the spell ends before it starts")
        before = last.get(spell.gwcode)
        if before is not None and spell.start <= before.end:
            raise table.fail(spell.index, "start", "the spell overlaps an earlier spell of "
                             f"this state (line {int(table.lines[before.index])})")
        last[spell.gwcode] = spell


def _state_years(spells: list[Spell], closing: date, horizon: int) -> pd.DataFrame:
    ages: dict[tuple[int, int], int] = {}
    for spell in sorted(spells, key=lambda s: s.start):  # later spells overwrite
        final = horizon if spell.end == closing else spell.end.year
        for year in range(spell.start.year, final + 1):
            ages[(spell.gwcode, year)] = year - spell.start.year + 1
    rows = sorted((gwcode, year, age) for (gwcode, year), age in ages.items())
    return pd.DataFrame(rows, columns=["gwcode", "year", "state_age"])


CONNECTOR = GleditschWard()
