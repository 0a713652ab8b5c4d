"""The Mali case study, rebuilt from the warehouse: every number printed comes from a query.

The queries run through the read-only SQL console over its documented views (``coups``,
``indicators``, ``backtests``), so ``--show-sql`` prints text an analyst can paste into
``coupwatch sql``. The one input from outside the warehouse, another forecaster's file
(``--compare``), is read with the same reader as ``coupwatch score`` and queried as the table
``compare`` in a separate in-memory database (the console reads no files).
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from coupwatch import countries
from coupwatch.errors import BadInput, NotFound
from coupwatch.read import console

CASES = {432: "mali"}  # G&W code -> case name
VDEM = {"v2x_veracc_osp": "vertical accountability", "v2x_horacc_osp": "horizontal "
        "accountability", "v2xcs_ccsi": "core civil society", "v2xcl_rol": "rule of law",
        "v2x_freexp_altinf": "freedom of expression", "v2x_pubcorr": "public corruption "
        "(higher = more corrupt)"}
MILEX = "MS.MIL.XPND.GD.ZS"
# Claims in the analysis that our sources cannot check yet, and what would check them.
UNCHECKED = [
    ("Turnout in Mali's March–April 2020 legislative election was very low.",
     "International IDEA Voter Turnout Database or IFES ElectionGuide. REIGN's election list "
     "records the election's date and type, but not turnout."),
    ("About 75 % of Malians prefer democracy to any other kind of government.",
     "Afrobarometer Round 8 survey for Mali (2020), question on support for democracy."),
    ("Only about 1 % of US development assistance to Mali in 2020 went to democracy, human "
     "rights and governance; most aid went to security and counter-terrorism.",
     "ForeignAssistance.gov (USAID/State obligations by sector) or the OECD Creditor "
     "Reporting System (sector 151, government and civil society)."),
]
COMPARE_COLUMNS = ("p", "Attempt", "attempt", "coup_attempt", "p_attempt")
Runner = Callable[[str], Any]  # SQL text -> an answer with .frame()


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
    verdict: str  # "confirmed", "partly confirmed", "not confirmed", "cannot check yet"
    evidence: str


@dataclass
class CaseStudy:
    country: str
    gwcode: int
    findings: list[Finding] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    elapsed_ms: float = 0.0

    def finding(self, key: str) -> Finding:
        return next(f for f in self.findings if f.key == key)


def case_study(name: str, *, path: Path | None = None,
               compare: Path | None = None) -> CaseStudy:
    code = countries.resolve(name)  # unknown countries fail here with one line
    if code not in CASES:
        raise NotFound(f"unknown case study: none for {countries.gw_name(code)} (available: "
                       f"{', '.join(CASES.values())})", parameter="country")
    start = time.perf_counter()
    other = _compare_frame(compare) if compare is not None else None
    study = CaseStudy(country=countries.gw_name(code), gwcode=code)
    with console.session(path) as run:
        for build in (_history, _world, _milex, _vdem, _conflict, _ranks):
            study.findings.append(build(run, code))
    if other is not None:
        study.findings.append(_compare_rank(other, code))
    study.claims = _claims(study)
    study.elapsed_ms = (time.perf_counter() - start) * 1000
    return study


def _finding(run: Runner, key: str, title: str, text: str) -> Finding:
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return Finding(key, title, text, run(text).frame())


def _history(run: Runner, code: int) -> Finding:
    found = _finding(run, "history", "Coup attempts (Powell & Thyne, newest release)", f"""
SELECT year, month, day, kind, release
FROM coups
WHERE gwcode = {code}
ORDER BY date""")
    frame = found.frame
    ok = frame.loc[frame["kind"] == "successful", "year"].tolist()
    failed = frame.loc[frame["kind"] == "failed", "year"].tolist()
    found.summary = (f"{len(frame)} attempts: successful in {_years(ok)}; failed in "
                     f"{_years(failed)}.")
    return found


def _world(run: Runner, code: int) -> Finding:
    found = _finding(run, "world", "Coup attempts worldwide per year, 2000–2021", """
SELECT y.range AS year, count(c.year) AS attempts,
       count(c.year) FILTER (WHERE c.successful) AS successful
FROM range(2000, 2022) y
LEFT JOIN coups c ON c.year = y.range
GROUP BY y.range
ORDER BY year""")
    frame = found.frame.set_index("year")
    before = frame.loc[2001:2020, "attempts"]
    found.summary = (f"2021: {frame.loc[2021, 'attempts']} attempts; 2001–2020: mean "
                     f"{before.mean():.1f}, most {before.max()} (in "
                     f"{_years(before[before == before.max()].index.tolist())}); 2000: "
                     f"{frame.loc[2000, 'attempts']}.")
    return found


def _milex(run: Runner, code: int) -> Finding:
    found = _finding(run, "milex", "Military expenditure, % of GDP (SIPRI via WDI)", f"""
