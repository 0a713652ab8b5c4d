"""Live WDI panels (via wbgapi) are written in the mirror's format and read by the same parser.

The World Bank API is not reachable here; the conversion is tested on a frame shaped like
``wbgapi.data.DataFrame`` output, and the result goes through the real connector.
"""

from __future__ import annotations

import pandas as pd

from coupwatch.sources import wdi, wdi_live


def _frame(series: str, values: dict[tuple[str, int], float]) -> pd.DataFrame:
    return pd.DataFrame([{"economy": e, "year": y, "series": series, "value": v}
                         for (e, y), v in values.items()])


def test_population_panel_from_api_rows(tmp_path) -> None:
    long = _frame("SP.POP.TOTL", {("MLI", 2020): 20_250_000, ("MLI", 2021): 20_856_000,
                                  ("DEU", 2021): 83_100_000, ("ABW", 2021): 106_000,
                                  ("ZZZ", 2021): 1.0})
    text = wdi_live.to_panel("population_gw", long)
    path = tmp_path / "population_gw_live.csv"
    path.write_text(text)
    parsed = wdi.CONNECTOR.parse(wdi.CONNECTOR.files[4], path)
    rows = parsed.indicators.set_index(["gwcode", "year"])["value"]
    assert rows[(432, 2021)] == 20_856.0 and rows[(260, 2021)] == 83_100.0
    assert len(rows) == 3  # Aruba is not a G&W state; an unknown code is not a country


def test_infant_mortality_panel_adds_year_relative_values(tmp_path) -> None:
    long = _frame("SP.DYN.IMRT.IN", {("MLI", 2021): 60.0, ("NER", 2021): 45.0,
                                     ("FRA", 2021): 3.0})
    path = tmp_path / "infmort_gw_live.csv"
    path.write_text(wdi_live.to_panel("infmort_gw", long))
    parsed = wdi.CONNECTOR.parse(wdi.CONNECTOR.files[5], path)
    relative = parsed.indicators[parsed.indicators["variable"] == "infmort_yearadj"]
    assert relative.set_index("gwcode")["value"][436] == 0.0  # Niger is the median
    assert relative.set_index("gwcode")["value"][432] > 0
