"""Read a SPEC or --var-file: a regular file of at most 8 MiB of UTF-8 text, or a clear refusal.

The file is opened with O_NONBLOCK and checked with fstat before a byte is read, so a FIFO never
blocks, a device (/dev/zero, /dev/urandom, a symlink to one) is never read, and a file larger than
the cap is refused without reading it.
"""

from __future__ import annotations

import os
import stat

from gkeplan.spec.limits import MAX_BYTES

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


class FileRefused(Exception):
    """The file cannot be read as a spec or variable file; the message says why."""


def _kind(mode: int) -> str | None:
    """What the file is, when it is not a regular file."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def read_text(path: str, what: str = "file") -> str:
    """The UTF-8 text of the regular file `path`; FileRefused says why it cannot be read."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        raise FileRefused(f"cannot read {what} {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind is not None:
            raise FileRefused(f"{what} {path} is {kind}; only regular files are read")
        if info.st_size > MAX_BYTES:
            raise FileRefused(
                f"{what} {path} is {info.st_size:,} bytes; the limit is {MAX_BYTES:,}"
            )
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise FileRefused(f"cannot read {what} {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if size > MAX_BYTES:
        raise FileRefused(f"{what} {path} is over {MAX_BYTES:,} bytes, the limit")
    raw = b"".join(chunks)
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise FileRefused(f"{what} {path} is binary, not YAML text (a NUL byte at offset {nul})")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"{what} {path} is not UTF-8 text (invalid byte at offset {exc.start})"
        ) from None
