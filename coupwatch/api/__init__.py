"""REST API (FastAPI) over the warehouse: ``create_app`` builds it, ``coupwatch serve`` runs it."""

from coupwatch.api.app import create_app

__all__ = ["create_app"]
