"""The Cline Center Coup d'État Project: the mirror file parsed and checked by hand, fixtures
built in code, and every kind of bad file refused (one line, exit 2, warehouse unchanged).
Storage beside Powell & Thyne, `events --source cline` and `--compare`: test_cline_events.py."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import (
    MIRROR,
    checksum,
    copy_mirror,
    edit_cell,
    query,
    read_rows,
    side_by_side,
    status_text,
    write_rows,
)

from coupwatch.errors import BadInput
from coupwatch.sources import CONNECTORS
from coupwatch.sources.base import EVENT_COLUMNS
from coupwatch.sources.cline import FLAGS

CLINE = "cline/Coup_Data_v2.1.2.csv"
CONNECTOR = CONNECTORS["cline"]
FILE = CONNECTOR.files[0]


@pytest.fixture(scope="module")
def parsed():
    return CONNECTOR.parse(FILE, MIRROR / CLINE)


def raw_rows() -> list[dict[str, str]]:
    """The mirror file read independently of the connector (csv module, no checks)."""
    with (MIRROR / CLINE).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- the mirror file ---------------------------------------------------------------------

def test_counts_match_an_independent_read(parsed):
    rows = raw_rows()
    events = parsed.events
    assert len(events) == len(rows) == 981  # MANIFEST.md: 981 events 1945-2022
    assert parsed.release == "v2.1.2" and set(events["release"]) == {"v2.1.2"}
    assert parsed.years() == (1945, 2022)
    expected = pd.Series([r["event_type"] for r in rows]).value_counts().to_dict()
    assert events["kind"].value_counts().to_dict() == expected
    assert expected == {"coup": 441, "attempted": 349, "conspiracy": 191}
    assert parsed.duplicates == 0
    assert parsed.unmapped == []  # every COW code-year names a G&W state
    assert events["gwcode"].notna().all()
    assert list(events.columns) == EVENT_COLUMNS
    # actors: exactly the flags that are 1, sorted
    for row, actors in zip(rows, events["actors"], strict=True):
        assert actors == ",".join(sorted(f for f in FLAGS if row[f] == "1"))
    assert events["actors"].str.split(",").map(lambda a: "auto" in a).sum() == sum(
        r["auto"] == "1" for r in rows)


def test_hand_checked_rows(parsed):
    events = parsed.events.set_index("line")
    mali_2012 = events.loc[580]  # "43203222012",432,"Mali",2012,3,22,"coup"
    assert (mali_2012["gwcode"], mali_2012["year"], mali_2012["month"], mali_2012["day"],
            mali_2012["kind"]) == (432, 2012, 3, 22, "coup")
    assert mali_2012["actors"] == "military,noharm,realized"
    mali_2020 = events.loc[582]
    assert (mali_2020["year"], mali_2020["month"], mali_2020["day"]) == (2020, 8, 18)
    assert mali_2020["actors"] == "jailed,military,noharm,realized"
    plot = events.loc[584]  # Mali, 11 May 2022: a plot with foreign backing
    assert (plot["kind"], plot["year"], plot["month"], plot["day"]) == ("conspiracy", 2022, 5,
                                                                       11)
    assert plot["actors"] == "conspiracy,foreign,military,noharm,unrealized"
    first = events.loc[2]  # the quoted coup_id and country are unquoted
    assert (first["country"], first["cowcode"], first["gwcode"]) == ("Afghanistan", 700, 700)
    assert "auto" in first["actors"].split(",")


def test_publisher_codes_are_mapped_explicitly(parsed):
    events = parsed.events
    # Russia 1993 is coded 393 (no COW code): read as COW 365, the file's own USSR code
    russia = events[events["cowcode"] == 393]
    assert len(russia) == 2 and set(russia["gwcode"]) == {365}
    assert set(russia["year"]) == {1993}
    # two events on one day stay two events (their coup_ids differ)
    same_day = events.groupby(["gwcode", "year", "month", "day"]).size()
    assert same_day.max() == 2
    assert set(same_day[same_day == 2].index.get_level_values(0)) == {530, 705}


def test_stored_beside_powell_thyne(warehouse_path):
    kinds = query(warehouse_path, """SELECT source, kind, count(*) AS n,
                                      count(actors) AS with_actors
                                      FROM events GROUP BY source, kind ORDER BY source, kind""")
    cline = kinds[kinds["source"] == "cline"].set_index("kind")
    assert cline["n"].to_dict() == {"attempted": 349, "conspiracy": 191, "coup": 441}
    assert (cline["with_actors"] == cline["n"]).all()
    pt = kinds[kinds["source"] == "powell_thyne"]
    assert set(pt["kind"]) == {"failed", "successful"} and (pt["with_actors"] == 0).all()
    prov = query(warehouse_path, "SELECT release, rows FROM provenance WHERE source = 'cline'")
    assert prov.to_dict("records") == [{"release": "v2.1.2", "rows": 981}]
    assert "cline" in status_text(warehouse_path.parent)


# --- fixtures built in code --------------------------------------------------------------

HEADER = ["coup_id", "cowcode", "country", "year", "month", "day", "event_type", *FLAGS]


def row(coup_id: str, cowcode: int, country: str, date: str, kind: str, *set_: str) -> list:
    year, month, day = date.split("-")
    outcome = {"coup": {"realized"}, "attempted": {"unrealized", "attempt"},
               "conspiracy": {"unrealized", "conspiracy"}}[kind]
    flags = ["1" if f in outcome | set(set_) else "0" for f in FLAGS]
    return [coup_id, str(cowcode), country, year, month, day, kind, *flags]


def write_fixture(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([HEADER, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_fixture_parses_and_names_the_release_from_the_file(tmp_path):
    path = write_fixture(tmp_path / "cline" / "Coup_Data_v2.1.2.csv", [
        row("1", 255, "Germany", "1991-02-03", "conspiracy", "military"),
        row("2", 679, "Yemen", "1995-04-30", "attempted", "palace", "auto"),
        row("3", 432, "Mali", "2012-02-29", "coup"),
    ])
    result = CONNECTOR.parse(FILE, path)
    assert result.release == "v2.1.2"
    events = result.events
    assert events["gwcode"].tolist() == [260, 678, 432]  # dated COW -> G&W rules
    assert events["actors"].tolist() == ["conspiracy,military,unrealized",
                                         "attempt,auto,palace,unrealized", "realized"]
    assert events["line"].tolist() == [2, 3, 4]
    nameless = type(FILE)("cline/coups.csv", FILE.url)
    with pytest.raises(BadInput, match="no release version in the file name"):
        CONNECTOR.parse(nameless, path)


def test_fixture_unmapped_code_year_is_reported(tmp_path):
    # COW 255 (Germany) names no G&W state between 1946 and 1989: reported, not dropped
    path = write_fixture(tmp_path / "c.csv", [row("1", 255, "Germany", "1960-05-01", "coup")])
    result = CONNECTOR.parse(FILE, path)
    assert result.events["gwcode"].isna().tolist() == [True]
    assert result.unmapped == [{"code": "COW 255", "name": "Germany", "year_min": 1960,
                                "year_max": 1960, "rows": 1, "reason": "no G&W state"}]


def test_fixture_exact_duplicates_counted_and_clashes_refused(tmp_path):
    mali = row("43203222012", 432, "Mali", "2012-03-22", "coup", "military")
    path = write_fixture(tmp_path / "c.csv", [mali, mali])
    result = CONNECTOR.parse(FILE, path)
    assert (len(result.events), result.duplicates) == (1, 1)
    other = row("43203222012", 432, "Mali", "2012-03-23", "coup", "military")
    write_fixture(path, [mali, other])
    with pytest.raises(BadInput, match="different values") as err:
        CONNECTOR.parse(FILE, path)
    assert str(err.value).startswith(f"{path}, row 3, column 'coup_id': ")


# --- bad input: one line naming file, row and column; exit 2; the warehouse as it was ------

def truncate_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def half_line() -> int:
    data = (MIRROR / CLINE).read_bytes()
    return data[:len(data) // 2].count(b"\n") + 1


def drop_column(name: str):
    def change(path: Path) -> None:
        rows = read_rows(path)
        col = rows[0].index(name)
        write_rows(path, [r[:col] + r[col + 1:] for r in rows])
    return change


def other_day_same_id(path: Path) -> None:
    rows = read_rows(path)
    rows.insert(580, [*rows[579][:5], "23", *rows[579][6:]])  # Mali 2012 again, next day
    write_rows(path, rows)


# (id, how to break the file, row, column, words in the message)
CASES = [
    ("unknown-event-type", lambda p: edit_cell(p, 580, "event_type", "putsch"), 580,
     "event_type", "unknown event type 'putsch'"),
    ("month-13", lambda p: edit_cell(p, 200, "month", "13"), 200, "month", "above 12"),
    ("day-31-april", lambda p: (edit_cell(p, 300, "month", "4"), edit_cell(p, 300, "day", "31")),
     300, "day", "has no day 31"),
    ("cow-code-naming-no-state", lambda p: edit_cell(p, 42, "cowcode", "1234"), 42, "cowcode",
     "unknown COW country code 1234"),
    ("missing-column", drop_column("palace"), 1, "palace", "required column is missing"),
    ("flag-2", lambda p: edit_cell(p, 77, "military", "2"), 77, "military", "'2' is not 0 or 1"),
    ("flag-empty", lambda p: edit_cell(p, 78, "auto", ""), 78, "auto", "'' is not 0 or 1"),
    ("flag-yes", lambda p: edit_cell(p, 79, "exile", "yes"), 79, "exile", "not 0 or 1"),
    ("outcome-contradicts-type", lambda p: edit_cell(p, 580, "realized", "0"), 580, "realized",
     "event_type 'coup' but realized=0"),
    ("393-is-not-russia-elsewhere", lambda p: edit_cell(p, 2, "cowcode", "393"), 2, "cowcode",
     "unknown COW country code 393"),
    ("same-id-other-values", other_day_same_id, 581, "coup_id", "different values"),
    # cut inside the line: the message names the field the cut falls in
    ("half-a-file", truncate_half, half_line(), "year", "truncated"),
]


@pytest.fixture(scope="module")
def baseline(warehouse_path: Path) -> tuple[dict, str]:
    return checksum(warehouse_path), status_text(warehouse_path.parent)


@pytest.fixture(scope="module")
def refused(tmp_path_factory, warehouse_path: Path) -> dict:
    """Every broken file through `coupwatch data update --mirror M --source cline`."""
    jobs, mirrors = {}, {}
    for key, breaker, *_ in CASES:
        base = tmp_path_factory.mktemp(key)
        mirrors[key] = base / "mirror"
        copy_mirror(mirrors[key] / "cline", MIRROR / "cline")
        breaker(mirrors[key] / CLINE)
        home = base / "home"
        home.mkdir()
        shutil.copyfile(warehouse_path, home / "warehouse.duckdb")
        jobs[key] = (home, ["data", "update", "--mirror", mirrors[key], "--source", "cline"])
    results = side_by_side(jobs)
    return {key: (mirrors[key], jobs[key][0], results[key]) for key in jobs}


@pytest.mark.parametrize(("key", "row", "column", "words"), [(c[0], *c[2:]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_file_is_refused(refused, baseline, key, row, column, words):
    mirror, home, result = refused[key]
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    where = f"error: {mirror / CLINE}, row {row}"
    if column is not None:
        where += f", column '{column}'"
    assert lines[0].startswith(where + ": "), lines[0]
    assert words.lower() in lines[0].lower(), lines[0]
    assert checksum(home / "warehouse.duckdb") == baseline[0]
    assert status_text(home) == baseline[1]


def test_a_cut_anywhere_inside_a_line_is_refused(tmp_path):
    """Cut the file at every byte of one line: refused unless the line is whole."""
    data = (MIRROR / CLINE).read_bytes()
    start = data.index(b"\n", len(data) // 3) + 1  # the start of a line near a third
    end = data.index(b"\r\n", start)  # its content, without the line break
    line = data[:start].count(b"\n") + 1
    path = tmp_path / "cut.csv"
    for stop in range(start + 1, end):
        path.write_bytes(data[:stop])
        with pytest.raises(BadInput, match="truncated") as err:
            CONNECTOR.parse(FILE, path)
        assert str(err.value).startswith(f"{path}, row {line}"), (stop, str(err.value))
    # A file without its final line break is refused too; a cut just after a line break
    # leaves a shorter, well-formed file: nothing in the format (no row count, no checksum)
    # tells it from a real release, so only the floor of events refuses a short one.
    path.write_bytes(data[:end])
    with pytest.raises(BadInput, match="truncated"):
        CONNECTOR.parse(FILE, path)
    path.write_bytes(data[:end + 2])
    assert len(CONNECTOR.parse(FILE, path).events) == line - 1


def test_online_the_file_is_fetched_by_hand(tmp_path, monkeypatch):
    """The publisher gives no stable link to the CSV: online, an update reads it from the
    download cache where the user saved it, and skips the source (saying where to get it
    and where to put it) while it is not there; nothing is fetched."""
    from coupwatch import config
    from coupwatch.warehouse import ingest

    monkeypatch.setenv("COUPWATCH_HOME", str(tmp_path / "home"))
    config.reload()
    skipped = ingest.load(CONNECTOR)
    assert skipped.skipped and not skipped.files
    assert CONNECTOR.files[0].page in skipped.why and "cline/Coup_Data" in skipped.why
    cached = config.cache_dir() / FILE.path
    cached.parent.mkdir(parents=True)
    shutil.copyfile(MIRROR / CLINE, cached)
    loaded = ingest.load(CONNECTOR)
    assert not loaded.skipped and len(loaded.files[0][4].events) == 981
