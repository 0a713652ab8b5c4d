"""V-Dem country-year indices (the Democratic Spaces Barometer's six, plus others if present)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coupwatch import countries
from coupwatch.sources._ranges import SHARE, Range
from coupwatch.sources._read import duplicates, read_table
from coupwatch.sources.base import Connector, Least, Parsed, SourceFile, check_gwcodes, to_long

REQUIRED = ["v2x_veracc_osp", "v2xcs_ccsi", "v2xcl_rol", "v2x_freexp_altinf",
            "v2x_horacc_osp", "v2x_pubcorr"]
# Taken when present (they are in V-Dem's full Country-Year Core file, not in the mirror).
OPTIONAL = ["v2x_polyarchy", "v2x_libdem", "v2x_partipdem", "v2x_regime", "v2x_clphy",
            "v2x_corr", "v2x_execorr"]
# V-Dem's v2x_ indices run from 0 to 1; Regimes of the World is a code: closed autocracy (0)
# to liberal democracy (3)
RANGES = {**dict.fromkeys(REQUIRED + OPTIONAL, SHARE), "v2x_regime": Range(values=(0, 1, 2, 3))}


class VDem(Connector):
    name = "vdem"
    title = "Varieties of Democracy, country-year"
    publisher = "V-Dem Institute, University of Gothenburg"
    licence = "CC BY-SA 4.0"
    citation = "Coppedge et al., V-Dem Country-Year Dataset v14"
    files = (
        SourceFile("vdem/vdem_spaces_1968_2023.csv",
                   "https://v-dem.net/media/datasets/V-Dem-CY-Core-v14_csv.zip",
                   "V-Dem v14 indices with V-Dem column names and gwcode", zipped=True,
                   # 169 countries in 2023; V-Dem's own Core CSV runs to hundreds of MB
                   least=Least(states_last_year=140), max_bytes=2**30),
    )

    def parse(self, file: SourceFile, path: Path) -> Parsed:
        table = read_table(path, expect=["year"], ranges=RANGES, limit=file.max_bytes)
        table.require(["year", *REQUIRED])
        year = table.number("year", integer=True, required=True, lo=1789, hi=2100)
        unmapped: list[dict] = []
        if table.has("gwcode"):
            gw = table.number("gwcode", integer=True, required=True)
            check_gwcodes(table, gw)
        else:  # V-Dem's own file carries COW codes, not G&W
            table.require(["COWcode"])
            cow = table.number("COWcode", integer=True)
            gw_values = []
            for index, (code, yr) in enumerate(zip(cow, year, strict=True)):
                try:
                    gw_values.append(countries.cow_to_gw(int(code), int(yr)) if code == code
                                     else None)
                except KeyError:
                    raise table.fail(index, "COWcode", f"unknown COW code {code:g}") from None
            gw = pd.Series(gw_values, dtype="Float64").astype("float64")
            missing = gw.isna()
            if bool(missing.any()):
                names = table.text("country_name") if table.has("country_name") else cow
                for name in sorted(set(names[missing])):
                    years = year[missing & (names == name)]
                    unmapped.append({"code": "V-Dem", "name": str(name),
                                     "year_min": int(years.min()), "year_max": int(years.max()),
                                     "rows": int(len(years)), "reason": "no G&W state"})
        frame = pd.DataFrame({"gwcode": gw, "year": year})
        variables = REQUIRED + [v for v in OPTIONAL if table.has(v)]
        for name in variables:
            frame[name] = table.number(name)
        frame = frame[frame["gwcode"].notna()]
        frame, dups = duplicates(frame, ["gwcode", "year"], table)
        release = "v14" if "1968_2023" in path.name else path.stem
        return Parsed(release=release, indicators=to_long(frame, variables, [], {}),
                      unmapped=unmapped, duplicates=dups)


CONNECTOR = VDem()
