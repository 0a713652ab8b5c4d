"""UCDP/PRIO Armed Conflict Dataset, aggregated to country-year."""

from __future__ import annotations

from pathlib import Path

from coupwatch.sources.base import Connector, Parsed, SourceFile, gw_panel

UCDP_COLUMNS = ["internal_confl", "internal_confl_major", "internal_confl_minor",
                "internal_confl_part", "internal_confl_part_major", "internal_confl_part_minor",
                "war", "war_major", "war_minor", "any_conflict", "any_conflict_major",
                "any_conflict_minor", "ext_conf", "ext_conf_major", "ext_conf_minor"]


class UCDP(Connector):
    name = "ucdp"
    title = "UCDP/PRIO Armed Conflict Dataset, country-year"
    publisher = "Uppsala Conflict Data Program / PRIO"
    licence = "CC BY 4.0"
    citation = "Gleditsch et al. (2002); Davies, Pettersson & Öberg (2022)"
    files = (SourceFile("ucdp/acd_gw.csv", "https://ucdp.uu.se/downloads/ucdpprio/"
                        "ucdp-prio-acd-221-csv.zip", "armed conflict by country-year",
                        zipped=True),)

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        return gw_panel(path, path.stem, numeric=UCDP_COLUMNS)


CONNECTOR = UCDP()
