"""Answers of a SPARQL endpoint in the SPARQL 1.1 JSON results format, read strictly.

An answer is ``{"head": {"vars": [...]}, "results": {"bindings": [...]}}``; each binding maps
a variable to ``{"type": "uri" | "literal" | "bnode", "value": ..., "datatype": ...}`` (W3C,
*SPARQL 1.1 Query Results JSON Format*). A variable a query leaves unbound (OPTIONAL) is
absent from the record. Errors name the file, the record (1-based, in the order of
``bindings``) and the binding: ``<file>, record 17, binding 'start': ...``.

A changed response shape is bad input: an HTML page (an error or login page), JSON cut short
(Wikidata's query service, timing out mid-answer, stops inside a record and appends a Java
trace: the record it stops in is named), no ``head.vars`` or ``results.bindings``, a
variable the query selects missing from ``head.vars``, a required binding missing from a
record, or a value of another type than the query gives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pandas as pd

from coupwatch import __version__
from coupwatch.errors import BadInput
from coupwatch.sources._files import MAX_BYTES, read_bytes

XSD = "http://www.w3.org/2001/XMLSchema#"
ENTITY = re.compile(r"^http://www\.wikidata\.org/entity/(Q\d+)$")
# Wikibase time precision (wikibase:timePrecision): 9 year, 10 month, 11 day (12-14 are
# hours to seconds, which Wikidata does not store); coarser ones are left out by the queries.
PRECISIONS = {9: "year", 10: "month", 11: "day", 12: "day", 13: "day", 14: "day"}
# The query service answers once a query has run, for up to 60 s: wait a little longer.
TIMEOUT = 90.0
# Wikimedia's User-Agent policy asks API clients to say who they are.
HEADERS = {"User-Agent": f"coupwatch/{__version__} (open early warning of coups; "
                         f"leaders and elections for a country panel) httpx/{httpx.__version__}",
           "Accept": "application/sparql-results+json"}


def query_url(endpoint: str, query: str) -> str:
    """A GET request for ``query`` (``format=json``, as the Wikidata query service takes)."""
    return f"{endpoint}?{urlencode({'query': ' '.join(query.split()), 'format': 'json'})}"


@dataclass
class Answer:
    """The records of one answer, with typed access that refuses anything unexpected."""

    path: Path
    records: list[dict]

    def __len__(self) -> int:
        return len(self.records)

    def fail(self, index: int, variable: str | None, message: str) -> BadInput:
        return BadInput(message, file=self.path, row=index + 1, column=variable,
                        row_name="record", column_name="binding")

    def _get(self, index: int, variable: str, kind: str, required: bool) -> dict | None:
        value = self.records[index].get(variable)
        if value is None:
            if required:
                raise self.fail(index, variable, "missing (every record of this query has it)")
            return None
        if not isinstance(value, dict) or not isinstance(value.get("value"), str):
            raise self.fail(index, variable, "is not a binding with a value")
        if value.get("type") not in (kind, "typed-literal" if kind == "literal" else kind):
            raise self.fail(index, variable, f"is a {value.get('type')!r}, not a {kind}")
        return value

    def entity(self, index: int, variable: str) -> str:
        """A Wikidata item's id (``Q...``) from its URI."""
        text = self._get(index, variable, "uri", True)["value"]
        match = ENTITY.match(text)
        if match is None:
            raise self.fail(index, variable, f"'{text}' is not a Wikidata item")
        return match.group(1)

    def text(self, index: int, variable: str, required: bool = True) -> str | None:
        value = self._get(index, variable, "literal", required)
        return None if value is None else value["value"]

    def typed(self, index: int, variable: str, datatype: str, required: bool) -> str | None:
        value = self._get(index, variable, "literal", required)
        if value is None:
            return None
        if value.get("datatype") != XSD + datatype:
            raise self.fail(index, variable, f"datatype {value.get('datatype')!r}, not "
                            f"xsd:{datatype}")
        return value["value"]

    def boolean(self, index: int, variable: str) -> bool:
        text = self.typed(index, variable, "boolean", True)
        if text not in ("true", "false", "1", "0"):
            raise self.fail(index, variable, f"'{text}' is not true or false")
        return text in ("true", "1")

    def time(self, index: int, variable: str, precision: str, required: bool = True
             ) -> tuple[pd.Timestamp | None, str | None]:
        """A time literal and its precision (``day``, ``month`` or ``year``), stored as the
        first day of the period it names (``sources.spells``)."""
        text = self.typed(index, variable, "dateTime", required)
        if text is None:
            return None, None
        digits = self.typed(index, precision, "integer", True)
        if not digits.lstrip("-").isdigit() or int(digits) not in PRECISIONS:
            raise self.fail(index, precision, f"'{digits}' is not a time precision of a "
                            "year, month or day (9-14)")
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(index, variable, f"'{text}' is not a date and time") from None
        if not 1800 <= when.year <= 2100:
            raise self.fail(index, variable, f"year {when.year} is outside 1800-2100")
        unit = PRECISIONS[int(digits)]
        day = when.day if unit == "day" else 1
        return pd.Timestamp(when.year, when.month if unit != "year" else 1, day), unit


