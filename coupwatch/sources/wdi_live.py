"""Live WDI updates through ``wbgapi``: the World Bank API, written out in the same G&W-keyed
panel format as the mirror's files, so one parser reads both routes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coupwatch import countries

# mirror file -> (WDI series, column in the panel, factor)
PANELS: dict[str, list[tuple[str, str, float]]] = {
    "gdp_gw": [("NY.GDP.MKTP.KD", "NY.GDP.MKTP.KD", 1.0),
               ("NY.GDP.MKTP.KD.ZG", "NY.GDP.MKTP.KD.ZG", 1.0),
               ("NY.GDP.PCAP.KD", "NY.GDP.PCAP.KD", 1.0),
               ("NY.GDP.PCAP.KD.ZG", "NY.GDP.PCAP.KD.ZG", 1.0)],
    "population_gw": [("SP.POP.TOTL", "pop", 1e-3)],  # the panel counts thousands
    "infmort_gw": [("SP.DYN.IMRT.IN", "infmort", 1.0)],
    "ict_gw": [("IT.NET.USER.ZS", "IT.NET.USER.ZS", 1.0),
               ("IT.CEL.SETS.P2", "IT.CEL.SETS.P2", 1.0)],
}


def panel_kind(path: str) -> str | None:
    name = path.rsplit("/", 1)[-1]
    return next((kind for kind in PANELS if name.startswith(kind)), None)


def fetch_frame(kind: str) -> pd.DataFrame:
    """Long frame ``economy, year, series, value`` from the World Bank API (needs internet)."""
    import wbgapi

    codes = [series for series, _, _ in PANELS[kind]]
    wide = wbgapi.data.DataFrame(codes, economy="all", time="all", skipAggs=True,
                                 numericTimeKeys=True, columns="series").reset_index()
    long = wide.melt(id_vars=["economy", "time"], var_name="series", value_name="value")
    return long.rename(columns={"time": "year"})


def to_panel(kind: str, long: pd.DataFrame) -> str:
    """The panel CSV (``gwcode, year, …``) for one kind, from ``economy, year, series, value``."""
    gw = {code: _gwcode(code) for code in long["economy"].unique()}
    frame = long.assign(gwcode=long["economy"].map(gw)).dropna(subset=["gwcode"])
    wide = frame.pivot_table(index=["gwcode", "year"], columns="series", values="value",
                             aggfunc="first").reset_index()
    out = pd.DataFrame({"gwcode": wide["gwcode"].astype(int), "year": wide["year"].astype(int)})
    for series, column, factor in PANELS[kind]:
        out[column] = wide[series] * factor if series in wide else np.nan
    if kind == "infmort_gw":
        # relative to that year's global median, on the log scale, as in the mirror's panel
        median = out.groupby("year")["infmort"].transform("median")
        out["infmort_yearadj"] = np.log(out["infmort"] / median)
        out["infmort_imputed"] = "FALSE"
    if kind == "ict_gw":
        out["IT.NET.USER.ZS_imputed"] = "FALSE"
        out["IT.CEL.SETS.P2_imputed"] = "FALSE"
    out = out.dropna(subset=[c for _, c, _ in PANELS[kind]], how="all")
    return out.sort_values(["gwcode", "year"]).to_csv(index=False, lineterminator="\n")


def _gwcode(code: str) -> int | None:
    try:
        return countries.iso3_to_gw(code)
    except KeyError:
        return None  # a code the World Bank added that we do not know: not a G&W state
