"""The warehouse: one DuckDB file with countries, events, indicators and their provenance."""

from coupwatch.warehouse.ingest import ingest_source, update
from coupwatch.warehouse.status import status
from coupwatch.warehouse.store import checksum, connect, is_empty, read_only

__all__ = ["checksum", "connect", "ingest_source", "is_empty", "read_only", "status", "update"]
