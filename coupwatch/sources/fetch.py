"""Getting a source file: from a mirror directory, or downloaded from its publisher."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

from coupwatch import config
from coupwatch.errors import BadInput, FetchError
from coupwatch.sources import sparql, wdi_live
from coupwatch.sources._files import MAX_BYTES, size_text
from coupwatch.sources.base import SourceFile

Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def locate(file: SourceFile, *, mirror: Path | None = None, base_url: str | None = None,
           progress: Progress | None = None) -> tuple[Path, str]:
    """The local path of a source file and where it came from (mirror path or URL)."""
    if mirror is not None:
        path = mirror / file.path
        if not path.exists():  # the type and size of what is there is checked before parsing
            raise BadInput("file not found in mirror", file=path)
        return path, str(path)
    if file.query:
        return _answer(file, progress)
    dest = config.cache_dir() / file.path
    if file.page and base_url is None:  # saved by hand from the publisher's page
        if not dest.exists():
            raise BadInput(f"no download link: save the file from {file.page} here", file=dest)
        return dest, f"{file.page} (saved by hand)"
    kind = wdi_live.panel_kind(file.path) if base_url is None else None
    if kind is not None:
        # G&W-keyed WDI panels have no file upstream: build them from the World Bank API.
        try:
            text = wdi_live.to_panel(kind, wdi_live.fetch_frame(kind))
        except Exception as err:  # wbgapi raises its own and requests' errors
            raise FetchError(f"World Bank API ({kind}): {err}") from None
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text)
        return dest, f"wbgapi:{kind}"
    url = f"{base_url.rstrip('/')}/{file.path}" if base_url else file.url
    download(url, dest, member=Path(file.path).name, progress=progress,
             max_bytes=file.max_bytes)
    return dest, url


def _answer(file: SourceFile, progress: Progress | None) -> tuple[Path, str]:
    """A SPARQL query's answer from the endpoint of the settings (Wikidata's by default),
    cached. An answer cached less than ``COUPWATCH_WIKIDATA_MAX_AGE`` hours ago is used
    without asking again; a failed request leaves the cached answer as it was."""
    endpoint, dest = config.wikidata_url(), config.cache_dir() / file.path
    hours = config.wikidata_max_age()
    if dest.is_file():
        fetched = dt.datetime.fromtimestamp(dest.stat().st_mtime, dt.UTC)
        age = (dt.datetime.now(dt.UTC) - fetched).total_seconds() / 3600
        if age < hours and sparql.complete(dest):
            return dest, f"{endpoint} (answer cached {fetched:%Y-%m-%d %H:%M} UTC)"
    label = f"{endpoint} (query for {file.path})"
    try:
        download(sparql.query_url(endpoint, file.query), dest, member=Path(file.path).name,
                 progress=progress, max_bytes=file.max_bytes, timeout=sparql.TIMEOUT,
                 headers=sparql.HEADERS, label=label)
    except FetchError as err:
        if dest.is_file():
            fetched = dt.datetime.fromtimestamp(dest.stat().st_mtime, dt.UTC)
            raise FetchError(f"{err.message}; the answer cached {fetched:%Y-%m-%d %H:%M} UTC is "
                             f"kept ({dest}): set COUPWATCH_WIKIDATA_MAX_AGE to more hours "
                             "than its age to load it") from None
        raise
    return dest, endpoint


def download(url: str, dest: Path, *, member: str, retries: int = 3, backoff: float = 0.5,
             timeout: float = 60.0, progress: Progress | None = None,
             max_bytes: int = MAX_BYTES, headers: Mapping[str, str] | None = None,
             label: str | None = None) -> None:
    """Fetch ``url`` into ``dest`` atomically, retrying transient failures.

    Publishers such as the World Bank serve zips: the file named ``member`` (or the one
    data CSV) is taken out of them so that the same parser reads every route. Neither the
    download nor the file taken out of a zip may pass ``max_bytes``. ``label`` names the
    download in errors (default: the URL; a query URL runs to kilobytes).
    """
    name = label or url
    last: Exception | None = None
    for attempt in range(retries):
        try:
            body = _get(url, timeout, progress, max_bytes, headers, name)
            break
        except (httpx.TransportError, _Retryable) as err:
            last = err
            time.sleep(backoff * (2**attempt))
    else:
        raise FetchError(f"{name}: download failed after {retries} attempts ({last})")
    if body[:2] == b"PK" and not _is_office_file(body):
        body = _unzip(body, member, name, max_bytes)
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".part")
    partial.write_bytes(body)
    partial.replace(dest)


class _Retryable(Exception):
    pass


def _get(url: str, timeout: float, progress: Progress | None, max_bytes: int,
         headers: Mapping[str, str] | None, name: str) -> bytes:
    with httpx.stream("GET", url, timeout=timeout, follow_redirects=True,
                      headers=dict(headers or {})) as response:
        if response.status_code >= 500 or response.status_code == 429:
            raise _Retryable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise FetchError(f"{name}: HTTP {response.status_code}")
        total = int(response.headers.get("content-length", 0)) or None
        if total is not None and total > max_bytes:
            raise _too_big(name, max_bytes)
        chunks, done = [], 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            done += len(chunk)
            if done > max_bytes:
                raise _too_big(name, max_bytes)
            if progress:
                progress(done, total)
        return b"".join(chunks)


def _too_big(url: str, max_bytes: int) -> BadInput:
    return BadInput(f"the download is larger than {size_text(max_bytes)}, the most this source "
                    "file may be", file=url)


def _is_office_file(body: bytes) -> bool:
    """An .xlsx is a zip too, but it is the file itself, not an archive holding it."""
    try:
        return "[Content_Types].xml" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    except zipfile.BadZipFile:
        return False


def _unzip(body: bytes, member: str, url: str, max_bytes: int) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile:
        raise BadInput("download is a damaged zip archive", file=url) from None
    names = archive.namelist()
    exact = [n for n in names if Path(n).name == member]
    data = [n for n in names if n.lower().endswith((".csv", ".txt"))
            and not Path(n).name.startswith("Metadata_")]
    pick = exact or (data if len(data) == 1 else [])
    if not pick:
        raise BadInput(f"zip holds no single data file named like {member} (has: "
                       f"{', '.join(names) or 'nothing'})", file=url)
    if archive.getinfo(pick[0]).file_size > max_bytes:  # a zip bomb, or the wrong file
        raise BadInput(f"{pick[0]} in the zip is larger than {size_text(max_bytes)}, the most "
                       "this source file may be", file=url)
    return archive.read(pick[0])
