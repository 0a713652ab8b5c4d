"""The warehouse: one DuckDB file with countries, events, indicators and their provenance."""

from coupwatch.warehouse.completeness import Completeness, completeness
from coupwatch.warehouse.ingest import update
from coupwatch.warehouse.status import status
from coupwatch.warehouse.store import checksum, connect, is_empty, read_only

__all__ = ["Completeness", "checksum", "completeness", "connect", "is_empty", "read_only",
           "status", "update"]
