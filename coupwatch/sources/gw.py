"""Gleditsch & Ward state system: which states existed in which year, and their age."""

from __future__ import annotations

from pathlib import Path

from coupwatch.sources.base import Connector, Parsed, SourceFile, gw_panel


class GleditschWard(Connector):
    name = "gw"
    title = "Gleditsch & Ward list of independent states"
    publisher = "Kristian S. Gleditsch & Michael D. Ward"
    licence = "free; cite Gleditsch & Ward (1999)"
    citation = "Gleditsch & Ward (1999), A revised list of independent states since 1816"
    files = (SourceFile("gw/gwstate_age.csv", "http://ksgleditsch.com/data/iisystem.dat",
                        "state-years of the G&W system with state age"),)

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        return gw_panel(path, path.stem, numeric=["state_age"])


CONNECTOR = GleditschWard()
