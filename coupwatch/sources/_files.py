"""Opening a source file safely: regular files only, and never more than a bounded size.

A mirror file replaced by a symlink to /dev/zero once had `data update` read forever at full
CPU while it held the warehouse's write lock; a named pipe blocks the reader until a writer
comes; a directory raised a long traceback. Every source file is opened here instead.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from coupwatch.errors import BadInput

# The most any source file may hold unless its SourceFile declares otherwise: generous (the
# largest mirror file is 1.5 MB, publishers' own formats run to tens of MB), yet it bounds
# what a read can cost.
MAX_BYTES = 256 * 2**20

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
          (stat.S_ISSOCK, "a socket"))


def _open(path: Path) -> int:
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer
        return os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise BadInput("file not found", file=path) from None
    except OSError as err:
        raise BadInput(f"file cannot be opened ({err.strerror})", file=path) from None


def _check(path: Path, info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
        link = f" (a symlink to {os.readlink(path)})" if path.is_symlink() else ""
        raise BadInput(f"not a regular file but {kind}{link}", file=path)
    if info.st_size > limit:
        raise BadInput(f"the file is {size_text(info.st_size)}; a source file may be at most "
                       f"{size_text(limit)}", file=path)


def size_text(count: int) -> str:
    return f"{count / 2**20:,.0f} MB" if count >= 2**20 else f"{count:,} bytes"


def check_file(path: Path, *, limit: int = MAX_BYTES) -> None:
    """Refuse anything but a regular file of at most ``limit`` bytes (symlinks followed)."""
    fd = _open(path)
    try:
        _check(path, os.fstat(fd), limit)
    finally:
        os.close(fd)


def read_bytes(path: Path, *, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes."""
    with os.fdopen(_open(path), "rb") as handle:
        _check(path, os.fstat(handle.fileno()), limit)
        data = handle.read(limit + 1)  # the file may grow after fstat
    if len(data) > limit:
        raise BadInput(f"the file grew past {size_text(limit)} while it was read", file=path)
    return data


def head(path: Path, size: int) -> bytes:
    """Up to ``size`` first bytes of a regular file, to tell formats apart; b"" when the file
    cannot be read (the full reader then says why)."""
    try:
        with os.fdopen(_open(path), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return b""
            return handle.read(size)
    except (BadInput, OSError):
        return b""
