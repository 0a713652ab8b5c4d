"""Ethnic Power Relations (EPR core), aggregated to country-year."""

from __future__ import annotations

from pathlib import Path

from coupwatch.sources.base import Connector, Parsed, SourceFile, gw_panel

EPR_COLUMNS = ["epr_groups", "epr_elf", "epr_excluded_groups_count", "epr_excluded_group_pop",
               "epr_inpower_groups_count", "epr_inpower_groups_pop", "epr_regaut_groups_count",
               "epr_regaut_group_pop"]


class EPR(Connector):
    name = "epr"
    title = "Ethnic Power Relations (EPR core), country-year"
    publisher = "ETH Zürich, International Conflict Research"
    licence = "free for research; cite Vogt et al. (2015)"
    citation = "Vogt et al. (2015), Integrating Data on Ethnicity, Geography, and Conflict"
    files = (SourceFile("epr/epr_gw.csv", "https://icr.ethz.ch/data/epr/core/EPR-2021.csv",
                        "ethnic groups' access to power by country-year"),)

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        return gw_panel(path, path.stem, numeric=EPR_COLUMNS)


CONNECTOR = EPR()
