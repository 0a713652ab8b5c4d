"""The warehouse: provenance, idempotent and atomic ingest, and surviving `kill -9`."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import (
    MIRROR,
    checksum,
    cli_env,
    copy_mirror,
    edit_cell,
    query,
    run_cli,
    status_text,
)

from coupwatch import operations, warehouse
from coupwatch.errors import BadInput
from coupwatch.panel.spec import NEEDS
from coupwatch.sources import CONNECTORS, MIRRORED
from coupwatch.warehouse import ingest


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def provenance_sets(db: Path) -> dict[str, set[tuple[str, str]]]:
    frame = query(db, "SELECT source, file, sha256 FROM provenance")
    out: dict[str, set[tuple[str, str]]] = {name: set() for name in CONNECTORS}
    for source, file, digest in frame.itertuples(index=False):
        out[source].add((file, digest))
    return out


def expected_sets(mirror: Path) -> dict[str, set[tuple[str, str]]]:
    return {name: {(f.path, file_sha(mirror / f.path)) for f in c.files if not f.online_only}
            for name, c in CONNECTORS.items()}


def assert_consistent(db: Path) -> None:
    """Rows stored per source and file equal what provenance says was ingested."""
    stored = query(db, """
        SELECT source, file, count(*) AS n FROM (
            SELECT source, file FROM events UNION ALL SELECT source, file FROM indicators
            UNION ALL SELECT source, file FROM spells)
        GROUP BY source, file""").set_index(["source", "file"])["n"]
    prov = query(db, "SELECT source, file, rows FROM provenance").set_index(
        ["source", "file"])["rows"]
    assert stored.sort_index().to_dict() == prov[prov > 0].sort_index().to_dict()
    per_source = query(db, """
        SELECT p.source, sum(p.rows) AS prov,
          (SELECT count(*) FROM events e WHERE e.source = p.source)
          + (SELECT count(*) FROM indicators i WHERE i.source = p.source)
          + (SELECT count(*) FROM spells s WHERE s.source = p.source) AS stored
        FROM provenance p GROUP BY p.source""")
    assert (per_source["prov"] == per_source["stored"]).all(), per_source


# --- provenance ---------------------------------------------------------------------------

def test_provenance_matches_the_files(warehouse_path: Path):
    prov = query(warehouse_path, "SELECT * FROM provenance ORDER BY source, file")
    assert set(prov["file"]) == {f.path for c in CONNECTORS.values() for f in c.files
                                 if not f.online_only}
    assert set(prov["source"]) == set(MIRRORED)  # Wikidata is online only
    for row in prov.itertuples(index=False):
        path = MIRROR / row.file
        assert row.sha256 == file_sha(path), row.file
        assert row.origin == str(path)
        assert row.release
        assert row.ingested_at is not None
        counts = query(warehouse_path, """
            SELECT count(*) AS n, min(year) AS lo, max(year) AS hi FROM (
              SELECT year FROM events WHERE file = ? UNION ALL
              SELECT year FROM indicators WHERE file = ?)""", [row.file, row.file]).iloc[0]
        spells = query(warehouse_path, "SELECT count(*) AS n FROM spells WHERE file = ?",
                       [row.file])["n"].iloc[0]
        assert row.rows == counts["n"] + spells, row.file
        assert (row.year_min, row.year_max) == (counts["lo"], counts["hi"]), row.file
    assert_consistent(warehouse_path)
    releases = dict(query(warehouse_path, "SELECT file, release FROM provenance").values)
    assert releases["powell-thyne/powell_thyne_coups_final_2015.txt"] == "V2015.05.20"
    assert releases["powell-thyne/powell_thyne_coups_v2022-11-29.csv"] == "V2022.11.29"
    assert releases["vdem/vdem_spaces_1968_2023.csv"] == "v14"


def test_countries_table(warehouse_path: Path):
    countries = query(warehouse_path, "SELECT * FROM countries").set_index("gwcode")
    assert countries.loc[432, "name"] == "Mali" and countries.loc[432, "iso3"] == "MLI"
    assert countries.loc[432, "first_year"] == 1960
    assert countries.loc[260, "iso3"] == "DEU"
    assert countries["first_year"].notna().sum() >= 200


def test_unmapped_is_reported_not_dropped(warehouse_path: Path):
    status = operations.data_status(warehouse_path)
    unmapped = status["unmapped"]
    assert {"wdi", "reign"} <= set(unmapped["source"])
    assert "ISO3 ABW" in set(unmapped["code"])
    assert "COW 970" in set(unmapped["code"])  # Nauru's 1967 vote, before independence
    summary = status["sources"].set_index("source")
    assert summary.loc["wdi", "unmapped_rows"] > 0
    assert summary.loc["gw", "unmapped_rows"] == 0


# --- idempotent and atomic ---------------------------------------------------------------

def test_reingest_is_idempotent(home: Path):
    db = home / "warehouse.duckdb"
    before = checksum(db)
    stamps = query(db, "SELECT file, ingested_at FROM provenance")
    outcomes = operations.update_data(mirror=MIRROR, path=db)
    assert {o.status for o in outcomes if o.source in MIRRORED} == {"unchanged"}
    assert {o.status for o in outcomes if o.source not in MIRRORED} == {"skipped (online only)"}
    assert checksum(db) == before
    assert query(db, "SELECT file, ingested_at FROM provenance").equals(stamps)


def test_a_bad_file_leaves_the_warehouse_untouched(home: Path, mirror_copy: Path):
    db = home / "warehouse.duckdb"
    before = checksum(db)
    sources = ["ucdp", "vdem", "epr", "oil"]  # read in this order
    # valid changes to sources read first, and one broken file read last of all
    edit_cell(mirror_copy / "ucdp/acd_gw.csv", 2, "war", "1")
    edit_cell(mirror_copy / "vdem/vdem_spaces_1968_2023.csv", 2, "v2xcl_rol", "0.5")
    oil = mirror_copy / "oil/oil_prices.csv"
    good_oil = oil.read_bytes()
    oil.write_bytes(good_oil + b"2021,abc\n")
    with pytest.raises(BadInput) as err:
        operations.update_data(sources, mirror=mirror_copy, path=db)
    assert err.value.file.endswith("oil/oil_prices.csv") and err.value.row == 72
    assert err.value.column == "oil_price_real"
    assert checksum(db) == before
    # mend the file: now exactly the changed sources are reloaded, the others untouched
    oil.write_bytes(good_oil)
    stamps = query(db, "SELECT source, ingested_at FROM provenance ORDER BY ALL")
    outcomes = {o.source: o.status
                for o in operations.update_data(sources, mirror=mirror_copy, path=db)}
    assert outcomes == {"ucdp": "loaded", "vdem": "loaded", "epr": "unchanged",
                        "oil": "unchanged"}
    after = query(db, "SELECT source, ingested_at FROM provenance ORDER BY ALL")
    unchanged = ~after["source"].isin(["ucdp", "vdem"])
    assert after[unchanged].reset_index(drop=True).equals(
        stamps[unchanged].reset_index(drop=True))
    assert provenance_sets(db) == expected_sets(mirror_copy)
    assert query(db, """SELECT value FROM indicators WHERE source = 'ucdp' AND gwcode = 2
                        AND year = 1946 AND variable = 'war'""")["value"].tolist() == [1.0]
    assert_consistent(db)


# --- kill -9 -------------------------------------------------------------------------------

def changed_mirror(dest: Path) -> Path:
    """A mirror whose files changed in several sources (valid data throughout)."""
    copy_mirror(dest)
    with (dest / "powell-thyne/powell_thyne_coups_v2022-11-29.csv").open("a") as handle:
        handle.write("Mali,432,NA,NA,2022,6,1,1,V2022.11.29\n")
    edit_cell(dest / "vdem/vdem_spaces_1968_2023.csv", 3, "v2x_pubcorr", "0.5")
    edit_cell(dest / "wdi/gdp_gw_1950_2024.csv", 2, "NY.GDP.PCAP.KD.ZG", "1.5")
    edit_cell(dest / "reign/reign_country_year_1950_2019.csv", 2, "age", "67")
    edit_cell(dest / "ucdp/acd_gw.csv", 3, "war", "1")
    edit_cell(dest / "epr/epr_gw.csv", 2, "epr_groups", "4")
    with (dest / "oil/oil_prices.csv").open("a") as handle:
        handle.write("2021,70.25\n")
    return dest


def _stat(db: Path) -> tuple[float, int] | None:
    return (db.stat().st_mtime, db.stat().st_size) if db.exists() else None


def _written(home: Path, start: tuple[float, int] | None) -> bool:
    db = home / "warehouse.duckdb"
    if (home / "warehouse.duckdb.wal").exists():
        return True
    if any(home.glob(".warehouse.duckdb.*.new*")):  # a first update's new file
        return True
    return db.exists() and _stat(db) != start


def kill_runs(homes: list[Path], mirror: Path, plans: list[tuple[str, float]]) -> list[str]:
    """Start one `data update` per home at once; kill each -9 per its plan.

    ("after", s): kill s seconds after start; ("writing", s): kill s seconds after the
    warehouse file (or its WAL) first changes. Returns how each run ended.
    """
    procs, starts, fired, ends = [], [], [None] * len(homes), [""] * len(homes)
    for home in homes:
        starts.append(_stat(home / "warehouse.duckdb"))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "coupwatch", "data", "update", "--mirror", str(mirror)],
            env=cli_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=home))
    t0 = time.monotonic()
    while any(not end for end in ends):
        now = time.monotonic() - t0
        for i, (proc, (kind, delay)) in enumerate(zip(procs, plans, strict=True)):
            if ends[i]:
                continue
            if proc.poll() is not None:
                ends[i] = f"finished rc={proc.returncode}"
                continue
            if kind == "writing" and fired[i] is None and _written(homes[i], starts[i]):
                fired[i] = now
            due = delay if kind == "after" else (fired[i] + delay if fired[i] is not None
                                                 else None)
            if due is not None and now >= due:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                ends[i] = f"killed at {now:.2f}s"
        if now > 240:
            for proc in procs:
                proc.kill()
            pytest.fail("data update runs did not finish in 240 s")
        time.sleep(0.005)
    for proc in procs:
        proc.stderr.close()
    return ends


def test_kill_9_during_update_leaves_a_readable_consistent_warehouse(
        tmp_path: Path, warehouse_path: Path):
    mirror = changed_mirror(tmp_path / "mirror")
    old, new = provenance_sets(warehouse_path), expected_sets(mirror)
    changed = {s for s in CONNECTORS if old[s] != new[s]}
    assert changed == {"powell_thyne", "vdem", "wdi", "reign", "ucdp", "epr", "oil"}
    plans = [("after", 0.5), ("after", 1.5), ("after", 3.0),  # while parsing
             ("writing", 0.02), ("writing", 0.3)]  # while writing
    homes = []
    for i in range(len(plans)):
        home = tmp_path / f"home{i}"
        home.mkdir()
        shutil.copyfile(warehouse_path, home / "warehouse.duckdb")
        homes.append(home)
    # the early kills one after another, the kills while writing side by side
    ends = [kill_runs([homes[i]], mirror, [plans[i]])[0] for i in range(3)]
    ends += kill_runs(homes[3:], mirror, plans[3:])
    mixed = 0
    for home, plan, end in zip(homes, plans, ends, strict=True):
        db = home / "warehouse.duckdb"
        where = f"{plan} -> {end}"
        checksum(db)  # opens read-only, and every table can be read
        assert "powell_thyne" in status_text(home)  # `data status` exits 0
        now = provenance_sets(db)
        for source in CONNECTORS:
            assert now[source] in (old[source], new[source]), f"{where}: {source}"
        assert_consistent(db)
        mixed += 0 < sum(now[s] == new[s] for s in changed) < len(changed)
        assert now in (old, new), where  # one transaction: wholly old or wholly new
        if plan == ("after", 0.5):
            assert now == old, where  # nothing is written while sources are parsed
    # and a killed warehouse takes the next update normally
    outcomes = operations.update_data(mirror=mirror, path=homes[-1] / "warehouse.duckdb")
    assert {o.source for o in outcomes if o.status == "loaded"} <= changed
    assert provenance_sets(homes[-1] / "warehouse.duckdb") == new
    assert_consistent(homes[-1] / "warehouse.duckdb")
    print(f"kill -9 runs: {ends}; {mixed} left a mix of old and new sources")


def test_kill_9_during_a_first_update_leaves_it_empty_or_complete(tmp_path: Path):
    """A first update killed part-way once left 5 of 8 sources, and forecasts then ran with
    three features empty in every row: now the warehouse is either empty or complete."""
    plans = [("after", 0.5), ("after", 2.0), ("after", 3.5), ("writing", 0.0),
             ("writing", 0.05), ("writing", 0.3), ("after", 1e9)]  # the last one finishes
    homes = []
    for i in range(len(plans)):
        homes.append(tmp_path / f"home{i}")
        homes[-1].mkdir()
    ends = [kill_runs([homes[i]], MIRROR, [plans[i]])[0] for i in range(3)]
    ends += kill_runs(homes[3:], MIRROR, plans[3:])
    expected = expected_sets(MIRROR)
    empty = 0
    for home, plan, end in zip(homes, plans, ends, strict=True):
        db = home / "warehouse.duckdb"
        where = f"{plan} -> {end}"
        result = run_cli("panel", "export", "--format", "csv", "--output", home / "p.csv",
                         home=home)
        if not db.exists():
            assert result.returncode == 2 and "coupwatch data update" in result.stderr, where
            empty += 1
            continue
        checksum(db)  # readable
        now = provenance_sets(db)
        with warehouse.read_only(db) as con:
            state = warehouse.completeness(con, NEEDS)
        if not any(now.values()):
            empty += 1
            assert not state.complete and state.missing, where
            continue
        assert now == expected, where
        assert state.complete and not state.missing, where
        assert result.returncode == 0, f"{where}: {result.stderr}"
        assert_consistent(db)
        updates = query(db, "SELECT requested, complete FROM updates")
        assert updates["complete"].tolist() == [True], where
        assert sorted(updates["requested"].iloc[0]) == sorted(CONNECTORS), where
    assert ends[-1] == "finished rc=0" and empty < len(plans)
    print(f"kill -9 runs of a first update: {ends}; {empty} left nothing")


def test_parsing_does_not_hold_the_write_lock(home: Path, mirror_copy: Path, monkeypatch):
    """While sources are parsed another process can open the warehouse (the write lock
    is taken only to write)."""
    db = home / "warehouse.duckdb"
    edit_cell(mirror_copy / "vdem/vdem_spaces_1968_2023.csv", 2, "v2xcl_rol", "0.5")
    oil = CONNECTORS["oil"]
    original = oil.parse
    readers: list[subprocess.CompletedProcess] = []

    def parse(file, path):  # oil is read last: every other source has been parsed
        readers.append(subprocess.run([sys.executable, "-c", READER, str(db)],
                                      capture_output=True, text=True, timeout=120))
        return original(file, path)

    monkeypatch.setattr(oil, "parse", parse)
    outcomes = operations.update_data(["vdem", "oil"], mirror=mirror_copy, path=db)
    assert [o.status for o in outcomes] == ["loaded", "unchanged"]
    assert len(readers) == 1
    assert readers[0].returncode == 0, readers[0].stderr
    assert readers[0].stdout.split() == [str(len(MIRRORED))]  # it saw every source


READER = """import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(DISTINCT source) FROM provenance").fetchone()[0])
"""


def test_an_error_while_writing_leaves_the_warehouse_wholly_old(
        tmp_path: Path, home: Path, monkeypatch):
    """The whole update (sources, countries, stored panel) is one transaction: a full disk
    or any error in it leaves every source as it was, not the ones written before it."""
    db = home / "warehouse.duckdb"
    before, sources_before = checksum(db), provenance_sets(db)
    meta_before = query(db, "SELECT * FROM panel_meta")
    mirror = changed_mirror(tmp_path / "mirror")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ingest, "record_update", full_disk)
    with pytest.raises(OSError, match="No space left"):
        operations.update_data(mirror=mirror, path=db)
    assert checksum(db) == before
    assert provenance_sets(db) == sources_before
    assert query(db, "SELECT * FROM panel_meta").equals(meta_before)
    monkeypatch.undo()
    operations.update_data(mirror=mirror, path=db)  # and the next update goes through
    assert provenance_sets(db) == expected_sets(mirror)


def test_updates_are_recorded_and_completeness_is_known(warehouse_path: Path, tmp_path: Path):
    updates = query(warehouse_path, "SELECT * FROM updates")
    assert len(updates) == 1 and bool(updates["complete"].iloc[0])
    assert sorted(updates["requested"].iloc[0]) == sorted(CONNECTORS)
    assert sorted(updates["loaded"].iloc[0]) == sorted(MIRRORED)
    with warehouse.read_only(warehouse_path) as con:
        assert warehouse.completeness(con, NEEDS).complete
    # a first update of two sources: recorded, but the warehouse is not complete
    db = tmp_path / "warehouse.duckdb"
    operations.update_data(["gw", "vdem"], mirror=MIRROR, path=db)
    updates = query(db, "SELECT * FROM updates")
    assert updates["complete"].tolist() == [False]
    with warehouse.read_only(db) as con:
        state = warehouse.completeness(con, NEEDS)
    assert not state.complete
    assert list(state.missing) == sorted(set(NEEDS) - {"gw", "vdem"})
    with pytest.raises(BadInput, match="lacks .*oil.*coupwatch data update"):
        operations.load_panel(db)


def test_forecast_and_panel_export_refuse_a_warehouse_missing_sources(home: Path,
                                                                      tmp_path: Path):
    """As left by a first update killed part-way under earlier versions: 5 of 8 sources."""
    db = home / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    for table in ("events", "indicators", "provenance", "unmapped"):
        con.execute(f"DELETE FROM {table} WHERE source IN ('epr', 'oil', 'ucdp')")
    con.close()
    with warehouse.read_only(db) as con:
        assert warehouse.completeness(con, NEEDS).missing == ("epr", "oil", "ucdp")
    for args in (["panel", "export", "--format", "csv", "--output", tmp_path / "p.csv"],
                 ["forecast", "--model", "logit"]):
        result = run_cli(*args, home=home)
        assert result.returncode == 2, result.stdout + result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert "epr, oil, ucdp" in lines[0] and "coupwatch data update" in lines[0], lines[0]
    assert not (tmp_path / "p.csv").exists()
