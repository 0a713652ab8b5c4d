"""REIGN and Wikidata joined: REIGN for the dates it covers, Wikidata after (monthly and annual
panels), truncation invariance of the join, and `data compare-leaders`."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import monthly_panel, run_cli
from wikidata_fixtures import (
    FILLED_ELSEWHERE,
    as_of,
    elections_answer,
    endpoint,
    history,
    leaders_answer,
)

from coupwatch import config, operations
from coupwatch.panel import monthly
from coupwatch.panel.months import index

FEB_2021 = index(2021, 2)  # the last month REIGN's lists cover


def _load(root: Path, warehouse_path: Path, leaders: bytes, votes: bytes) -> Path:
    """A copy of the session warehouse with Wikidata loaded from a local endpoint."""
    (root / "home").mkdir(parents=True)
    db = root / "home" / "warehouse.duckdb"
    shutil.copyfile(warehouse_path, db)
    with endpoint(root, leaders, votes) as (url, _), pytest.MonkeyPatch.context() as patch:
        patch.delenv("COUPWATCH_MIRROR", raising=False)
        patch.setenv("COUPWATCH_HOME", str(root / "home"))
        patch.setenv("COUPWATCH_WIKIDATA_URL", url)
        config.reload()
        outcomes = {o.source: o.status for o in operations.update_data(["wikidata"], path=db)}
    config.reload()
    assert outcomes == {"wikidata": "loaded"}
    return db


@pytest.fixture(scope="module")
def answers(warehouse_path) -> tuple[bytes, bytes]:
    leaders, votes = history(warehouse_path)
    return leaders_answer(leaders, skip=FILLED_ELSEWHERE), elections_answer(votes)


@pytest.fixture(scope="module")
def joined(tmp_path_factory, warehouse_path, answers) -> Path:
    return _load(tmp_path_factory.mktemp("joined"), warehouse_path, *answers)


@pytest.fixture(scope="module")
def cut(tmp_path_factory, warehouse_path, answers) -> Path:
    """The same answers as the query would have given them in mid-December 2022."""
    leaders, votes = (as_of(a, "2022-12-15T09:00:00Z", "2022-11-30") for a in answers)
    return _load(tmp_path_factory.mktemp("cut"), warehouse_path, leaders, votes)


@pytest.fixture(scope="module")
def months(warehouse_path, joined) -> tuple[pd.DataFrame, pd.DataFrame]:
    return monthly_panel(warehouse_path), monthly_panel(joined)


def _at(frame: pd.DataFrame, gwcode: int, year: int, month: int) -> pd.Series:
    hit = frame[(frame["gwcode"] == gwcode) & (frame["mi"] == index(year, month))]
    assert len(hit) == 1
    return hit.iloc[0]


def test_reign_stays_the_source_up_to_its_end(months):
    reign, both = months
    columns = monthly.feature_names(reign)
    assert monthly.feature_names(both) == columns
    early = [f[f["mi"] <= FEB_2021].reset_index(drop=True) for f in (reign, both)]
    pd.testing.assert_frame_equal(early[0], early[1])
    later = [f[f["mi"] > FEB_2021].reset_index(drop=True) for f in (reign, both)]
    assert not later[0]["leader_months"].equals(later[1]["leader_months"])


def test_monthly_tenure_counts_on_past_reigns_end(months):
    reign, both = months
    # Biden: REIGN's open spell, continued by Wikidata's head of state
    assert np.isnan(_at(reign, 2, 2022, 3)["leader_months"])  # before: carried 12, then none
    usa = _at(both, 2, 2022, 3)
    assert usa["leader_months"] == 14 and usa["leader_cf"] == 0
    assert _at(both, 2, 2022, 11)["leader_months"] == 22
    # Mali: Ba N'Daou (REIGN) leaves in the coup of 24 May 2021; Goita (Wikidata) follows
    april, may = _at(both, 432, 2021, 4), _at(both, 432, 2021, 5)
    assert april["leader_months"] == 7 and april["leader_is_military"] == 1
    assert may["leader_months"] == 0 and may["leader_changes_3m"] == 1
    # an irregular exit (Keita's, August 2020, is the other one of the 12 months)
    assert (april["irregular_exits_12m"], may["irregular_exits_12m"], may["coup"]) == (1, 2, 1)
    # the UK: heads of government, as REIGN's Johnson is one (not the Queen)
    assert _at(both, 200, 2022, 8)["leader_months"] == 37  # Johnson since July 2019
    november = _at(both, 200, 2022, 11)
    assert november["leader_months"] == 1 and november["leader_changes_3m"] == 2
    # France: no Wikidata spells, so as before: carried 12 months past REIGN's end
    for frame in (reign, both):
        assert _at(frame, 220, 2022, 2)["leader_cf"] == 12
        assert np.isnan(_at(frame, 220, 2022, 3)["leader_months"])


def test_monthly_votes_after_reigns_end(months):
    reign, both = months
    assert _at(reign, 2, 2022, 11)["months_since_vote"] == 24  # November 2020, carried
    usa = _at(both, 2, 2022, 11)
    assert usa["months_since_vote"] == 0 and usa["election_cf"] == 0  # the 2022 midterms
    assert _at(both, 2, 2022, 10)["months_to_vote"] == 1


def test_annual_leader_features_after_reigns_end(panel, joined):
    both = operations.load_panel(joined)
    assert list(both.columns) == list(panel.columns)
    early = [f[f["year"] <= 2020].reset_index(drop=True) for f in (panel, both)]
    pd.testing.assert_frame_equal(early[0], early[1])
    rows = both.set_index(["gwcode", "year"])
    usa = rows.loc[2]
    assert list(usa.loc[2021:2025, "leader_tenure"]) == [0, 1, 2, 3, 4]
    assert list(usa.loc[2021:2025, "leader_tenure_cf"]) == [0, 0, 0, 0, 1]  # 2025: carried
    assert list(usa.loc[2021:2024, "years_since_election"]) == [1, 0, 1, 0]
    assert rows.loc[(432, 2021), "leader_military"] == 1
    assert rows.loc[(432, 2021), "leader_tenure"] == 0
    assert list(rows.loc[200].loc[2021:2024, "leader_tenure"]) == [2, 0, 1, 0]
    before = panel.set_index(["gwcode", "year"])
    assert np.isnan(before.loc[(2, 2022), "leader_tenure"])  # REIGN alone: gone after 2021
    assert before.loc[(220, 2021), "leader_tenure_cf"] == 1  # France: carried either way
    assert rows.loc[(220, 2021), "leader_tenure"] == before.loc[(220, 2021), "leader_tenure"]


def test_the_join_is_truncation_invariant(months, cut, joined):
    """Features of every month (and year) up to the answer's date are the same whether
    Wikidata's later records exist or not."""
    _, both = months
    early = monthly_panel(cut)
    columns = ["gwcode", "mi", *monthly.feature_names(both)]
    assert early["mi"].max() == both["mi"].max() == index(2022, 11)
    pd.testing.assert_frame_equal(early[columns], both[columns])
    full, short = operations.load_panel(joined), operations.load_panel(cut)
    keep = [f[f["year"] <= 2021].reset_index(drop=True) for f in (full, short)]
    pd.testing.assert_frame_equal(keep[0], keep[1])
    assert short.set_index(["gwcode", "year"]).loc[(2, 2022), "leader_tenure_cf"] == 1


