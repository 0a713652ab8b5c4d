"""Recorded Wikidata answers built in code (SPARQL 1.1 JSON results), and a local endpoint.

The answers have the shape the Wikidata query service gives for the connector's queries:
URIs for items, plain literals for codes and labels, typed literals for times (with their
precision as an xsd:integer), booleans and the query time. Every G&W state with an ISO3 code
gets filler spells and a vote that start after REIGN's last complete year (so they neither
change REIGN's years nor the comparisons of them) and make the answers complete enough for
the floors; the tests add the records they check.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
from http_fixtures import QuietHandler, http_server

from coupwatch import countries
from coupwatch.sources import wikidata

XSD = "http://www.w3.org/2001/XMLSchema#"
ASOF = "2025-01-15T08:30:12.5Z"  # the query time (NOW()) of every record
PRECISION = {"day": 11, "month": 10, "year": 9}


def item(qid: str) -> dict:
    return {"type": "uri", "value": f"http://www.wikidata.org/entity/{qid}"}


def plain(text: str, lang: str | None = None) -> dict:
    out = {"type": "literal", "value": text}
    if lang:
        out["xml:lang"] = lang
    return out


def typed(text: str, datatype: str) -> dict:
    return {"datatype": XSD + datatype, "type": "literal", "value": text}


def country_item(iso3: str) -> str:
    return "Q" + "".join(str(ord(c)) for c in iso3)  # a made-up item per country


def time(date: str, precision: str = "day") -> tuple[dict, dict]:
    """A time value as the query service gives it: month and year precision padded with 01."""
    parts = date.split("-") + ["01"] * (3 - len(date.split("-")))
    return (typed(f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z", "dateTime"),
            typed(str(PRECISION[precision]), "integer"))


def leader(iso3: str, office: str, person: str, label: str, start: str, end: str | None = None,
           *, precision: str = "day", end_precision: str = "day", military: bool = False,
           occupations: bool = True) -> dict:
    """One record of the leaders query (``office``: head_of_state / head_of_government)."""
    start_value, start_precision = time(start, precision)
    record = {"country": item(country_item(iso3)), "iso3": plain(iso3), "office": plain(office),
              "person": item(person), "personLabel": plain(label, "en"),
              "start": start_value, "startPrecision": start_precision,
              "military": typed(str(military).lower(), "boolean"),
              "occupations": typed(str(occupations).lower(), "boolean"),
              "asof": typed(ASOF, "dateTime")}
    if end is not None:
        record["end"], record["endPrecision"] = time(end, end_precision)
    return record


def election(iso3: str, qid: str, kind: str, date: str, precision: str = "day") -> dict:
    value, digits = time(date, precision)
    return {"country": item(country_item(iso3)), "iso3": plain(iso3), "election": item(qid),
            "kind": plain(kind), "date": value, "datePrecision": digits,
            "asof": typed(ASOF, "dateTime")}


def states() -> list[tuple[int, str]]:
    frame = countries.gw_states()
    return [(int(g), iso) for g, iso in zip(frame["gwcode"], frame["iso3"], strict=True) if iso]


def filler_leaders(skip: set[str] = frozenset()) -> list[dict]:
    return [leader(iso, office, f"Q7{gw:03d}{n}", f"Filler {office} {iso}", "2021-06-01")
            for gw, iso in states() if iso not in skip
            for n, office in enumerate(wikidata.OFFICES)]


def filler_elections(skip: set[str] = frozenset()) -> list[dict]:
    return [election(iso, f"Q8{gw:03d}", "legislative", "2019-06-02")
            for gw, iso in states() if iso not in skip]


def answer(variables: tuple[str, ...], records: list[dict]) -> bytes:
    return json.dumps({"head": {"vars": list(variables)},
                       "results": {"bindings": records}}, indent=1).encode()


def leaders_answer(records: list[dict], skip: set[str] = frozenset()) -> bytes:
    return answer(wikidata.LEADER_VARS, [*records, *filler_leaders(skip)])


def elections_answer(records: list[dict], skip: set[str] = frozenset()) -> bytes:
    return answer(wikidata.ELECTION_VARS, [*records, *filler_elections(skip)])


class Endpoint(QuietHandler):
    """Answers GET /sparql?query=...&format=json with the body set for that query."""

    bodies: dict[str, bytes] = {}  # "leaders" / "elections" -> the answer
    requests: list[dict] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        url = urlparse(self.path)
        params = parse_qs(url.query)
        query = params.get("query", [""])[0]
        name = "leaders" if "p:P35" in query else "elections" if "P585" in query else ""
        type(self).requests.append({"path": url.path, "name": name,
                                    "format": params.get("format", [""])[0],
                                    "agent": self.headers.get("User-Agent", "")})
        body = type(self).bodies.get(name)
        if url.path != "/sparql" or body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def endpoint(root: Path, leaders: bytes, elections: bytes) -> Iterator[tuple[str, type]]:
    """A SPARQL endpoint on 127.0.0.1 answering the two queries; yields (URL, handler)."""
    handler: type[SimpleHTTPRequestHandler] = type(
        "Answers", (Endpoint,), {"bodies": {"leaders": leaders, "elections": elections},
                                 "requests": []})
    with http_server(root, handler) as url:
        yield f"{url}/sparql", handler


# --- constructed histories: REIGN's own spells, as Wikidata could have them ------------------

FILLED_ELSEWHERE = {"USA", "MLI", "GBR", "FRA"}  # no filler spells: their records are below


def _qid(ref: str) -> str:
    return f"Q{zlib.crc32(ref.encode()) % 10**8}"


def reign_spells(db: Path, gwcode: int) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("""SELECT start_date, end_date, name, ref, military FROM spells
                              WHERE source = 'reign' AND kind = 'leader' AND gwcode = ?
                              ORDER BY start_date""", [gwcode]).fetchall()
    finally:
        con.close()


def _copy(iso3: str, spells: list[tuple], **change: tuple[str | None, str | None]) -> list[dict]:
    """REIGN's spells as head-of-state records (start day, end month); ``change`` maps a
    REIGN ``leadid`` to another (start, end)."""
    out = []
    for start, end, name, ref, military in spells:
        begin = f"{start:%Y-%m-%d}"
        finish = f"{end:%Y-%m}" if end is not None else None
        begin, finish = change.get(ref, (begin, finish))
        out.append(leader(iso3, "head_of_state", _qid(ref), name, begin, finish,
                          end_precision="month" if finish and len(finish) == 7 else "day",
                          military=military == 1))
    return out


def history(db: Path) -> tuple[list[dict], list[dict]]:
    """Leader and election records for the USA, Mali and the UK (France: none).

    USA: REIGN's spells as they are; Biden ends on 20 January 2025, Trump follows. Mali:
    REIGN's spells from Traore (1968) on, with two differences, Keita's second spell starting
    in February 2014 instead of September 2013 and Konare's recorded as two statements
    (1992-1997, 1997-2002); Ba N'Daou leaves on 25 May 2021 and Goita, military, follows.
    UK: the Queen and the King as heads of state, Johnson, Truss, Sunak and Starmer as heads
    of government.
    """
    usa = reign_spells(db, 2)
    trump = next(ref for _, _, name, ref, _ in usa if name == "Trump")
    leaders = _copy("USA", usa, **{"ctb-2-1": ("2021-01-20", "2025-01-20")})
    leaders.append(leader("USA", "head_of_state", _qid(trump), "Donald Trump", "2025-01-20"))
    mali = [s for s in reign_spells(db, 432) if s[0].year > 1960]
    konare = next(s for s in mali if s[2] == "Konare")
    leaders += _copy("MLI", mali, **{"cb-432-2": ("2012-04-12", "2014-02"),
                                     "cb-432-3": ("2014-02-01", "2020-08"),
                                     konare[3]: ("1992-06-06", "1997-06-08"),
                                     "ctb-432-2": ("2020-09-25", "2021-05-25")})
    leaders.append(leader("MLI", "head_of_state", _qid(konare[3]), "Konare", "1997-06-08",
                          "2002-06", end_precision="month"))
    leaders.append(leader("MLI", "head_of_state", "Q56217564", "Assimi Goïta", "2021-05-25",
                          military=True))
    for person, label, start, end, office in (
            ("Q9682", "Elizabeth II", "1952-02-06", "2022-09-08", "head_of_state"),
            ("Q43274", "Charles III", "2022-09-08", None, "head_of_state"),
            ("Q180589", "Boris Johnson", "2019-07-24", "2022-09-06", "head_of_government"),
            ("Q7416", "Liz Truss", "2022-09-06", "2022-10-25", "head_of_government"),
            ("Q725187", "Rishi Sunak", "2022-10-25", "2024-07-05", "head_of_government"),
            ("Q5349", "Keir Starmer", "2024-07-05", None, "head_of_government")):
        leaders.append(leader("GBR", office, person, label, start, end))
    votes = [election("USA", "Q96424113", "legislative", "2022-11-08"),
             election("USA", "Q62627", "general", "2024-11-05"),
             election("GBR", "Q65077405", "general", "2024-07-04")]
    return leaders, votes


def as_of(body: bytes, asof: str, through: str | None = None) -> bytes:
    """An answer as the query would have given it at ``asof``: records starting after
    ``through`` left out, spells ending after it still open."""
    answer = json.loads(body)
    kept = []
    for record in answer["results"]["bindings"]:
        record["asof"] = typed(asof, "dateTime")
        if through is not None and "start" in record:
            if record["start"]["value"][:10] > through:
                continue
            if "end" in record and record["end"]["value"][:10] > through:
                del record["end"], record["endPrecision"]
        kept.append(record)
    answer["results"]["bindings"] = kept
    return json.dumps(answer).encode()
