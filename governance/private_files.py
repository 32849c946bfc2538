"""Files only their owner may read: refuse one others can read or write, create a 0700 directory,
write atomically with mode 0600 from the first byte, create a file once under a race."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from governance.errors import CredentialError


def check_private_file(path: Path, what: str) -> None:
    """Refuse a file that someone other than its owner could read or write (POSIX only)."""
    if os.name != "posix":
        return
    try:
        info = path.stat()
    except OSError as exc:
        raise CredentialError(f"cannot stat {what} {path}: {exc.strerror}") from None
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise CredentialError(
            f"refusing to use {what} {path}: it is accessible by group/others (mode {mode:04o}); "
            f"run: chmod 600 {path}"
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise CredentialError(
            f"refusing to use {what} {path}: it is owned by another user (uid {info.st_uid})"
        )


def make_private_dir(path: Path) -> None:
    """Create `path` (and parents) if missing; a directory created here is 0700 (owner only)."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)


def write_private_file(path: Path, data: bytes) -> None:
    """Write `data` atomically (temp file, fsync, rename) with mode 0600 from the first byte."""
    make_private_dir(path.parent)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    if os.name == "posix":
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def create_private_file_once(path: Path, data: bytes) -> None:
    """Create `path` (0600) with `data` unless it exists. The content is complete before the name
    appears (temp file + hard link, which fails if the name exists), so of two racing creators
    exactly one wins, the other keeps the winner's content, and no reader sees a half-written key."""
    if path.exists():
        return
    make_private_dir(path.parent)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temp_name, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
