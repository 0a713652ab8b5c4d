"""Benchmark: reading Wikidata answers of realistic size, and the REIGN-Wikidata join.

Synthetic answers in the SPARQL JSON results format, sized like the real ones (every G&W
state with an ISO3 code, both offices, a new holder every four years since 1946; a vote every
two years): the time to read and check each answer (median of ``--repeat``). With
``--warehouse`` (a warehouse built from the mirror), the answers are also loaded into a copy
of it and the monthly and annual panels are built with and without them.

    python bench/bench_wikidata.py [--repeat N] [--warehouse PATH]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

XSD = "http://www.w3.org/2001/XMLSchema#"
ASOF = {"datatype": XSD + "dateTime", "type": "literal", "value": "2025-01-15T08:00:00Z"}


def _time(date: str) -> tuple[dict, dict]:
    return ({"datatype": XSD + "dateTime", "type": "literal", "value": f"{date}T00:00:00Z"},
            {"datatype": XSD + "integer", "type": "literal", "value": "11"})


def answers() -> tuple[bytes, bytes]:
    from coupwatch import countries
    from coupwatch.sources import wikidata

    states = [(int(g), i) for g, i in zip(countries.gw_states()["gwcode"],
                                          countries.gw_states()["iso3"], strict=True) if i]
    leaders, votes = [], []
    for gw, iso in states:
        country = {"type": "uri", "value": f"http://www.wikidata.org/entity/Q{9_000_000 + gw}"}
        for n, office in enumerate(wikidata.OFFICES):
            for year in range(1946 + n, 2025, 4):
                record = {"country": country, "iso3": {"type": "literal", "value": iso},
                          "office": {"type": "literal", "value": office},
                          "person": {"type": "uri", "value": "http://www.wikidata.org/entity/"
                                     f"Q{gw * 10_000 + year * 2 + n}"},
                          "personLabel": {"type": "literal", "value": f"Holder {year}"},
                          "military": {"datatype": XSD + "boolean", "type": "literal",
                                       "value": "false"},
                          "occupations": {"datatype": XSD + "boolean", "type": "literal",
                                          "value": "true"}, "asof": ASOF}
                record["start"], record["startPrecision"] = _time(f"{year}-03-01")
                if year + 4 < 2025:
                    record["end"], record["endPrecision"] = _time(f"{year + 4}-03-01")
                leaders.append(record)
        for year in range(1946, 2027, 2):
            record = {"country": country, "iso3": {"type": "literal", "value": iso},
                      "election": {"type": "uri", "value": "http://www.wikidata.org/entity/"
                                   f"Q{gw * 10_000 + year}"},
                      "kind": {"type": "literal", "value": "legislative"}, "asof": ASOF}
            record["date"], record["datePrecision"] = _time(f"{year}-06-01")
            votes.append(record)

    def dump(names, rows):
        return json.dumps({"head": {"vars": list(names)}, "results": {"bindings": rows}}).encode()

    return dump(wikidata.LEADER_VARS, leaders), dump(wikidata.ELECTION_VARS, votes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warehouse", type=Path, help="a warehouse built from the mirror")
    args = parser.parse_args()
    from coupwatch.sources import wikidata

    leaders, votes = answers()
    with tempfile.TemporaryDirectory(prefix="coupwatch-bench-") as tmp:
        root = Path(tmp)
        for file, body in zip(wikidata.CONNECTOR.files, (leaders, votes), strict=True):
            path = root / file.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                parsed = wikidata.CONNECTOR.parse(file, path)
                times.append(time.perf_counter() - start)
            print(f"{file.path}: {len(body) / 2**20:.1f} MB, {parsed.rows:,} records kept, "
                  f"read in {statistics.median(times):.2f} s (median of {args.repeat})")
        if args.warehouse is not None:
            panels(root, args.warehouse)


def panels(root: Path, warehouse: Path) -> None:
    """Monthly and annual panel builds without and with the synthetic Wikidata answers."""
    import duckdb

    from coupwatch.panel import monthly
    from coupwatch.panel import store as panel_store
    from coupwatch.panel.build import build as annual_panel
    from coupwatch.sources import wikidata
    from coupwatch.warehouse import ingest, stage

    base, db = root / "reign.duckdb", root / "warehouse.duckdb"
    shutil.copyfile(warehouse, base)
    con = duckdb.connect(str(base))
    try:
        if panel_store.state(con) != "current":  # stored by other code: store it again
            panel_store.save(con, annual_panel(con))
    finally:
        con.close()
    shutil.copyfile(base, db)
    loaded = ingest.Loaded(wikidata.CONNECTOR, [
        (f.path, root / f.path, "bench", "0" * 64, wikidata.CONNECTOR.parse(f, root / f.path))
        for f in wikidata.CONNECTOR.files])
    for label, path in (("without Wikidata", base), ("with Wikidata", db)):
        if label == "with Wikidata":
            staged = stage.stage([loaded], db, panel_store.DERIVED)
            ingest.write(staged, [loaded], db)
            staged.con.close()
        con = duckdb.connect(str(path), read_only=True)
        annual, month = [], []
        try:
            for _ in range(2):  # the first round also warms the imports and caches
                start = time.perf_counter()
                annual_panel(con)
                annual.append(time.perf_counter() - start)
                start = time.perf_counter()
                monthly.build(con)
                month.append(time.perf_counter() - start)
        finally:
            con.close()
        print(f"{label}: annual panel {min(annual):.1f} s, monthly panel {min(month):.1f} s "
              "(best of 2)")


if __name__ == "__main__":
    main()
