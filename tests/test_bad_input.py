"""Bad input through the real CLI: one line naming file, row and column; exit code 2; and
the warehouse exactly as it was (table checksums and `data status` output)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import (
    MIRROR,
    checksum,
    copy_mirror,
    edit_cell,
    read_rows,
    run_cli,
    side_by_side,
    status_text,
    write_rows,
)

from coupwatch import operations
from coupwatch.errors import BadInput

PT_2015 = "powell-thyne/powell_thyne_coups_final_2015.txt"
PT_2022 = "powell-thyne/powell_thyne_coups_v2022-11-29.csv"
VDEM = "vdem/vdem_spaces_1968_2023.csv"
GW = "gw/gwstate_age.csv"
EPR = "epr/epr_gw.csv"
UCDP = "ucdp/acd_gw.csv"
OIL = "oil/oil_prices.csv"
WDI_POP = "wdi/API_SP.POP.TOTL_DS2_en_csv_v2.csv"
WDI_MIL = "wdi/API_MS.MIL.XPND.GD.ZS_DS2_en_csv_v2.csv"
WDI_GDP = "wdi/API_NY.GDP.MKTP.CD_DS2_en_csv_v2.csv"
POP_GW = "wdi/population_gw_1816_2025.csv"
GDP_GW = "wdi/gdp_gw_1950_2024.csv"
ICT = "wdi/ict_gw.csv"
REIGN_CY = "reign/reign_country_year_1950_2019.csv"
REGIMES = "reign/regime_list.csv"
HTML = b"""<!DOCTYPE html>
<html><head><title>302 Found</title></head>
<body><h1>Found</h1><p>The document has moved <a href="/login">here</a>.</p></body></html>
"""


def edit_line(path: Path, line: int, change: Callable[[bytes], bytes]) -> None:
    """Change one physical line (1-based) of a file, byte for byte."""
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = change(lines[line - 1])
    path.write_bytes(b"\n".join(lines))


def set_field(line: int, index: int, value: bytes, sep: bytes) -> Callable[[Path], None]:
    def change(raw: bytes) -> bytes:
        fields = raw.split(sep)
        fields[index] = value
        return sep.join(fields)
    return lambda path: edit_line(path, line, change)


def drop_column(name: str) -> Callable[[Path], None]:
    def change(path: Path) -> None:
        rows = read_rows(path)
        col = rows[0].index(name)
        write_rows(path, [r[:col] + r[col + 1:] for r in rows])
    return change


def truncate_mid_row(line: int, keep: int) -> Callable[[Path], None]:
    """Cut the file ``keep`` bytes into ``line``, as an interrupted transfer would."""
    def change(path: Path) -> None:
        data = path.read_bytes()
        offset = 0
        for _ in range(line - 1):
            offset = data.index(b"\n", offset) + 1
        path.write_bytes(data[:offset + keep])
    return change


def cut_after(line: int, marker: bytes) -> Callable[[Path], None]:
    """Cut the file just after ``marker`` in ``line`` (1-based), no newline after it."""
    def change(path: Path) -> None:
        data = path.read_bytes()
        offset = 0
        for _ in range(line - 1):
            offset = data.index(b"\n", offset) + 1
        path.write_bytes(data[:data.index(marker, offset) + len(marker)])
    return change


def keep_lines(count: int) -> Callable[[Path], None]:
    """Keep the first ``count`` lines, each with its newline: cut at a line end."""
    def change(path: Path) -> None:
        lines = path.read_bytes().split(b"\n")
        path.write_bytes(b"\n".join(lines[:count]) + b"\n")
    return change


def same_day_other_kind(path: Path) -> None:
    """Cuba, 10 March 1952 (line 2, successful) coded again as failed, at the end."""
    rows = read_rows(path)
    again = list(rows[1])
    again[rows[0].index("coup")] = "1"
    write_rows(path, [*rows, again])


def duplicate_key_with_other_value(path: Path) -> None:
    lines = path.read_bytes().split(b"\n")
    lines.insert(2, lines[1].rsplit(b",", 1)[0] + b",999")  # 2,1816 again, other state_age
    path.write_bytes(b"\n".join(lines))


# (id, file, source, how to break it, row, column, words in the message)
CASES = [
    ("missing-file", VDEM, "vdem", lambda p: p.unlink(), None, None, "not found"),
    ("empty-file", OIL, "oil", lambda p: p.write_bytes(b""), None, None, "empty"),
    ("wrong-delimiter", GW, "gw", lambda p: p.write_bytes(p.read_bytes().replace(b",", b";")),
     1, None, "delimiter"),
    ("missing-column", EPR, "epr", drop_column("epr_elf"), 1, "epr_elf", "missing"),
    ("renamed-column", VDEM, "vdem",
     lambda p: edit_line(p, 1, lambda b: b.replace(b"v2xcl_rol", b"v2xcl_rule")),
     1, "v2xcl_rol", "missing"),
    ("non-numeric-year", UCDP, "ucdp", lambda p: edit_cell(p, 500, "year", "19x1"),
     500, "year", "not a number"),
    ("month-13-2022-csv", PT_2022, "powell_thyne", lambda p: edit_cell(p, 200, "month", "13"),
     200, "month", "above 12"),
    ("truncated-mid-row", EPR, "epr", truncate_mid_row(6000, 12), 6000, "epr_elf",
     "truncated"),
    ("non-utf8-bytes", VDEM, "vdem", set_field(300, 2, b"Jama\xefca", b","), 300, None,
     "0xef"),
    ("unknown-gwcode", UCDP, "ucdp", lambda p: edit_cell(p, 42, "gwcode", "9999"),
     42, "gwcode", "9999"),
    ("unknown-iso3", WDI_POP, "wdi", set_field(10, 1, b'"ZZZ"', b","), 10, "Country Code",
     "ZZZ"),
    ("unknown-cow-code", PT_2015, "powell_thyne", set_field(50, 1, b"1234", b"\t"),
     50, "ccode", "1234"),
    ("wdi-preamble-changed", WDI_MIL, "wdi",
     lambda p: edit_line(p, 1, lambda b: b.replace(b'"Data Source"', b'"Source"')),
     1, "1", "preamble"),
    ("html-page-as-csv", PT_2022, "powell_thyne", lambda p: p.write_bytes(HTML), 1, None,
     "HTML"),
    ("pt-2022-cut-at-half-its-bytes", PT_2022, "powell_thyne",
     lambda p: p.write_bytes(p.read_bytes()[:p.stat().st_size // 2]), 247, "ccode_gw",
     "truncated"),
    ("infinite-population", POP_GW, "wdi", lambda p: edit_cell(p, 4, "pop", "inf"), 4, "pop",
     "not a finite number"),
]

# More of the same, checked in process (BadInput renders the same line the CLI prints).
MORE_CASES = [
    ("month-13-2015-tab", PT_2015, "powell_thyne", set_field(50, 3, b"13", b"\t"),
     50, "month", "above 12"),
    ("day-30-february", PT_2022, "powell_thyne", lambda p: (
        edit_cell(p, 200, "month", "2"), edit_cell(p, 200, "day", "30")), 200, "day",
     "no day 30"),
    ("wdi-preamble-no-date", WDI_MIL, "wdi",
     lambda p: edit_line(p, 3, lambda b: b.replace(b'"2018-02-22"', b'"yesterday"')),
     3, "2", "not a date"),
    ("wdi-wrong-indicator", WDI_POP, "wdi", set_field(8, 3, b"SP.POP.GROW", b'","'),
     8, "Indicator Code", "SP.POP.GROW"),
    ("same-key-other-value", GW, "gw", duplicate_key_with_other_value, 3, "gwcode",
     "different values"),
    ("ragged-row", OIL, "oil", lambda p: edit_line(p, 5, lambda b: b + b",1"), 5, None,
     "expected 2 fields"),
    ("regime-bad-date", "reign/regime_list.csv", "reign", lambda p: edit_cell(
        p, 4, "gwf_enddate", "13/45/2000"), 4, "gwf_enddate", "not a date"),
    ("leader-leaves-before-start", "reign/leaderlist_3_21.csv", "reign", lambda p: edit_line(
        p, 2, lambda b: b.replace(b",1,1953,", b",1,1940,")), 2, "eyear", "before"),
    ("leader-start-31-april", "reign/leaderlist_3_21.csv", "reign", lambda p: edit_cell(
        p, 2, "sdate", "31"), 2, "sdate", "1945-04 has no day 31"),
    ("unknown-election-event", "reign/electionlist_3_21.csv", "reign", lambda p: edit_cell(
        p, 2, "event", "Postponed"), 2, "event", "unknown election event 'Postponed'"),
    ("negative-oil-price", OIL, "oil", lambda p: edit_cell(p, 3, "oil_price_real", "-1"),
     3, "oil_price_real", "must be >= 0"),
    # truncated: a last line that does not end with a newline, as every publisher file does
    ("oil-cut-mid-number", OIL, "oil", truncate_mid_row(37, 6), 37, "oil_price_real",
     "truncated"),
    ("regime-cut-in-last-field", REGIMES, "reign", cut_after(10, b",provi"), 10,
     "gwf_regimetype", "truncated"),
    ("pt-2015-cut-mid-row", PT_2015, "powell_thyne", truncate_mid_row(300, 16), 300, "year",
     "truncated"),
    ("wdi-bulk-cut", WDI_GDP, "wdi", truncate_mid_row(100, 200), 100, "1967", "truncated"),
    ("gw-panel-cut", GW, "gw", truncate_mid_row(9000, 4), 9000, "year", "truncated"),
    # an empty table, and less than the least a complete release holds
    ("gw-header-only", GW, "gw", keep_lines(1), 1, None, "no data rows"),
    ("oil-header-only", OIL, "oil", keep_lines(1), 1, None, "no data rows"),
    ("wdi-bulk-preamble-and-header-only", WDI_POP, "wdi", keep_lines(5), 5, None,
     "no data rows"),
    ("pt-cut-at-a-line-end", PT_2022, "powell_thyne", keep_lines(246), None, None,
     "245 events; a complete release has at least 400"),
    ("gw-half-the-states", GW, "gw", keep_lines(10425), None, None,
     "a complete release has at least 150"),
    ("vdem-few-countries", VDEM, "vdem", keep_lines(3000), None, None,
     "a complete release has at least 140"),
    ("oil-few-years", OIL, "oil", keep_lines(30), None, None,
     "29 years; a complete release has at least 50"),
    ("epr-few-countries", EPR, "epr", keep_lines(5000), None, None, "at least 140"),
    # values out of range
    ("negative-population", POP_GW, "wdi", lambda p: edit_cell(p, 2, "pop", "-5"), 2, "pop",
     "must be > 0"),
    ("zero-population", POP_GW, "wdi", lambda p: edit_cell(p, 3, "pop", "0"), 3, "pop",
     "must be > 0"),
    ("overflowing-population", POP_GW, "wdi", lambda p: edit_cell(p, 5, "pop", "1e999"), 5,
     "pop", "not a finite number"),
    ("negative-wdi-bulk-population", WDI_POP, "wdi", set_field(10, 6, b'"-5"', b","), 10,
     "1961", "must be > 0"),
    # % of GDP is no share of a whole: Kuwait spent 117 % of its GDP on its military in 1991
    ("negative-military-spending", WDI_MIL, "wdi", set_field(30, 45, b'"-1"', b","),
     30, "2001", "must be >= 0"),
    ("vdem-index-above-1", VDEM, "vdem", lambda p: edit_cell(p, 10, "v2xcl_rol", "1.5"), 10,
     "v2xcl_rol", "between 0 and 1"),
    ("vdem-index-minus-infinity", VDEM, "vdem", lambda p: edit_cell(p, 11, "v2x_pubcorr",
                                                                      "-inf"), 11, "v2x_pubcorr",
     "not a finite number"),
    ("ucdp-flag-2", UCDP, "ucdp", lambda p: edit_cell(p, 20, "war", "2"), 20, "war",
     "0 or 1"),
    ("epr-share-above-1", EPR, "epr", lambda p: edit_cell(p, 2, "epr_excluded_group_pop",
                                                          "1.5"), 2, "epr_excluded_group_pop",
     "between 0 and 1"),
    ("epr-negative-count", EPR, "epr", lambda p: edit_cell(p, 3, "epr_groups", "-1"), 3,
     "epr_groups", "must be >= 0"),
    ("internet-users-over-100-percent", ICT, "wdi", lambda p: edit_cell(
        p, 2, "IT.NET.USER.ZS", "150"), 2, "IT.NET.USER.ZS", "between 0 and 100"),
    ("reign-flag-2", REIGN_CY, "reign", lambda p: edit_cell(p, 2, "elected", "2"), 2,
     "elected", "0 or 1"),
    ("negative-gdp", GDP_GW, "wdi", lambda p: edit_cell(p, 2, "NY.GDP.PCAP.KD", "-3"), 2,
     "NY.GDP.PCAP.KD", "must be > 0"),
    ("state-age-0", GW, "gw", lambda p: edit_cell(p, 2, "state_age", "0"), 2, "state_age",
     "must be >= 1"),
    ("pt-failed-and-successful-same-day", PT_2022, "powell_thyne", same_day_other_kind, 490,
     "coup", "both failed and successful"),
]


@pytest.fixture(scope="module")
def baseline(warehouse_path: Path) -> tuple[dict, str]:
    return checksum(warehouse_path), status_text(warehouse_path.parent)


def private_home(base: Path, warehouse_path: Path) -> Path:
    home = base / "home"
    home.mkdir()
    shutil.copyfile(warehouse_path, home / "warehouse.duckdb")
    return home


@pytest.fixture(scope="module")
def refused(tmp_path_factory, warehouse_path: Path) -> dict[str, tuple[Path, Path, object]]:
    """Every broken mirror of CASES through `coupwatch data update --mirror ... --source ...`."""
    jobs, mirrors = {}, {}
    for key, file, source, breaker, *_ in CASES:
        base = tmp_path_factory.mktemp(key)
        mirrors[key] = copy_mirror(base / "mirror")
        breaker(mirrors[key] / file)
        jobs[key] = (private_home(base, warehouse_path),
                     ["data", "update", "--mirror", mirrors[key], "--source", source])
    results = side_by_side(jobs)
    return {key: (mirrors[key], jobs[key][0], results[key]) for key in jobs}


def assert_refused(result, path: Path, row: int | None, column: str | None, words: str):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    where = f"error: {path}"
    if row is not None:
        where += f", row {row}"
    if column is not None:
        where += f", column '{column}'"
    assert lines[0].startswith(where + ": "), lines[0]
    assert words.lower() in lines[0].lower(), lines[0]


@pytest.mark.parametrize(("key", "file", "row", "column", "words"),
                         [(c[0], c[1], *c[4:]) for c in CASES], ids=[c[0] for c in CASES])
def test_bad_file_is_refused(refused, baseline, key, file, row, column, words):
    mirror, home, result = refused[key]
    assert_refused(result, mirror / file, row, column, words)
    assert checksum(home / "warehouse.duckdb") == baseline[0]
    assert status_text(home) == baseline[1]


@pytest.mark.parametrize(("file", "source", "breaker", "row", "column", "words"),
                         [c[1:] for c in MORE_CASES], ids=[c[0] for c in MORE_CASES])
def test_more_bad_files(tmp_path, home, baseline, file, source, breaker, row, column, words):
    mirror = copy_mirror(tmp_path / "mirror")
    breaker(mirror / file)
    with pytest.raises(BadInput) as err:
        operations.update_data([source], mirror=mirror, path=home / "warehouse.duckdb")
    line = f"error: {err.value}"
    assert_refused(subprocess.CompletedProcess([], 2, "", line + "\n"), mirror / file, row,
                   column, words)
    assert checksum(home / "warehouse.duckdb") == baseline[0]


@pytest.mark.parametrize("kind", ["symlink-to-dev-zero", "directory", "fifo", "sparse-300-MB"])
def test_only_regular_files_of_bounded_size_are_read(tmp_path, home, baseline, kind):
    """/dev/zero once hung `data update` for 10 minutes at full CPU, holding the write lock."""
    mirror = copy_mirror(tmp_path / "mirror")
    path = mirror / GW
    path.unlink()
    if kind == "symlink-to-dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
        (path / "inside.csv").write_text("gwcode,year,state_age\n")
    elif kind == "fifo":
        os.mkfifo(path)
    else:  # a sparse file: no disk used, but 300 MB to read
        path.write_bytes((MIRROR / GW).read_bytes())
        os.truncate(path, 300 * 2**20)
    start = time.monotonic()
    result = run_cli("data", "update", "--mirror", mirror, "--source", "gw", home=home,
                     timeout=120)
    assert time.monotonic() - start < 60
    words = "at most" if kind.startswith("sparse") else "not a regular file"
    assert_refused(result, path, None, None, words)
    assert checksum(home / "warehouse.duckdb") == baseline[0]


def test_one_bad_file_anywhere_leaves_every_source_as_it_was(tmp_path, home, baseline):
    """No --source: sources read before the bad file had valid changes; none is stored."""
    mirror = copy_mirror(tmp_path / "mirror")
    edit_cell(mirror / UCDP, 2, "war", "1")
    edit_cell(mirror / GW, 2, "state_age", "2")
    with (mirror / PT_2022).open("a") as handle:
        handle.write("Mali,432,NA,NA,2022,6,1,1,V2022.11.29\n")
    with (mirror / OIL).open("ab") as handle:  # oil is read last
        handle.write(b"2021,12,5\n")
    result = run_cli("data", "update", "--mirror", mirror, home=home)
    assert_refused(result, mirror / OIL, 72, None, "expected 2 fields, found 3")
    assert checksum(home / "warehouse.duckdb") == baseline[0]
    assert status_text(home) == baseline[1]


def test_exact_duplicate_rows_are_counted_once_and_reported(tmp_path, home):
    mirror = copy_mirror(tmp_path / "mirror")
    for name, line in ((OIL, 10), (PT_2022, 100), (UCDP, 77), (WDI_MIL, 30)):
        lines = (mirror / name).read_bytes().split(b"\n")
        lines.insert(line, lines[line - 1])  # the same row twice, one after the other
        (mirror / name).write_bytes(b"\n".join(lines))
    result = run_cli("data", "update", "--mirror", mirror, "--source", "oil", "--source",
                     "powell_thyne", "--source", "ucdp", "--source", "wdi", home=home)
    assert result.returncode == 0, result.stderr
    assert "duplicates" in result.stdout
    db = home / "warehouse.duckdb"
    files = operations.data_status(db)["files"].set_index("file")
    assert files.loc[[OIL, PT_2022, UCDP, WDI_MIL], "duplicates"].tolist() == [1, 1, 1, 1]
    assert files.loc[[VDEM, PT_2015], "duplicates"].tolist() == [0, 0]
    assert files.loc[OIL, "rows"] == 70
    assert files.loc[PT_2022, "rows"] == 488
    assert operations.list_events(path=db, date_from="2021", date_to="2021").shape[0] == 7
    sources = operations.data_status(db)["sources"].set_index("source")
    assert sources.loc["wdi", "duplicates"] == 1
    assert "duplicates" in status_text(home)


# --- bad parameters -------------------------------------------------------------------------

PARAMS = [
    ("events-month-13", ["events", "--from", "2021-13-01"], "from"),
    ("events-feb-30", ["events", "--to", "2021-02-30"], "to"),
    ("events-narnia", ["events", "--country", "Narnia"], "country"),
    ("panel-from-after-to", ["panel", "export", "--format", "csv", "--output", "OUT", "--from",
                             "2020", "--to", "2010"], "from"),
    ("panel-no-directory", ["panel", "export", "--output", "/nonexistent/dir/panel.csv"],
     "output"),
    ("update-unknown-source", ["data", "update", "--source", "nosuch"], "source"),
    ("update-no-mirror", ["data", "update", "--mirror", "/nonexistent/mirror"], "mirror"),
]


def run_main(args: list[str], home: Path, monkeypatch, capsys) -> tuple[int, str, str]:
    """The real ``coupwatch.cli.main`` in process: exit code, stdout, stderr."""
    from coupwatch.cli import main

    monkeypatch.setenv("COUPWATCH_HOME", str(home))
    monkeypatch.setattr("sys.argv", ["coupwatch", *args])
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main()
    out, err = capsys.readouterr()
    code = done.value.code
    return (0 if code is None else code), out, err


@pytest.mark.parametrize(("key", "args", "parameter"), PARAMS, ids=[k for k, _, _ in PARAMS])
def test_bad_parameters(tmp_path, home, baseline, monkeypatch, capsys, key, args, parameter):
    args = [str(tmp_path / "panel.csv") if a == "OUT" else a for a in args]
    code, out, err = run_main(args, home, monkeypatch, capsys)
    assert code == 2, out + err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: parameter '{parameter}': "), lines
    assert not (tmp_path / "panel.csv").exists()
    assert checksum(home / "warehouse.duckdb") == baseline[0]


@pytest.mark.parametrize("args", [["data", "status"], ["events"], ["panel", "export",
                                                                    "--output", "p.csv"]])
def test_commands_on_an_empty_warehouse(tmp_path, monkeypatch, capsys, args):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(args, tmp_path, monkeypatch, capsys)
    assert code == 2
    assert err.count("\n") == 1 and "coupwatch data update" in err
