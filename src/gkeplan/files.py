"""Files and directories gkeplan creates: explicit modes whatever the umask, atomic replaces.

State, saved plans and lock files can hold sensitive values and the names of everything
gkeplan manages, so they are 0600 and the directories gkeplan makes for them 0700. Modes are
set with chmod after creation because `open`/`mkdir` modes are filtered through the umask, and
only on what gkeplan itself creates: an existing directory keeps its owner's choice.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def make_dirs(path: Path) -> None:
    """`mkdir -p`, each directory created here set to 0700."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            directory.mkdir(mode=DIR_MODE)
            os.chmod(directory, DIR_MODE)


def atomic_write(path: Path, text: str, mode: int = FILE_MODE) -> None:
    """Write a temporary file beside `path`, fsync it, set its mode, then rename it over `path`:
    a reader sees the old content or the new, never a part."""
    make_dirs(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def open_private(path: Path) -> int:
    """Open (creating it 0600 if need be) a file for read and write; returns the descriptor."""
    make_dirs(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    with contextlib.suppress(PermissionError):  # a file someone else owns keeps its mode
        os.fchmod(fd, FILE_MODE)
    return fd
