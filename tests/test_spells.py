"""Dated records in the warehouse: REIGN's leader spells and elections (table ``spells``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
from conftest import MIRROR, query

from coupwatch import operations
from coupwatch.sources import reign
from coupwatch.sources.spells import ELECTION_STATUS, KINDS, PRECISIONS, SPELL_COLUMNS


def _parse(name: str):
    file = next(f for f in reign.CONNECTOR.files if f.path.endswith(name))
    return reign.CONNECTOR.parse(file, MIRROR / file.path)


def test_leader_spells_of_mali():
    spells = _parse("leaderlist_3_21.csv").spells
    assert list(spells.columns) == SPELL_COLUMNS
    mali = spells[spells["gwcode"] == 432].reset_index(drop=True)
    assert list(mali["name"]) == ["Keita", "Traore", "Amadou Toure", "Konare", "Amadou Toure",
                                  "Sanogo", "Traore", "Keita", "Assimi Goita", "Ba N'Daou"]
    toure = mali.iloc[4]  # "Amadou Toure,9,6,2002,3,2012": to the month of the coup
    assert toure["start_date"] == pd.Timestamp(2002, 6, 9) and toure["start_precision"] == "day"
    assert toure["end_date"] == pd.Timestamp(2012, 3, 1) and toure["end_precision"] == "month"
    assert mali.iloc[5]["military"] == 1 and mali.iloc[3]["military"] == 0
    assert pd.isna(mali.iloc[-1]["end_date"])  # in office when the list was released
    assert mali["line"].iloc[0] == 1450  # the line in the file


def test_a_spell_across_a_code_change_is_kept_for_both_states():
    spells = _parse("leaderlist_3_21.csv").spells
    kostunica = spells[spells["name"] == "Kostunica"]  # COW 345, June 2006 to July 2008
    recent = kostunica[kostunica["start_date"].dt.year == 2006]
    assert sorted(recent["gwcode"]) == [340, 345]
    assert spells["gwcode"].notna().all()


def test_elections_one_record_per_election():
    spells = _parse("electionlist_3_21.csv").spells
    assert set(spells["kind"]) == {"election"} and set(spells["detail"]) <= set(
        ELECTION_STATUS)
    assert set(spells["start_precision"].dropna()) | set(spells["end_precision"]) <= set(
        PRECISIONS)
    mali = spells[spells["gwcode"] == 432].set_index("ref")
    # the April 2012 vote, voided by the March coup: dated by the planned vote, not the coup
    assert mali.loc["432014", "detail"] == "not_held"
    assert mali.loc["432014", "end_date"] == pd.Timestamp(2012, 4, 1)
    # a run-off announced with the first round's result
    assert mali.loc["432018", "start_date"] == pd.Timestamp(2018, 8, 3)
    assert mali.loc["432018", "end_date"] == pd.Timestamp(2018, 8, 12)
    assert mali.loc["432018", "detail"] == "held" and mali.loc["432018", "name"] == "executive"
    assert mali.loc["432019", "detail"] == "scheduled"  # July 2023, after the release
    assert pd.isna(mali.loc["432017", "start_date"])  # a regular vote: no announcement row
    # the publisher's slips: a code of no state, a day November does not have
    malawi = spells[spells["ref"] == "553012"].iloc[0]
    assert malawi["gwcode"] == 553 and malawi["cowcode"] == 553
    singapore = spells[spells["ref"] == "830014"].iloc[0]
    assert singapore["end_date"] == pd.Timestamp(2025, 11, 1)
    assert singapore["end_precision"] == "month"
    # Regime Failure rows (the coup's own date) never date an election
    cuba = spells[spells["ref"] == "40001"].iloc[0]
    assert cuba["end_date"] == pd.Timestamp(1952, 6, 1) and cuba["detail"] == "not_held"


def test_spells_in_the_warehouse(warehouse_path: Path):
    counts = query(warehouse_path, """SELECT kind, file, count(*) AS n, count(gwcode) AS coded
                                      FROM spells GROUP BY ALL ORDER BY kind""")
    assert set(counts["kind"]) == set(KINDS)
    assert (counts["n"] == counts["coded"]).all()
    assert set(counts["file"]) == {"reign/electionlist_3_21.csv", "reign/leaderlist_3_21.csv"}
    leaders = counts.set_index("kind").loc["leader", "n"]
    assert leaders == len(_parse("leaderlist_3_21.csv").spells)


def test_a_warehouse_from_before_the_spells_table_reloads_reign_once(tmp_path: Path,
                                                                    warehouse_path: Path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse_path, db)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM spells")
    con.close()
    outcomes = {o.source: o.status for o in operations.update_data(mirror=MIRROR, path=db)}
    assert outcomes.pop("reign") == "loaded"
    assert outcomes.pop("wikidata") == "skipped (online only)"  # a mirror has no answer
    assert set(outcomes.values()) == {"unchanged"}
    assert query(db, "SELECT count(*) AS n FROM spells")["n"].iloc[0] > 5000
    again = {o.source: o.status for o in operations.update_data(mirror=MIRROR, path=db)}
    assert {s for k, s in again.items() if k != "wikidata"} == {"unchanged"}
