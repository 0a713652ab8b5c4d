"""Wikidata: heads of state and of government, and national elections, from its SPARQL
endpoint (``https://query.wikidata.org/sparql``). A live source: REIGN's lists stop in March
2021, Wikidata continues them (how the two are joined: ``panel.leader_join``).

Two queries, each answer one cached file (``wikidata/leaders.json``, ``wikidata/elections.json``
under the download cache; ``fetch`` asks the endpoint of ``COUPWATCH_WIKIDATA_URL`` and reuses
an answer younger than ``COUPWATCH_WIKIDATA_MAX_AGE`` hours). Online only: a mirror holds no
Wikidata answer, so ``data update`` from a mirror skips this source and keeps what the
warehouse already holds of it.

Wikidata terms used (property and item pages on wikidata.org):

- countries: items with an ISO 3166-1 alpha-3 code (P298), mapped to G&W states by that code
  (``countries.iso3_to_gw``). A code of a territory or dependency (Puerto Rico, Greenland,
  Hong Kong ...) is reported as unmapped, as for WDI; a code no list knows is bad input.
- leaders: statements head of state (P35) and head of government (P6) on the country, with
  qualifiers start time (P580, required) and end time (P582; none: in office when the query
  ran). Deprecated statements are left out. ``detail`` is the office (``head_of_state`` /
  ``head_of_government``), ``ref`` the person's item, ``name`` its English label.
  ``military``: 1 when the person's occupation (P106) is military officer (Q189290) or
  military personnel (Q47064) or a military rank (P410) is recorded; 0 when occupations are
  recorded and none is military; unknown when none are.
- elections: items that are an instance (P31) of a subclass (P279*) of presidential election
  (Q858439, ``name`` executive), general election (Q1076105, general), legislative election
  (Q2618461, legislative) or referendum (Q43109), with country (P17) and point in time (P585).
  Left out: European Parliament elections (Q1128324) and elections whose applies to
  jurisdiction (P1001) is another place than the country (regional and local votes). One
  record per election item: its latest date (a run-off's), the first type in the order
  above. ``detail``: ``held`` when the date's period (day, month or year) had ended when the
  query ran, else ``scheduled``; Wikidata does not say reliably which votes were cancelled.
  Successful candidate (P991) is not used.

Dates: time values with their precision (wikibase:timePrecision 9 year, 10 month, 11 day);
coarser ones are left out by the queries. Each answer's ``asof`` is the query's NOW(): the
release is that day, and open spells and scheduled votes are as of then. ``line`` in the
warehouse is the record's number in the answer.

Strict reading (``sources.sparql``): besides the shape rules there, a spell that ends before
it starts, an unknown country code, a year outside 1800-2100 or two query times in one
answer are bad input (the queries leave such statements out, so a live answer has none).
A complete answer covers at least 150 states (leaders) and 100 (elections).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coupwatch import countries
from coupwatch.errors import BadInput
from coupwatch.sources import sparql
from coupwatch.sources.base import Connector, Parsed, SourceFile
from coupwatch.sources.spells import frame

ENDPOINT = "https://query.wikidata.org/sparql"
OFFICES = ("head_of_state", "head_of_government")
KINDS = ("executive", "general", "legislative", "referendum")  # in order of preference
LEAST_STATES = {"leaders": 150, "elections": 100}

LEADERS = """
SELECT ?country ?iso3 ?office ?person ?personLabel ?start ?startPrecision ?end ?endPrecision
       ?military ?occupations ?asof WHERE {
  ?country wdt:P298 ?iso3 .
  { ?country p:P35 ?statement . ?statement ps:P35 ?person . BIND("head_of_state" AS ?office) }
  UNION
  { ?country p:P6 ?statement . ?statement ps:P6 ?person .
    BIND("head_of_government" AS ?office) }
  FILTER(STRSTARTS(STR(?person), "http://www.wikidata.org/entity/Q"))
  FILTER NOT EXISTS { ?statement wikibase:rank wikibase:DeprecatedRank }
  ?statement pqv:P580 [ wikibase:timeValue ?start ; wikibase:timePrecision ?startPrecision ] .
  OPTIONAL { ?statement pqv:P582 [ wikibase:timeValue ?end ;
                                   wikibase:timePrecision ?endPrecision ] . }
  FILTER(?startPrecision >= 9 && YEAR(?start) >= 1800 && YEAR(?start) <= 2100)
  FILTER(!BOUND(?end) || (?endPrecision >= 9 && YEAR(?end) >= 1945 && YEAR(?end) <= 2100
                          && ?end >= ?start))
  BIND(EXISTS { ?person wdt:P106 ?job . VALUES ?job { wd:Q189290 wd:Q47064 } }
       || EXISTS { ?person wdt:P410 ?rank } AS ?military)
  BIND(EXISTS { ?person wdt:P106 ?anyJob } AS ?occupations)
  BIND(NOW() AS ?asof)
  SERVICE wikibase:label { bd:serviceParam wikibase:language "en,mul". }
}"""

ELECTIONS = """
SELECT ?country ?iso3 ?election ?kind ?date ?datePrecision ?asof WHERE {
  VALUES (?class ?kind) { (wd:Q858439 "executive") (wd:Q1076105 "general")
                          (wd:Q2618461 "legislative") (wd:Q43109 "referendum") }
  ?election wdt:P31/wdt:P279* ?class ;
            wdt:P17 ?country ;
            p:P585/psv:P585 [ wikibase:timeValue ?date ; wikibase:timePrecision ?datePrecision ] .
  ?country wdt:P298 ?iso3 .
  FILTER(?datePrecision >= 9 && YEAR(?date) >= 1945 && YEAR(?date) <= 2100)
  FILTER NOT EXISTS { ?election wdt:P1001 ?area . FILTER(?area != ?country) }
  FILTER NOT EXISTS { ?election wdt:P31/wdt:P279* wd:Q1128324 }
  BIND(NOW() AS ?asof)
}"""

LEADER_VARS = ("country", "iso3", "office", "person", "personLabel", "start", "startPrecision",
               "end", "endPrecision", "military", "occupations", "asof")
ELECTION_VARS = ("country", "iso3", "election", "kind", "date", "datePrecision", "asof")


class Wikidata(Connector):
    name = "wikidata"
    title = "Wikidata: heads of state and government, national elections"
    publisher = "Wikimedia Foundation (Wikidata community)"
    licence = "CC0 1.0"
    citation = "Wikidata (www.wikidata.org), queried through the Wikidata Query Service"
    files = (
        SourceFile("wikidata/leaders.json", sparql.query_url(ENDPOINT, LEADERS),
                   "heads of state (P35) and of government (P6) with start and end times",
                   online_only=True, query=LEADERS),
        SourceFile("wikidata/elections.json", sparql.query_url(ENDPOINT, ELECTIONS),
                   "national elections and referendums with their dates (P585)",
                   online_only=True, query=ELECTIONS),
    )

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        if Path(file.path).stem == "leaders":
            return parse_leaders(path, file.max_bytes)
        return parse_elections(path, file.max_bytes)


def _period_end(when: pd.Timestamp, precision: str) -> pd.Timestamp:
    """The last day of the day, month or year a time value names."""
    if precision == "year":
        return pd.Timestamp(when.year, 12, 31)
    return when + pd.offsets.MonthEnd(0) if precision == "month" else when


def _asof(answer: sparql.Answer) -> pd.Timestamp:
    """The query time every record carries (NOW()), the same in all of them."""
    seen: pd.Timestamp | None = None
    for index in range(len(answer)):
        text = answer.typed(index, "asof", "dateTime", True)
        try:
            when = pd.Timestamp(text.removesuffix("Z"))
        except ValueError:
            raise answer.fail(index, "asof", f"'{text}' is not a date and time") from None
        if seen is not None and when != seen:
            raise answer.fail(index, "asof", f"{when} differs from the query time of the "
                              f"records before ({seen}): two answers in one file?")
        seen = when
    if seen is None:
        raise BadInput("the answer has no records (a complete answer holds thousands)",
                       file=answer.path)
    return seen


def _state(answer: sparql.Answer, index: int, unmapped: dict, year: int) -> int | None:
    """The G&W state of a record's country; territories are noted in ``unmapped``."""
    qid, iso3 = answer.entity(index, "country"), answer.text(index, "iso3")
    try:
        code = countries.iso3_to_gw(iso3)
    except KeyError:
        raise answer.fail(index, "iso3", f"unknown country entity {qid} (ISO3 '{iso3}'): "
                          "neither a G&W state nor a territory or aggregate") from None
    if code is None:
        entry = unmapped.setdefault(iso3, {"code": f"ISO3 {iso3}", "name": f"Wikidata {qid}",
                                           "years": []})
        entry["years"].append(year)
    return code


