"""Files that several processes share: the one atomic-write helper and the one file lock.

- `atomic_path(path)`: write a temporary file beside `path`, fsync it, then `os.replace` it: a
  reader (or a crash) sees the old file or the new one, never half of one. Every atomic write in
  the project (pairs, model pointers, metrics, index files, the ONNX graph, backups) uses it.
- `file_lock(path)`: the exclusive advisory lock that guards `path`, always the hidden file
  `.<name>.lock` beside it (one naming convention: the lock is named after what it protects).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path to write; on success it replaces `path` atomically (fsynced first)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, content: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(content, encoding="utf-8")


def lock_path(path: Path) -> Path:
    path = Path(path)
    return path.with_name(f".{path.name}.lock")


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold the exclusive lock that guards `path` for the block (one process at a time)."""
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
