"""Settings: every environment variable coupwatch reads, with its default and meaning.

The environment is read here only, once per process (``settings()``); ``reload()`` reads it
again (tests that change it call that). Command-line options win over these settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import platformdirs

from coupwatch.errors import BadInput


@dataclass(frozen=True)
class Setting:
    name: str  # attribute of Settings
    env: str  # the environment variable
    default: str | None
    help: str


REGISTRY: tuple[Setting, ...] = (
    Setting("home", "COUPWATCH_HOME", None,
            "directory of the warehouse (warehouse.duckdb) and the download cache (cache/); "
            "default: the platform's user-data directory"),
    Setting("mirror", "COUPWATCH_MIRROR", None,
            "an offline mirror directory to read the sources from instead of downloading "
            "(same as `data update --mirror`)"),
    Setting("model", "COUPWATCH_MODEL", "ensemble",
            "default --model of backtest, score, forecast and explain"),
    Setting("compare", "COUPWATCH_COMPARE", None,
            "another forecaster's file that `case` ranks its country in, in the CLI and the "
            "API (the API never reads a file a client names)"),
    Setting("cors_origins", "COUPWATCH_CORS_ORIGINS", "",
            "comma-separated origins `serve` allows (CORS is off when empty; "
            "`serve --cors-origin` sets it)"),
    Setting("wikidata_url", "COUPWATCH_WIKIDATA_URL", "https://query.wikidata.org/sparql",
            "the Wikidata SPARQL endpoint `data update` asks for leaders and elections"),
    Setting("wikidata_max_age", "COUPWATCH_WIKIDATA_MAX_AGE", "20",
            "hours a cached Wikidata answer is used without asking the endpoint again "
            "(0: always ask)"),
)


@dataclass(frozen=True)
class Settings:
    home: str | None
    mirror: str | None
    model: str
    compare: str | None
    cors_origins: str
    wikidata_url: str
    wikidata_max_age: str


@lru_cache(maxsize=1)
def settings() -> Settings:
    values = {}
    for item in REGISTRY:
        raw = os.environ.get(item.env)
        values[item.name] = raw if raw not in (None, "") else item.default
    return Settings(**values)


def reload() -> Settings:
    settings.cache_clear()
    return settings()


def pass_on(**values: str | None) -> Settings:
    """Set settings for this process and the processes it starts (e.g. server workers, which
    read them from the environment like any other coupwatch process)."""
    names = {item.name: item.env for item in REGISTRY}
    for key, value in values.items():
        if value is None:
            os.environ.pop(names[key], None)
        else:
            os.environ[names[key]] = value
    return reload()


def home() -> Path:
    """``COUPWATCH_HOME`` or the platform's user-data directory (created if missing)."""
    value = settings().home
    path = Path(value) if value else platformdirs.user_data_path("coupwatch", appauthor=False)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # a file there, a read-only or missing place
        raise BadInput(f"{path} cannot be used as the coupwatch home: "
                       f"{err.strerror or err}", parameter="COUPWATCH_HOME") from None
    return path


def warehouse_path() -> Path:
    return home() / "warehouse.duckdb"


def cache_dir() -> Path:
    path = home() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def mirror_dir(explicit: str | Path | None = None) -> Path | None:
    """The offline mirror to read instead of downloading, if one is configured."""
    value = explicit if explicit is not None else settings().mirror
    if not value:
        return None
    return Path(value).expanduser().resolve()


def compare_file() -> Path | None:
    value = settings().compare
    return Path(value).expanduser() if value else None


def wikidata_url() -> str:
    return settings().wikidata_url.rstrip("/")


def wikidata_max_age() -> float:
    """Hours a cached Wikidata answer stays usable without asking the endpoint."""
    text = settings().wikidata_max_age
    try:
        hours = float(text)
    except ValueError:
        hours = float("nan")
    if not hours >= 0:  # also refuses nan
        raise BadInput(f"'{text}' is not a number of hours (0 or more)",
                       parameter="COUPWATCH_WIKIDATA_MAX_AGE")
    return hours


def cors_origins() -> list[str]:
    return [o.strip() for o in settings().cors_origins.split(",") if o.strip()]