def read_answer(path: Path, variables: Sequence[str], *, limit: int = MAX_BYTES) -> Answer:
    """The records of a JSON answer whose query selects ``variables``."""
    data = read_bytes(path, limit=limit)
    if not data.strip():
        raise BadInput("file is empty", file=path)
    if data[:512].lstrip().lower().startswith((b"<!doctype html", b"<html", b"<?xml", b"<head")):
        raise BadInput("file is an HTML/XML page, not a SPARQL JSON answer (an error page?)",
                       file=path, row=1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadInput(f"byte 0x{data[err.start]:02x} is not valid UTF-8", file=path,
                       row=data[:err.start].count(b"\n") + 1) from None
    try:
        answer = json.loads(text)
    except json.JSONDecodeError as err:
        raise _cut(path, text, err) from None
    head = answer.get("head") if isinstance(answer, dict) else None
    results = answer.get("results") if isinstance(answer, dict) else None
    names = head.get("vars") if isinstance(head, dict) else None
    records = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(names, list) or not isinstance(records, list):
        raise BadInput("not a SPARQL JSON answer: it needs head.vars and results.bindings",
                       file=path)
    for name in variables:
        if name not in names:
            raise BadInput(f"the answer's head.vars lacks '{name}' (found: "
                           f"{', '.join(map(str, names)) or '-'}): another query?", file=path)
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise BadInput("is not an object of bindings", file=path, row=index + 1,
                           row_name="record")
    return Answer(path, records)


def complete(path: Path) -> bool:
    """Whether a cached answer is whole JSON of the expected shape (worth reusing)."""
    try:
        answer = json.loads(read_bytes(path))
        return isinstance(answer["results"]["bindings"], list)
    except (BadInput, ValueError, KeyError, TypeError):
        return False


def _cut(path: Path, text: str, err: json.JSONDecodeError) -> BadInput:
    """Where invalid JSON breaks: inside which record of ``bindings``, when it does."""
    found = re.search(r'"bindings"\s*:\s*\[', text)
    if found is None or err.pos < found.end():
        return BadInput(f"not JSON ({err.msg} at line {err.lineno}, column {err.colno})",
                        file=path)
    decoder, at, count = json.JSONDecoder(), found.end(), 0
    while True:
        while at < len(text) and text[at] in " \t\r\n,":
            at += 1
        if at < len(text) and text[at] == "]":
            break  # the records are whole: the break is after them
        try:
            _, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as inner:
            return BadInput(f"the answer stops inside this record ({inner.msg}): a truncated "
                            "answer?", file=path, row=count + 1, row_name="record")
        count += 1
    return BadInput(f"not JSON after its {count} records ({err.msg} at line {err.lineno}, "
                    f"column {err.colno}): a truncated answer?", file=path)
