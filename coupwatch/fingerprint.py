"""Hashes of the code that turns files into results, so that stored results (the panel,
cached backtests) are reused only by the code that made them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def code_hash(folders: Iterable[str], files: Iterable[str] = ()) -> str:
    """A 16-hex-digit hash of the ``.py`` and ``.csv`` files under ``folders`` (recursively)
    and of ``files``, all relative to the package, names included."""
    digest = hashlib.sha256()
    paths = [p for folder in folders for p in sorted((PACKAGE / folder).rglob("*"))
             if p.suffix in (".py", ".csv")]
    for path in [*paths, *(PACKAGE / name for name in files)]:
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
