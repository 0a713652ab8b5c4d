"""Country briefs (HTML and PDF)."""

from __future__ import annotations

from pathlib import Path

from coupwatch.errors import BadInput


def build(iso3: str, year: int | None = None, *, path: Path | None = None,
          drivers: bool = True) -> dict:
    """The brief's context for a country, from the warehouse (drivers computed in-process)."""
    from coupwatch import countries
    from coupwatch.briefs import render
    from coupwatch.read.explainer import compute
    from coupwatch.read.snapshot import load

    snap = load(path)
    if snap.run is None:
        raise BadInput("the warehouse has no forecast yet: run `coupwatch forecast` first")
    code = countries.resolve(iso3)
    if code not in snap.countries.index:
        raise BadInput(f"unknown country '{iso3}'", parameter="country")
    years = snap.years()
    target = snap.target_year if year is None else year
    if target not in years:
        raise BadInput(f"no forecast for {target} (available: {years[0]}-{years[-1]})",
                       parameter="year")
    explained = None
    if drivers:
        explained = compute(str(snap.path), str(snap.countries.loc[code, "iso3"]), target)
    return render.context(snap, code, target, drivers=explained,
                          drivers_state="done" if drivers else "skipped")