def _unmapped(entries: dict) -> list[dict]:
    return [{"code": e["code"], "name": e["name"], "year_min": min(e["years"]),
             "year_max": max(e["years"]), "rows": len(e["years"]),
             "reason": "no G&W state (territory or dependency)"} for e in entries.values()]


def _floor(path: Path, rows: list[dict], what: str) -> None:
    states = len({r["gwcode"] for r in rows})
    if states < LEAST_STATES[what]:
        raise BadInput(f"holds {what} of {states} states; a complete answer has at least "
                       f"{LEAST_STATES[what]} (a partial answer?)", file=path)


def parse_leaders(path: Path, limit: int = sparql.MAX_BYTES) -> Parsed:
    answer = sparql.read_answer(path, LEADER_VARS, limit=limit)
    asof = _asof(answer)
    rows, unmapped = [], {}
    for i in range(len(answer)):
        office = answer.text(i, "office")
        if office not in OFFICES:
            raise answer.fail(i, "office", f"unknown office '{office}' (expected "
                              f"{', '.join(OFFICES)})")
        person, label = answer.entity(i, "person"), answer.text(i, "personLabel")
        start, start_precision = answer.time(i, "start", "startPrecision")
        end, end_precision = answer.time(i, "end", "endPrecision", required=False)
        if end is not None and _period_end(end, end_precision) < start:
            raise answer.fail(i, "end", f"{person} leaves office ({end:%Y-%m-%d}) before "
                              f"taking it ({start:%Y-%m-%d})")
        military = 1.0 if answer.boolean(i, "military") else (
            0.0 if answer.boolean(i, "occupations") else None)
        code = _state(answer, i, unmapped, start.year)
        if code is not None:
            rows.append({"gwcode": code, "cowcode": None, "kind": "leader",
                         "start_date": start, "start_precision": start_precision,
                         "end_date": end, "end_precision": end_precision, "name": label,
                         "military": military, "detail": office, "ref": person,
                         "release": f"{asof:%Y-%m-%d}", "line": i + 1})
    _floor(path, rows, "leaders")
    spells = frame(rows)
    same = spells.drop(columns=["line"]).duplicated()
    return Parsed(release=f"{asof:%Y-%m-%d}", spells=spells[~same].reset_index(drop=True),
                  unmapped=_unmapped(unmapped), duplicates=int(same.sum()))