SELECT year, round(value, 3) AS pct_gdp, file
FROM indicators
WHERE gwcode = {code} AND variable = '{MILEX}' AND year BETWEEN 2010 AND 2016
ORDER BY year""")
    values = found.frame.set_index("year")["pct_gdp"]
    if {2012, 2016} <= set(values.index):
        found.summary = (f"{values[2012]:.2f} % in 2012, {values[2016]:.2f} % in 2016: "
                         f"× {values[2016] / values[2012]:.2f}.")
    return found


def _vdem(run: Runner, code: int) -> Finding:
    names = ", ".join(f"'{v}'" for v in VDEM)
    found = _finding(run, "vdem", "V-Dem indices before the 2012 and 2020 coups (0–1)", f"""
SELECT variable,
       round(max(value) FILTER (WHERE year = 2006), 3) AS "2006",
       round(max(value) FILTER (WHERE year = 2011), 3) AS "2011",
       round(max(value) FILTER (WHERE year = 2014), 3) AS "2014",
       round(max(value) FILTER (WHERE year = 2019), 3) AS "2019"
FROM indicators
WHERE gwcode = {code} AND source = 'vdem' AND variable IN ({names})
GROUP BY variable
ORDER BY variable""")
    frame = found.frame
    if len(frame):
        frame.insert(1, "meaning", frame["variable"].map(VDEM))
        # corruption is the one index where higher is worse
        worse = ((frame["2019"] < frame["2014"]) != (frame["variable"] == "v2x_pubcorr"))
        found.summary = (f"{int(worse.sum())} of {len(frame)} indices were worse in 2019 "
                         "than in 2014 (for public corruption, worse means higher).")
    return found


def _conflict(run: Runner, code: int) -> Finding:
    found = _finding(run, "conflict", "Armed conflict on Mali's territory (UCDP/PRIO)", f"""
SELECT year,
       CAST(max(value) FILTER (WHERE variable = 'internal_confl') AS INTEGER)
           AS internal_conflict,
       CAST(max(value) FILTER (WHERE variable = 'war') AS INTEGER) AS war_1000_deaths,
       CAST(max(value) FILTER (WHERE variable = 'any_conflict') AS INTEGER) AS any_conflict
FROM indicators
WHERE gwcode = {code} AND source = 'ucdp' AND year BETWEEN 2007 AND 2021
GROUP BY year
ORDER BY year""")
    frame = found.frame
    years = frame.loc[frame["internal_conflict"] == 1, "year"].tolist()
    found.summary = f"internal armed conflict in {_years(years) or 'none of these years'}."
    return found


RANKS = """
SELECT year, model, rank, countries, round(p_attempt, 4) AS p_attempt,
       round(median_p, 4) AS median_p
FROM (SELECT year, gwcode, model, p_attempt,
             rank() OVER (PARTITION BY year ORDER BY p_attempt DESC) AS rank,
             count(*) OVER (PARTITION BY year) AS countries,
             median(p_attempt) OVER (PARTITION BY year) AS median_p
      FROM backtests
      WHERE year IN (2012, 2020))
WHERE gwcode = {code}
ORDER BY year"""


def _ranks(run: Runner, code: int) -> Finding:
    title = "Our forecast for Mali, made with data through the year before (rolling backtest)"
    try:
        found = _finding(run, "ranks", title, RANKS.format(code=code))
    except BadInput as err:  # no forecast run yet: the backtests view is not there
        return Finding("ranks", title, RANKS.strip().format(code=code),
                       pd.DataFrame(columns=["year", "model", "rank", "countries",
                                             "p_attempt", "median_p"]), f"{err}.")
    lines = [f"{int(r.year)}: ranked {int(r.rank)} of {int(r.countries)}, P(attempt) "
             f"{r.p_attempt:.1%} (median country {r.median_p:.1%})"
             for r in found.frame.itertuples()]
    missing = sorted({2012, 2020} - set(found.frame["year"].astype(int)))
    lines += [f"no out-of-sample forecast for {year} beside the newest forecast run: run "
              f"`coupwatch backtest --from {year} --to {year}` with its model"
              for year in missing]
    found.summary = "; ".join(lines) + "."
    return found


COMPARE = """
SELECT year, rank, countries, round(p, 4) AS p_attempt
FROM (SELECT year, gwcode, p, rank() OVER (PARTITION BY year ORDER BY p DESC) AS rank,
             count(*) OVER (PARTITION BY year) AS countries
      FROM compare)
