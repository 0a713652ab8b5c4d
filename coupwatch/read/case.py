"""Case studies rebuilt from the warehouse: every number printed comes from a query.

A case study is a data file (``data/cases/<name>.toml``): its findings are queries over the
read-only SQL console's documented views, so ``--show-sql`` prints text an analyst can paste
into ``coupwatch sql``; its claims are one-row queries with rules that give a verdict. A new
case study is a new file, not new code. The one input from outside the warehouse, another
forecaster's file (``--compare``), is read with the same reader as ``coupwatch score`` and
queried as the table ``compare`` in a separate in-memory database (the console reads no files).
"""

from __future__ import annotations

import csv
import json
import time
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from coupwatch import countries
from coupwatch.errors import BadInput, NotFound
from coupwatch.read import console
from coupwatch.read.jsonify import jsonable
from coupwatch.read.rules import holds

COMPARE_COLUMNS = ("p", "Attempt", "attempt", "coup_attempt", "p_attempt")
VERDICTS = ("confirmed", "partly confirmed", "not confirmed", "cannot check yet")


@dataclass
class Finding:
    key: str
    title: str
    sql: str
    frame: pd.DataFrame
    summary: str = ""


@dataclass
class Claim:
    claim: str
    verdict: str  # one of VERDICTS
    evidence: str


@dataclass
class CaseStudy:
    country: str
    gwcode: int
    analysis: str = ""  # whose claims are checked
    analysis_title: str = ""  # the publication: title, authors and date
    analysis_url: str = ""
    findings: list[Finding] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    elapsed_ms: float = 0.0

    def finding(self, key: str) -> Finding:
        return next(f for f in self.findings if f.key == key)


@lru_cache(maxsize=1)
def available() -> dict[int, dict]:
    """Case files by the G&W code of their country."""
    out = {}
    for entry in sorted(resources.files("coupwatch.data").joinpath("cases").iterdir()):
        if entry.name.endswith(".toml"):
            spec = tomllib.loads(entry.read_text(encoding="utf-8"))
            spec["name"] = entry.name.removesuffix(".toml")
            out[countries.resolve(spec["country"])] = spec
    return out


def case_study(name: str, *, path: Path | None = None,
               compare: Path | None = None) -> CaseStudy:
    code = countries.resolve(name)  # unknown countries fail here with one line
    spec = available().get(code)
    if spec is None:
        names = ", ".join(s["name"] for s in available().values())
        raise NotFound(f"unknown case study: none for {countries.gw_name(code)} "
                       f"(available: {names})", parameter="country")
    start = time.perf_counter()
    other = _compare_frame(compare) if compare is not None else None
    study = CaseStudy(country=countries.gw_name(code), gwcode=code,
                      analysis=spec.get("analysis", ""),
                      analysis_title=spec.get("analysis_title", ""),
                      analysis_url=spec.get("analysis_url", ""))
    with console.session(path) as run:
        for item in spec["findings"]:
            study.findings.append(_finding(run, item, code))
        study.claims = [_claim(run, item, code) for item in spec.get("claims", [])]
    if other is not None and "compare" in spec:
        study.findings.append(_finding(_compare_runner(other), {"key": "compare",
                                                               **spec["compare"]},
                                       code))
    study.claims += [Claim(c["claim"], "cannot check yet", c["check_with"])
                     for c in spec.get("unchecked", [])]
    study.elapsed_ms = (time.perf_counter() - start) * 1000
    return study


def _text(template: str, code: int) -> str:
    return "\n".join(line.rstrip() for line in template.strip().splitlines()) \
        .replace("{gwcode}", str(code))


def _finding(run, item: dict, code: int) -> Finding:
    sql = _text(item["sql"], code)
    try:
        frame = run(sql).frame()
    except BadInput as err:  # e.g. no forecast run yet: the backtests view is not there
        return Finding(item["key"], item["title"], sql, pd.DataFrame(), f"{err}.")
    summary = ""
    if "summary_sql" in item:
        row = _row(run, _text(item["summary_sql"], code))
        if row and all(v is not None for v in row.values()):
            summary = item["summary"].format(**row)
    return Finding(item["key"], item["title"], sql, frame, summary)


def _claim(run, item: dict, code: int) -> Claim:
    try:
        row = _row(run, _text(item["sql"], code))
    except BadInput as err:
        return Claim(item["claim"], "cannot check yet", item.get("missing", str(err)))
    if not row or any(row.get(c) is None for c in item.get("requires", [])):
        return Claim(item["claim"], "cannot check yet", item.get("missing", "no data"))
    verdict = next((v for v, condition in item.get("rules", []) if holds(condition, row)),
                   item.get("otherwise", "not confirmed"))
    return Claim(item["claim"], verdict, item["evidence"].format(**row))


def _row(run, sql: str) -> dict | None:
    frame = run(sql).frame()
    if frame.empty:
        return None
    return {c: jsonable(frame[c].iloc[0]) for c in frame.columns}  # ints stay ints


@dataclass
class _Answer:
    """A frame answering like the console's ``Result``."""

    data: pd.DataFrame

    def frame(self) -> pd.DataFrame:
        return self.data


def _compare_runner(other: pd.DataFrame):
    """Queries over another forecaster's file, in a private in-memory database."""
    def run(sql: str) -> _Answer:
        con = duckdb.connect(":memory:")
        try:
            con.register("compare", other)
            return _Answer(con.execute(sql).df())
        finally:
            con.close()
    return run


def _compare_frame(path: Path) -> pd.DataFrame:
    from coupwatch.forecasts import score

    if not path.is_file():
        raise BadInput("file not found", file=path)
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        header = next(csv.reader(handle), [])
    column = next((c for c in COMPARE_COLUMNS if c in header), None)
    if column is None:
        raise BadInput(f"no probability column (looked for {', '.join(COMPARE_COLUMNS)})",
                       file=path, row=1)
    return score.read_forecasts(path, p_column=column).frame


def as_json(study: CaseStudy) -> dict:
    return {"country": study.country, "gwcode": study.gwcode, "analysis": study.analysis,
            "analysis_title": study.analysis_title, "analysis_url": study.analysis_url,
            "findings": [{"key": f.key, "title": f.title, "sql": f.sql, "summary": f.summary,
                          "columns": list(map(str, f.frame.columns)),
                          "rows": json.loads(f.frame.to_json(orient="values"))}
                         for f in study.findings],
            "claims": [vars(c) for c in study.claims]}