def parse_elections(path: Path, limit: int = sparql.MAX_BYTES) -> Parsed:
    answer = sparql.read_answer(path, ELECTION_VARS, limit=limit)
    asof = _asof(answer)
    best: dict[tuple[int, str], dict] = {}
    unmapped: dict = {}
    for i in range(len(answer)):
        election, kind = answer.entity(i, "election"), answer.text(i, "kind")
        if kind not in KINDS:
            raise answer.fail(i, "kind", f"unknown election type '{kind}' (expected "
                              f"{', '.join(KINDS)})")
        day, precision = answer.time(i, "date", "datePrecision")
        code = _state(answer, i, unmapped, day.year)
        if code is None:
            continue
        held = _period_end(day, precision) <= asof
        row = {"gwcode": code, "cowcode": None, "kind": "election", "start_date": None,
               "start_precision": None, "end_date": day, "end_precision": precision,
               "name": kind, "military": None, "detail": "held" if held else "scheduled",
               "ref": election, "release": f"{asof:%Y-%m-%d}", "line": i + 1}
        known = best.get((code, election))
        if known is None or (day, -KINDS.index(kind)) > (known["end_date"],
                                                        -KINDS.index(known["name"])):
            best[(code, election)] = row
    rows = sorted(best.values(), key=lambda r: r["line"])
    _floor(path, rows, "elections")
    return Parsed(release=f"{asof:%Y-%m-%d}", spells=frame(rows), unmapped=_unmapped(unmapped))


CONNECTOR = Wikidata()
