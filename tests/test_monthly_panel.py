"""The country-month panel: hand-checked values on the mirror, and no value from the future."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import monthly_panel
from monthly_fixtures import truncated_mirror

from coupwatch import operations
from coupwatch.panel import monthly
from coupwatch.panel.months import index


@pytest.fixture(scope="module")
def months(warehouse_path: Path) -> pd.DataFrame:
    return monthly_panel(warehouse_path)  # the mirror's warehouse holds the Cline events


def _row(frame: pd.DataFrame, gwcode: int, year: int, month: int) -> pd.Series:
    hit = frame[(frame["gwcode"] == gwcode) & (frame["mi"] == index(year, month))]
    assert len(hit) == 1
    return hit.iloc[0]


def test_rows_are_state_months_to_the_coup_data(months, panel):
    assert months["mi"].max() == index(2022, 11)  # Powell & Thyne V2022.11.29
    assert not months.duplicated(["gwcode", "mi"]).any()
    years = panel[panel["year"] <= 2022][["gwcode", "year"]]
    expected = len(years) * 12 - (panel["year"] == 2022).sum()  # December 2022 not covered
    assert len(months) == expected
    assert months.attrs["notes"] == []
    assert months["attempt"].sum() == pytest.approx(
        (months["n_attempts"] > 0).sum())
    # every Powell & Thyne event of a G&W state-year is in its month
    assert months["n_attempts"].sum() == panel.loc[panel["year"] <= 2022, "n_attempts"].sum()


def test_mali_march_2012(months):
    before, coup = _row(months, 432, 2012, 2), _row(months, 432, 2012, 3)
    assert (coup["attempt"], coup["coup"], coup["failed"]) == (1, 1, 0)
    assert before["months_since_attempt"] == 247  # 1991-07 (failed) to 2012-02
    assert before["months_since_coup"] == 251  # 1991-03 to 2012-02
    assert before["leader_months"] == 116  # Toure since June 2002
    assert before["months_since_vote"] == 58  # April 2007 to February 2012
    assert before["months_to_vote"] == 2  # the April 2012 vote, known a year ahead
    assert coup["months_since_coup"] == 0 and coup["attempts_3m"] == 1
    assert coup["leader_months"] == 0 and coup["leader_changes_3m"] == 1
    assert coup["irregular_exits_12m"] == 1  # Toure; Sanogo's hand-over in April is not
    assert _row(months, 432, 2012, 4)["irregular_exits_12m"] == 1
    assert _row(months, 432, 2012, 5)["attempts_3m"] == 2  # the counter-coup of 1 May
    assert np.isnan(_row(months, 432, 2012, 4)["months_to_vote"])  # the vote was voided
    assert before["leader_cf"] == 0 and before["election_cf"] == 0


def test_mali_august_2020(months):
    july, august = _row(months, 432, 2020, 7), _row(months, 432, 2020, 8)
    assert july["months_since_attempt"] == 98  # May 2012 to July 2020
    assert july["leader_months"] == 82  # Keita since September 2013
    assert july["months_since_vote"] == 23  # the August 2018 run-off
    assert (august["attempt"], august["coup"]) == (1, 1)
    assert august["attempts_12m"] == 1 and august["coups_36m"] == 1
    assert august["cline_plots_36m"] == 0  # Cline's next Mali plot is May 2022
    assert _row(months, 432, 2022, 5)["cline_plots_6m"] == 1


def test_regional_counts_by_hand(months):
    # Mali, September 2021, 12 months back to October 2020, its own May 2021 coup excluded:
    # Niger 2021-03 (failed), Chad 2021-04, Guinea 2021-09, Myanmar 2021-02, Sudan 2021-09
    mali = _row(months, 432, 2021, 9)
    assert mali["ecowas_attempts_12m"] == 2  # Niger, Guinea
    assert mali["sahel_attempts_12m"] == 3  # Niger, Chad, Guinea
    assert mali["au_attempts_12m"] == 2  # AU West: Niger, Guinea
    assert mali["subregion_attempts_12m"] == 2  # UN Western Africa: Niger, Guinea
    assert mali["world_attempts_12m"] == 5
    assert mali["world_attempts_1m"] == 2  # Guinea 5 September, Sudan 21 September
    # Mali, January 2011: ECOWAS had Niger (February 2010) and Guinea-Bissau (April 2010)
    assert _row(months, 432, 2011, 1)["ecowas_attempts_12m"] == 2
    assert _row(months, 432, 2011, 2)["ecowas_attempts_12m"] == 1
    france = _row(months, 220, 2021, 9)
    assert np.isnan(france["ecowas_attempts_12m"]) and france["member_ecowas"] == 0
    assert np.isnan(france["au_attempts_12m"])
    assert france["world_attempts_12m"] == 6  # the five above and Mali's May 2021 coup


def test_self_coups_and_plots_from_cline(months):
    peru = _row(months, 135, 1992, 4)  # Fujimori's self-coup, 5 April 1992
    assert peru["cline_self_coups_6m"] == 1
    assert _row(months, 135, 1992, 3)["cline_self_coups_6m"] == 0


def test_annual_features_of_the_last_complete_year(months, panel):
    annual = panel.set_index(["gwcode", "year"])
    for month, year in ((1, 2011), (11, 2011), (12, 2012)):
        row = _row(months, 432, 2012, month)
        assert row["gdp_pc"] == annual.loc[(432, year), "gdp_pc"]
        assert row["v2x_veracc_osp"] == annual.loc[(432, year), "v2x_veracc_osp"]
    assert "years_since_attempt" not in months and "attempts_10y" in months


def test_carry_limits_past_the_lists(months):
    usa = months[months["gwcode"] == 2].set_index("mi")
    feb21, feb22, mar22 = index(2021, 2), index(2022, 2), index(2022, 3)
    assert usa.loc[feb21, "leader_cf"] == 0 and usa.loc[feb22, "leader_cf"] == 12
    assert usa.loc[feb22, "leader_months"] == 13  # Biden, January 2021, counting on
    assert np.isnan(usa.loc[mar22, "leader_months"]) and np.isnan(usa.loc[mar22, "leader_cf"])
    assert usa.loc[index(2022, 11), "election_cf"] == 21  # elections carried 24 months
    assert usa.loc[index(2022, 11), "months_since_vote"] == 24  # November 2020


def test_without_cline_the_features_are_empty_with_a_note(panel_without_cline):
    note = panel_without_cline.attrs["notes"]
    assert len(note) == 1 and "Cline" in note[0]
    assert panel_without_cline["cline_plots_12m"].isna().all()


@pytest.fixture(scope="module")
def panel_without_cline(tmp_path_factory, warehouse_path: Path) -> pd.DataFrame:
    db = tmp_path_factory.mktemp("no-cline") / "warehouse.duckdb"
    shutil.copyfile(warehouse_path, db)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM events WHERE source = 'cline'")
    con.close()
    return monthly_panel(db)


# --- truncation invariance ------------------------------------------------------------------

@pytest.fixture(scope="module", params=[(2012, 3), (2016, 12), (2020, 8)],
                ids=["2012-03", "2016-12", "2020-08"])
def cut(request, tmp_path_factory) -> tuple[int, pd.DataFrame]:
    through = index(*request.param)
    base = tmp_path_factory.mktemp("cut")
    mirror = truncated_mirror(base / "mirror", through)
    db = base / "warehouse.duckdb"
    operations.update_data(mirror=mirror, path=db)
    return through, monthly_panel(db)


def test_truncation_invariance(cut, months):
    """Every feature of every month up to m is the same whether later records exist or not."""
    through, short = cut
    assert short.attrs["notes"] == []
    columns = monthly.feature_names(months)
    assert monthly.feature_names(short) == columns
    key = ["gwcode", "mi"]
    left = months[months["mi"] <= through][key + columns + list(monthly.OUTCOMES)]
    right = short[short["mi"] <= through][key + columns + list(monthly.OUTCOMES)]
    left, right = (f.sort_values(key).reset_index(drop=True) for f in (left, right))
    assert len(left) > 100_000
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
    # the cut really removed later records: the month after differs somewhere
    after = months["mi"] == through + 1
    assert after.any() and through + 1 in set(short["mi"])
