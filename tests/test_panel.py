"""The country-year panel: coverage, outcomes, carry-forward, and no value from the future."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import MIRROR, copy_mirror, query, read_rows, write_rows

from coupwatch import operations
from coupwatch.panel import design, feature_columns
from coupwatch.panel.spec import CATEGORIES, FEATURES, GLOBAL
from coupwatch.panel.spec import OUTCOME_COLUMNS as OUTCOMES

# --- sanity ----------------------------------------------------------------------------------


def test_attempts_per_year(panel):
    per_year = panel.groupby("year")["n_attempts"].sum()
    assert per_year[2021] == 7  # highest of the century...
    assert per_year[2000] == 8
    assert per_year.loc[2001:2020].max() <= 6  # ...since 2000
    assert per_year[2022] == 4


def test_mali(panel):
    mali = panel[panel["gwcode"] == 432].set_index("year")
    attempts = mali[mali["n_attempts"] > 0]["n_attempts"]
    assert attempts.to_dict() == {1968: 1, 1978: 1, 1991: 2, 2012: 2, 2020: 1, 2021: 1}
    coups = mali[mali["coup"] == 1].index.tolist()
    failed = mali[mali["failed"] == 1].index.tolist()
    assert coups == [1968, 1991, 2012, 2020, 2021]
    assert failed == [1978, 1991, 2012]
    assert mali.loc[2021, "years_since_coup"] == 0
    assert mali.loc[2022, "years_since_coup"] == 1
    assert mali.loc[2019, "years_since_attempt"] == 7
    assert mali.loc[2021, "attempts_5y"] == 2 and mali.loc[2021, "attempts_10y"] == 4
    assert mali.loc[1967, "no_attempt_on_record"] == 1
    assert mali.loc[1967, "years_since_attempt"] == 8  # counted from entry in 1960


def test_one_row_per_gw_state_year(panel):
    gw = pd.read_csv(MIRROR / "gw/gwstate_age.csv")
    expected = set(map(tuple, gw[gw["year"] >= 1950][["gwcode", "year"]].to_numpy()))
    got = list(map(tuple, panel[["gwcode", "year"]].to_numpy()))
    assert len(got) == len(set(got))
    assert set(got) == expected
    assert panel["country"].notna().all()
    assert panel["year"].min() == 1950


def test_outcomes_known_to_2022_only(panel):
    after = panel[panel["year"] > 2022]
    assert len(after) and after[list(OUTCOMES)].isna().all().all()
    before = panel[panel["year"] <= 2022]
    assert before[list(OUTCOMES)].notna().all().all()
    assert panel.loc[panel["outcome_partial_year"], "year"].unique().tolist() == [2022]
    assert ((before["attempt"] == 1) == (before["n_attempts"] > 0)).all()
    assert (before["n_attempts"] == before["n_coups"] + before["n_failed"]).all()


def test_carry_forward_flags(panel, warehouse_path):
    for feature in FEATURES:
        flag = panel[f"{feature.column}_cf"]
        values = panel[feature.column]
        assert ((flag >= 0) & (flag <= feature.carry)).where(flag.notna(), True).all(), (
            feature.column)
        assert (values.isna() == flag.isna()).all(), feature.column
        raw = query(warehouse_path, """
            SELECT gwcode, year, value AS raw FROM indicators
            WHERE source = ? AND variable = ? AND value IS NOT NULL""",
                    [feature.source, feature.variable])
        merged = panel[["gwcode", "year", feature.column, f"{feature.column}_cf"]].merge(
            raw, on=["gwcode", "year"], how="inner")
        assert len(merged), feature.column
        # observed that year: flag 0 and the value itself
        assert (merged[f"{feature.column}_cf"] == 0).all(), feature.column
        assert np.allclose(merged[feature.column], merged["raw"]), feature.column
    for feature in (*CATEGORIES, *GLOBAL):
        flag = panel[f"{feature.column}_cf"].dropna()
        assert flag.between(0, feature.carry).all(), feature.column
    # carried values are flagged: REIGN's country-year panel stops in 2019
    usa = panel[panel["gwcode"] == 2].set_index("year")
    assert usa.loc[2019, "reign_elected_cf"] == 0
    assert usa.loc[2021, "reign_elected_cf"] == 2
    assert usa.loc[2021, "reign_elected"] == usa.loc[2019, "reign_elected"]
    assert np.isnan(usa.loc[2023, "reign_elected"])  # never beyond the carry limit
    # a "years since" counter counts on while it is carried
    assert usa.loc[2022, "years_since_election_cf"] == 2  # the March 2021 list ends in 2020
    assert usa.loc[2022, "years_since_election"] == usa.loc[2021, "years_since_election"] + 1


def test_category_dummies(panel):
    for feature in CATEGORIES:  # a fixed set of columns, whatever years the data cover
        columns = [c for c in panel.columns if c.startswith(f"{feature.column}_")]
        expected = [f"{feature.column}_{level}" for level in (*feature.levels, "other")]
        assert [c for c in columns if c in expected] == expected
        others = set(columns) - set(expected) - {f"{feature.column}_cf"}
        assert {c.removesuffix("_cf") for c in others} <= {f.column for f in FEATURES}
        assert (panel[f"{feature.column}_other"].fillna(0) == 0).all()  # all types known
    gov = [c for c in panel.columns if c.startswith("gov_") and c != "gov_cf"]
    assert "gov_military" in gov and "gov_presidential_democracy" in gov
    rows = panel[panel["gov_cf"].notna()]
    assert (rows[gov].sum(axis=1) == 1).all()  # exactly one type per state-year
    assert panel.loc[panel["gov_cf"].isna(), gov].isna().all().all()


def test_design_uses_features_of_the_year_before(panel):
    rows = design(panel)
    features = feature_columns(panel)
    assert set(OUTCOMES) <= set(rows.columns)
    assert not set(OUTCOMES) & set(features)
    by_year = panel.set_index(["gwcode", "year"])
    for code, target in ((432, 2021), (432, 2012), (2, 1990), (437, 2000)):
        row = rows[(rows["gwcode"] == code) & (rows["year"] == target)].iloc[0]
        before, same = by_year.loc[(code, target - 1)], by_year.loc[(code, target)]
        pd.testing.assert_series_equal(row[features], before[features], check_names=False,
                                       check_dtype=False)
        assert row["n_attempts"] == same["n_attempts"]
    last = int(panel["year"].max())
    future = rows[rows["year"] == last + 1]
    assert len(future) == (panel["year"] == last).sum()
    assert future[list(OUTCOMES)].isna().all().all()
    # a state's first year has no row: nothing was known about it the year before
    assert rows[(rows["gwcode"] == 626) & (rows["year"] == 2011)].empty  # South Sudan
    assert len(rows[(rows["gwcode"] == 626) & (rows["year"] == 2012)]) == 1
    assert rows[rows["year"] == 1950].empty


def test_feature_columns_exclude_ids_and_outcomes(panel):
    columns = feature_columns(panel)
    assert not {"gwcode", "iso3", "country", "year", "outcome_partial_year"} & set(columns)
    assert {"years_since_attempt", "v2x_veracc_osp_d5", "oil_price", "milex_gdp"} <= set(
        columns)


# --- truncation invariance ------------------------------------------------------------------

GW_PANELS = ["gw/gwstate_age.csv", "vdem/vdem_spaces_1968_2023.csv",
             "wdi/gdp_gw_1950_2024.csv", "wdi/population_gw_1816_2025.csv",
             "wdi/infmort_gw_1960_2023.csv", "wdi/ict_gw.csv",
             "reign/reign_country_year_1950_2019.csv", "ucdp/acd_gw.csv", "epr/epr_gw.csv",
             "oil/oil_prices.csv"]
WDI_BULK = ["wdi/API_MS.MIL.XPND.GD.ZS_DS2_en_csv_v2.csv",
            "wdi/API_NY.GDP.MKTP.CD_DS2_en_csv_v2.csv", "wdi/API_SP.POP.TOTL_DS2_en_csv_v2.csv"]


def _keep(path: Path, t: int, column: str, *, delimiter: str = ",", year=int) -> None:
    rows = read_rows(path, delimiter=delimiter)
    col = rows[0].index(column)
    write_rows(path, [rows[0]] + [r for r in rows[1:] if year(r[col]) <= t],
               delimiter=delimiter)


def truncated_mirror(dest: Path, t: int) -> Path:
    """The mirror as it would have looked at the end of year ``t``."""
    copy_mirror(dest)
    for name in GW_PANELS:
        _keep(dest / name, t, "year")
    _keep(dest / "powell-thyne/powell_thyne_coups_final_2015.txt", t, "year", delimiter="\t")
    _keep(dest / "powell-thyne/powell_thyne_coups_v2022-11-29.csv", t, "year")
    _keep(dest / "cline/Coup_Data_v2.1.2.csv", t, "year")
    for name in WDI_BULK:  # wide: drop the year columns after t
        raw = (dest / name).read_bytes().split(b"\n")
        preamble = b"\n".join(raw[:4]) + b"\n"
        rows = list(csv.reader(b"\n".join(raw[4:]).decode("utf-8").splitlines()))
        keep = [i for i, h in enumerate(rows[0]) if not (h.isdigit() and int(h) > t)]
        body = [[r[i] for i in keep] for r in rows]
        write_rows(dest / name, body, preamble=preamble, quoting=csv.QUOTE_ALL,
                   encoding="utf-8")
    leaders = dest / "reign/leaderlist_3_21.csv"
    rows = read_rows(leaders)
    head = rows[0]
    syear, eyear, emonth = head.index("syear"), head.index("eyear"), head.index("emonth")
    kept = [head]
    for row in rows[1:]:
        if int(row[syear]) > t:
            continue
        if row[eyear].strip() and int(row[eyear]) > t:
            row[eyear] = row[emonth] = ""  # still in office at the end of t
        kept.append(row)
    write_rows(leaders, kept)
    _keep(dest / "reign/electionlist_3_21.csv", t, "elec_year")
    regimes = dest / "reign/regime_list.csv"
    rows = read_rows(regimes)
    start, end = rows[0].index("gwf_startdate"), rows[0].index("gwf_enddate")
    kept = [rows[0]]
    for row in rows[1:]:
        if int(row[start].split("/")[2]) > t:
            continue
        if int(row[end].split("/")[2]) > t:
            row[end] = f"12/31/{t}"
        kept.append(row)
    write_rows(regimes, kept)
    return dest


@pytest.fixture(scope="module", params=[2010, 2016])
def truncated(request, tmp_path_factory) -> tuple[int, Path, pd.DataFrame]:
    """Warehouse and panel built from the mirror cut at year t."""
    t = request.param
    base = tmp_path_factory.mktemp(f"cut{t}")
    mirror = truncated_mirror(base / "mirror", t)
    operations.update_data(mirror=mirror, path=base / "warehouse.duckdb")
    return t, base / "warehouse.duckdb", operations.load_panel(base / "warehouse.duckdb")


def test_truncated_warehouse_holds_nothing_after_t(truncated):
    t, db, _ = truncated
    years = query(db, """SELECT max(year) AS y FROM (
                           SELECT year FROM events UNION ALL SELECT year FROM indicators)""")
    assert years["y"].iloc[0] == t
    files = query(db, "SELECT count(*) AS n FROM provenance")["n"].iloc[0]
    assert files == 19


def test_truncation_invariance(truncated, panel):
    """Features of every row with year <= t are the same whether or not later data exist."""
    t, _, cut = truncated
    assert int(cut["year"].max()) == t
    full = panel[panel["year"] <= t]
    columns = feature_columns(panel)
    assert set(feature_columns(cut)) == set(columns)
    key = ["gwcode", "year"]
    left = full[key + columns].sort_values(key).reset_index(drop=True)
    right = cut[key + columns].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
