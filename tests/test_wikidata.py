"""The Wikidata connector: recorded answers read strictly, the download path from 127.0.0.1
with its cache, an unreachable endpoint, and every bad answer refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import MIRROR, checksum, query, run_cli
from wikidata_fixtures import (
    ASOF,
    country_item,
    election,
    elections_answer,
    endpoint,
    leader,
    leaders_answer,
    states,
    typed,
)

from coupwatch.errors import BadInput
from coupwatch.sources import CONNECTORS, MIRRORED, wikidata

LEADERS, ELECTIONS = wikidata.CONNECTOR.files

USA = [leader("USA", "head_of_state", "Q6279", "Joe Biden", "2021-01-20", "2025-01-20"),
       leader("USA", "head_of_state", "Q22686", "Donald Trump", "2025-01-20")]
ODD = [leader("MLI", "head_of_state", "Q1", "A. Goïta", "2021-05", precision="month",
              military=True),
       leader("MLI", "head_of_government", "Q2", "Nobody Known", "2021", precision="year",
              occupations=False),
       leader("PRI", "head_of_government", "Q3", "Territorial Governor", "2021-01-02"),
       leader("USA", "head_of_state", "Q6279", "Joe Biden", "2021-01-20", "2025-01-20")]


def write(tmp_path: Path, name: str, body: bytes) -> Path:
    path = tmp_path / "wikidata" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


def cut_inside(body: bytes, record: int) -> bytes:
    """The answer cut 60 bytes into its ``record``-th record (1-based)."""
    starts = [i for i in range(len(body)) if body.startswith(b'"country": {', i)]
    return body[:starts[record - 1] + 60]


def records(body: bytes) -> list[dict]:
    return json.loads(body)["results"]["bindings"]


def rebuilt(body: bytes, rows: list[dict]) -> bytes:
    answer = json.loads(body)
    answer["results"]["bindings"] = rows
    return json.dumps(answer).encode()


# --- reading recorded answers ---------------------------------------------------------------

def test_leaders_are_spells_with_precision_office_and_military(tmp_path):
    path = write(tmp_path, "leaders.json", leaders_answer([*USA, *ODD], skip={"USA", "MLI"}))
    parsed = wikidata.CONNECTOR.parse(LEADERS, path)
    assert parsed.release == ASOF[:10] and parsed.duplicates == 1  # Biden twice
    spells = parsed.spells
    biden = spells[spells["ref"] == "Q6279"].iloc[0]
    assert (biden["gwcode"], biden["kind"], biden["detail"]) == (2, "leader", "head_of_state")
    assert biden["start_date"] == pd.Timestamp(2021, 1, 20) and biden["start_precision"] == "day"
    assert biden["end_date"] == pd.Timestamp(2025, 1, 20) and biden["military"] == 0
    assert biden["name"] == "Joe Biden" and biden["line"] == 1
    assert pd.isna(spells.loc[spells["ref"] == "Q22686", "end_date"]).all()  # in office
    goita = spells[spells["ref"] == "Q1"].iloc[0]
    assert goita["start_date"] == pd.Timestamp(2021, 5, 1) and goita["start_precision"] == "month"
    assert goita["military"] == 1 and goita["gwcode"] == 432
    nobody = spells[spells["ref"] == "Q2"].iloc[0]
    assert nobody["start_date"] == pd.Timestamp(2021, 1, 1) and nobody["start_precision"] == "year"
    assert pd.isna(nobody["military"])  # no occupation recorded: unknown, not 0
    assert "Q3" not in set(spells["ref"])  # Puerto Rico is no G&W state
    assert parsed.unmapped == [{"code": "ISO3 PRI", "name": f"Wikidata {country_item('PRI')}",
                                "year_min": 2021, "year_max": 2021, "rows": 1,
                                "reason": "no G&W state (territory or dependency)"}]
    assert spells["gwcode"].nunique() == len(states())
    assert parsed.years() == (2021, 2025)


def test_elections_one_record_per_item_held_or_scheduled(tmp_path):
    votes = [election("USA", "Q1", "legislative", "2022-11-08"),
             election("USA", "Q1", "general", "2022-11-08"),  # two classes: the first type
             election("USA", "Q2", "executive", "2024-11-05"),
             election("USA", "Q2", "executive", "2024-11-26"),  # a second round: the latest
             election("USA", "Q3", "legislative", "2025", precision="year"),
             election("USA", "Q4", "referendum", "2025-01-14"),
             election("GRL", "Q5", "legislative", "2021-04-06")]
    path = write(tmp_path, "elections.json", elections_answer(votes))
    parsed = wikidata.CONNECTOR.parse(ELECTIONS, path)
    usa = parsed.spells[parsed.spells["gwcode"] == 2].set_index("ref")
    assert usa.loc["Q1", "name"] == "general" and usa.loc["Q1", "detail"] == "held"
    assert usa.loc["Q2", "end_date"] == pd.Timestamp(2024, 11, 26)
    # dated to the year 2025: not over when the query ran in January 2025
    assert usa.loc["Q3", "detail"] == "scheduled" and usa.loc["Q3", "end_precision"] == "year"
    assert usa.loc["Q4", "detail"] == "held"  # the day before the query
    assert usa["start_date"].isna().all()  # Wikidata gives no announcement date
    assert [u["code"] for u in parsed.unmapped] == ["ISO3 GRL"]


BAD_ANSWERS = {
    "missing binding": (lambda r: r.pop("start"), "record 17, binding 'start'", "missing"),
    "unknown country entity": (lambda r: r.update(iso3={"type": "literal", "value": "XQZ"}),
                               "record 17, binding 'iso3'", "unknown country entity"),
    "end before start": (lambda r: r.update(leader("USA", "head_of_state", "Q9", "X",
                                                   "2021-06-01", "2019-02-03")),
                         "record 17, binding 'end'", "before taking it"),
    "time as text": (lambda r: r.update(start={"type": "literal", "value": "2021-06-01"}),
                     "record 17, binding 'start'", "datatype None"),
    "an item as text": (lambda r: r.update(person={"type": "literal", "value": "Q1"}),
                        "record 17, binding 'person'", "not a uri"),
    "coarse precision": (lambda r: r.update(startPrecision=typed("8", "integer")),
                         "record 17, binding 'startPrecision'", "time precision"),
    "unknown office": (lambda r: r.update(office={"type": "literal", "value": "king"}),
                       "record 17, binding 'office'", "unknown office"),
    "two query times": (lambda r: r.update(asof=typed("2025-02-01T00:00:00Z", "dateTime")),
                        "record 17, binding 'asof'", "two answers"),
}


@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_a_changed_answer_is_bad_input(tmp_path, case):
    change, where, words = BAD_ANSWERS[case]
    body = leaders_answer([])
    rows = records(body)
    change(rows[16])
    path = write(tmp_path, "leaders.json", rebuilt(body, rows))
    with pytest.raises(BadInput) as err:
        wikidata.CONNECTOR.parse(LEADERS, path)
    assert str(err.value).startswith(f"{path}, {where}: "), str(err.value)
    assert words in str(err.value)


def test_the_shape_of_the_answer_is_checked(tmp_path):
    body = leaders_answer([])
    cases = {
        b"<!DOCTYPE html><html><body>Service Temporarily Unavailable</body></html>\n":
            "row 1: file is an HTML/XML page",
        cut_inside(body, 300): "record 300: the answer stops",
        body.replace(b'"personLabel",', b"", 1): "head.vars lacks 'personLabel'",
        b'{"head": {"vars": []}, "boolean": true}': "needs head.vars and results.bindings",
        rebuilt(body, records(body)[:100]): "holds leaders of 50 states",
        b"": "file is empty",
    }
    for answer, words in cases.items():
        path = write(tmp_path, "leaders.json", answer)
        with pytest.raises(BadInput) as err:
            wikidata.CONNECTOR.parse(LEADERS, path)
        assert str(err.value).startswith(f"{path}") and words in str(err.value), str(err.value)
    votes = elections_answer([election("USA", "Q1", "mayoral", "2022-11-08")])
    with pytest.raises(BadInput, match="record 1, binding 'kind': unknown election type"):
        wikidata.CONNECTOR.parse(ELECTIONS, write(tmp_path, "elections.json", votes))


def test_the_record_a_truncated_answer_stops_in_is_named(tmp_path):
    body = leaders_answer([])
    cut = cut_inside(body, 17) + b"\nSPARQL-QUERY: queryStr=... java.util.concurrent."
    path = write(tmp_path, "leaders.json", cut)
    with pytest.raises(BadInput) as err:
        wikidata.CONNECTOR.parse(LEADERS, path)
    assert str(err.value).startswith(f"{path}, record 17: the answer stops inside this record")


def test_the_connector_has_the_shape_of_the_others():
    assert "wikidata" in CONNECTORS and "wikidata" not in MIRRORED
    for file in wikidata.CONNECTOR.files:
        assert file.online_only and file.query
        assert file.url.startswith(wikidata.ENDPOINT + "?") and "format=json" in file.url
        assert not (MIRROR / file.path).exists()


# --- the download path ---------------------------------------------------------------------

def _update(home: Path, url: str, *args: str, **env: str):
    return run_cli("data", "update", "--source", "wikidata", *args, home=home,
                   COUPWATCH_WIKIDATA_URL=url, **env)


def test_download_cache_and_an_unreachable_endpoint(tmp_path, home):
    db, cache = home / "warehouse.duckdb", home / "cache" / "wikidata"
    leaders, votes = leaders_answer(USA, skip={"USA"}), elections_answer([])
    with endpoint(tmp_path, leaders, votes) as (url, handler):
        first = _update(home, url)
        assert first.returncode == 0, first.stderr
        assert "loaded" in first.stdout
        assert [r["name"] for r in handler.requests] == ["leaders", "elections"]
        assert {r["format"] for r in handler.requests} == {"json"}
        assert all(r["agent"].startswith("coupwatch/") for r in handler.requests)
        again = _update(home, url)  # a fresh cached answer is not asked for again
        assert again.returncode == 0 and "unchanged" in again.stdout, again.stderr
        assert len(handler.requests) == 2
    assert (cache / "leaders.json").read_bytes() == leaders
    prov = query(db, "SELECT file, release, origin, rows FROM provenance "
                     "WHERE source = 'wikidata' ORDER BY file")
    assert list(prov["file"]) == ["wikidata/elections.json", "wikidata/leaders.json"]
    assert set(prov["release"]) == {ASOF[:10]} and set(prov["origin"]) == {url}
    stored = query(db, "SELECT count(*) AS n FROM spells WHERE source = 'wikidata'")["n"][0]
    assert stored == prov["rows"].sum()
    before = checksum(db)
    # the endpoint is gone (its server stopped): exit 1, nothing changed, the cache kept
    down = _update(home, url, COUPWATCH_WIKIDATA_MAX_AGE="0")
    assert down.returncode == 1, down.stdout + down.stderr
    lines = down.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {url} (query for "
                                                   "wikidata/leaders.json): download failed")
    assert "the answer cached" in lines[0] and "COUPWATCH_WIKIDATA_MAX_AGE" in lines[0]
    assert checksum(db) == before
    assert (cache / "leaders.json").read_bytes() == leaders
    # the next update uses the cached answer (younger than the default 20 hours)
    cached = _update(home, url)
    assert cached.returncode == 0 and "unchanged" in cached.stdout, cached.stderr
    # an update from a mirror skips the source and keeps what the warehouse holds of it
    mirror = run_cli("data", "update", "--mirror", MIRROR, "--source", "wikidata", home=home)
    assert mirror.returncode == 0 and "skipped" in mirror.stdout, mirror.stderr
    assert checksum(db)["spells"] == before["spells"]


def test_an_unreachable_endpoint_without_a_cache_exits_1(home):
    url = "http://127.0.0.1:9/sparql"  # the discard port: nothing listens
    before = checksum(home / "warehouse.duckdb")
    result = _update(home, url)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and "download failed" in result.stderr
    assert "cached" not in result.stderr
    assert checksum(home / "warehouse.duckdb") == before


def _bad(body: bytes, index: int, change) -> bytes:
    rows = records(body)
    change(rows[index])
    return rebuilt(body, rows)


CLI_CASES = {
    "html": (lambda b: b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>\n",
             "row 1: file is an HTML/XML page"),
    "truncated": (lambda b: cut_inside(b, 17), "record 17: the answer stops inside this record"),
    "missing binding": (lambda b: _bad(b, 16, lambda r: r.pop("start")),
                        "record 17, binding 'start': missing"),
    "unknown country": (lambda b: _bad(b, 16, lambda r: r.update(iso3={
        "type": "literal", "value": "XQZ"})), "record 17, binding 'iso3': unknown country"),
    "end before start": (lambda b: _bad(b, 16, lambda r: r.update(leader(
        "USA", "head_of_state", "Q9", "X", "2021-06-01", "2019-02-03"))),
        "record 17, binding 'end': Q9 leaves office"),
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_a_bad_answer_stops_the_update_in_one_line(tmp_path, home, case):
    make, words = CLI_CASES[case]
    db = home / "warehouse.duckdb"
    before = checksum(db)
    with endpoint(tmp_path, make(leaders_answer([])), elections_answer([])) as (url, _):
        result = _update(home, url)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    target = home / "cache" / "wikidata" / "leaders.json"
    assert len(lines) == 1 and lines[0].startswith(f"error: {target}, {words}"), lines
    assert checksum(db) == before
