"""Where coupwatch keeps its data: the warehouse, the download cache, and an optional mirror."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def home() -> Path:
    """``COUPWATCH_HOME`` or the platform's user-data directory."""
    env = os.environ.get("COUPWATCH_HOME")
    path = Path(env) if env else platformdirs.user_data_path("coupwatch", appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def warehouse_path() -> Path:
    return home() / "warehouse.duckdb"


def cache_dir() -> Path:
    path = home() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def mirror_dir(explicit: str | Path | None = None) -> Path | None:
    """The offline mirror to read instead of downloading, if one is configured."""
    value = explicit if explicit is not None else os.environ.get("COUPWATCH_MIRROR")
    if not value:
        return None
    return Path(value).expanduser().resolve()