def test_compare_leaders_finds_the_constructed_differences(joined):
    result = operations.compare_leaders(path=joined)
    # USA 1946-2020 (75 years), Mali 1969-2020 (52: Wikidata's spells start in 1968), the
    # UK 2020 (its heads of government start with Johnson in 2019)
    assert result.total == 75 + 52 + 1
    assert list(zip(result.disagreements["gwcode"], result.disagreements["year"],
                    strict=True)) == [(432, 2013), (432, 2014)]
    assert result.agree == 126 and result.share == pytest.approx(126 / 128)
    assert result.years == (1946, 2020)
    mali = result.disagreements.set_index("year")
    assert mali.loc[2013, "reign"] == "Keita" and mali.loc[2013, "wikidata"] == ""
    assert mali.loc[2014, "reign"] == "" and mali.loc[2014, "wikidata"] == "Keita"
    # Konare's second statement (1997) is no change; 2012 agrees (two changes each)
    compared = result.compared.set_index(["gwcode", "year"])
    assert not compared.loc[(432, 1997), "wikidata_change"]
    assert compared.loc[(432, 2012), "reign"] == "Sanogo; Traore"
    assert set(compared["office"]) == {"head_of_state", "head_of_government"}
    window = operations.compare_leaders("Mali", 2000, 2013, path=joined)
    assert window.total == 14 and len(window.disagreements) == 1


def test_compare_leaders_cli(joined, tmp_path, warehouse_path):
    result = run_cli("data", "compare-leaders", "--country", "Mali", home=joined.parent)
    assert result.returncode == 0, result.stderr
    assert "agree in 50 of 52 state-years (96.2%)" in result.stdout
    assert "2013" in result.stdout and "2014" in result.stdout
    (tmp_path / "home").mkdir()
    shutil.copyfile(warehouse_path, tmp_path / "home" / "warehouse.duckdb")
    missing = run_cli("data", "compare-leaders", home=tmp_path / "home")
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [
        "error: the warehouse has no Wikidata leader spells: run `coupwatch data update "
        "--source wikidata` online (a mirror holds none)"]
