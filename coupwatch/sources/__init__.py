"""One connector per upstream source, all the same shape (see ``base.Connector``)."""

from __future__ import annotations

from coupwatch.errors import BadInput
from coupwatch.sources import (
    cline,
    epr,
    gw,
    oil,
    powell_thyne,
    reign,
    ucdp,
    vdem,
    wdi,
    wikidata,
)
from coupwatch.sources.base import Connector, Parsed, SourceFile

# Order matters only for reading: the G&W system first, as every other source is checked
# against it when status is reported.
CONNECTORS: dict[str, Connector] = {
    c.name: c for c in (gw.CONNECTOR, powell_thyne.CONNECTOR, cline.CONNECTOR, vdem.CONNECTOR,
                        wdi.CONNECTOR, reign.CONNECTOR, ucdp.CONNECTOR, epr.CONNECTOR,
                        oil.CONNECTOR, wikidata.CONNECTOR)
}
# The sources a mirror holds; the others (Wikidata's live answers) come from their publisher
# only, and an update from a mirror skips them.
MIRRORED: tuple[str, ...] = tuple(name for name, c in CONNECTORS.items()
                                  if any(not f.online_only for f in c.files))


def get(name: str) -> Connector:
    try:
        return CONNECTORS[name]
    except KeyError:
        known = ", ".join(CONNECTORS)
        raise BadInput(f"unknown source '{name}' (known: {known})", parameter="source") from None


__all__ = ["CONNECTORS", "MIRRORED", "Connector", "Parsed", "SourceFile", "get"]