WHERE gwcode = {code}
ORDER BY year"""


def _compare_rank(other: pd.DataFrame, code: int) -> Finding:
    con = duckdb.connect(":memory:")
    try:
        con.register("compare", other)
        found = _finding(lambda text: _Frame(con.execute(text).df()), "compare",
                         "The other forecaster's rank for Mali (file given with --compare)",
                         COMPARE.format(code=code))
    finally:
        con.close()
    found.summary = "; ".join(f"{int(r.year)}: ranked {int(r.rank)} of {int(r.countries)}"
                              for r in found.frame.itertuples()) + "."
    return found


@dataclass
class _Frame:
    """A DataFrame answering like the console's ``Result``."""

    data: pd.DataFrame

    def frame(self) -> pd.DataFrame:
        return self.data


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


def _claims(study: CaseStudy) -> list[Claim]:
    claims = [_claim_epidemic(study.finding("world").frame),
              _claim_milex(study.finding("milex").frame),
              _claim_history(study.finding("history").frame)]
    claims.append(_claim_warning(study.finding("ranks").frame))
    claims += [Claim(text, "cannot check yet", source) for text, source in UNCHECKED]
    return claims


def _claim_epidemic(frame: pd.DataFrame) -> Claim:
    counts = frame.set_index("year")["attempts"]
    later = counts.loc[2001:2020]
    ok = counts[2021] > later.max()
    return Claim("Coup attempts in 2021 were at the highest level of the century.",
                 "confirmed" if ok else "not confirmed",
                 f"{counts[2021]} attempts in 2021; no year 2001–2020 had more than "
                 f"{later.max()}; 2000 had {counts[2000]} (so: highest since 2000).")


def _claim_milex(frame: pd.DataFrame) -> Claim:
    values = frame.set_index("year")["pct_gdp"]
    text = "Mali more than doubled military spending as a share of GDP after 2012."
    if not {2012, 2016} <= set(values.index):
        return Claim(text, "cannot check yet", "no WDI values for 2012 and 2016")
    ratio = values[2016] / values[2012]
    return Claim(text, "confirmed" if ratio > 2 else "not confirmed",
                 f"{values[2012]:.2f} % in 2012, {values[2016]:.2f} % in 2016 (× {ratio:.2f}). "
                 "The analysis quotes 1.16 % for 2012; this WDI release says "
                 f"{values[2012]:.3f} %.")


def _claim_warning(frame: pd.DataFrame) -> Claim:
    """Not the analysis's claim but its question: was Mali flagged before August 2020?"""
    text = "Our model would have flagged Mali before the August 2020 coup."
    row = frame[frame["year"] == 2020]
    if row.empty:
        return Claim(text, "cannot check yet", "no out-of-sample forecast for 2020 stored")
    rank, n = int(row["rank"].iloc[0]), int(row["countries"].iloc[0])
    verdict = ("confirmed" if rank <= 10 else
               "partly confirmed" if rank <= n * 0.2 else "not confirmed")
    return Claim(text, verdict,
                 f"ranked {rank} of {n} for 2020 (top {rank / n:.0%}); P(attempt) "
                 f"{row['p_attempt'].iloc[0]:.1%} against a median country's "
                 f"{row['median_p'].iloc[0]:.1%}. 'Confirmed' would need a top-10 rank.")


def _claim_history(frame: pd.DataFrame) -> Claim:
    said_ok, said_failed = [1968, 1991, 2012, 2020, 2021], [1978, 1991, 2012]
    ok = sorted(frame.loc[frame["kind"] == "successful", "year"])
    failed = sorted(frame.loc[frame["kind"] == "failed", "year"])
    verdict = "confirmed" if (ok, failed) == (said_ok, said_failed) else "partly confirmed"
    return Claim("Mali's coups: 1968, 1991, 2012, 2020, 2021 successful; failed attempts "
                 "1978, 1991, 2012.", verdict,
                 f"Powell & Thyne: successful {_years(ok)}; failed {_years(failed)}.")


def _years(years: list) -> str:
    return ", ".join(str(int(y)) for y in years)


def as_json(study: CaseStudy) -> dict:
    return {"country": study.country, "gwcode": study.gwcode,
            "findings": [{"key": f.key, "title": f.title, "sql": f.sql, "summary": f.summary,
                          "columns": list(map(str, f.frame.columns)),
                          "rows": json.loads(f.frame.to_json(orient="values"))}
                         for f in study.findings],
            "claims": [vars(c) for c in study.claims]}
