"""Read-only views of a store for the pool's workers, remade after each write, and the store lock
a read-only server holds."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from pathlib import Path

from pyoxigraph import RdfFormat, Store


class _Views:
    """Read-only views of a store for a ProcessPool's workers, made again after each write
    (`refresh()`, the pool's `sync`), each in a new folder; `cleanup()` removes them."""

    def __init__(self, store: Store, parent: str | os.PathLike | None = None, owner: str = ""):
        self.store = store
        self.folder = Path(tempfile.mkdtemp(prefix=f".kg-views-{owner}", dir=parent))
        self._n = 0
        self.path: Path | None = None
        self.path = self.refresh()

    def _make(self, target: Path) -> None:
        raise NotImplementedError

    def refresh(self) -> Path:
        self._n += 1
        target = self.folder / f"view-{self._n}"
        self._make(target)
        old, self.path = self.path, target
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)  # no worker has it open: refresh runs between generations
        return target

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class Checkpoint(_Views):
    """The view of a live on-disk store that a writer holds open: a RocksDB checkpoint
    (`Store.backup`: hard links to the immutable table files, so it takes milliseconds and no
    space). Workers read the checkpoint, never the files the writer (and its compactions) change.
    It is made beside the store, on the same filesystem."""

    def __init__(self, store: Store, path: str | os.PathLike):
        path = Path(path).resolve()
        remove_leftovers(path)
        super().__init__(store, path.parent, owner=f"{path.name}-")

    def _make(self, target: Path) -> None:
        self.store.backup(str(target))


def remove_leftovers(path: Path) -> None:
    """Remove the checkpoint folders a killed server left beside the store at `path` (issue 15: one
    pinned 296 MB). Called by the one writer of the store (RocksDB's lock keeps others out), so
    every `.kg-views-<store name>-*` folder there is a leftover; other stores' folders are left."""
    for folder in path.parent.glob(f".kg-views-{glob.escape(path.name)}-*"):
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


class DiskCopy(_Views):
    """The view of an in-memory store (tests): a temporary on-disk copy of it."""

    def _make(self, target: Path) -> None:
        copy = Store(str(target))
        copy.bulk_load(self.store.dump(format=RdfFormat.N_QUADS), format=RdfFormat.N_QUADS)
        copy.flush()
        del copy


def hold_store_lock(path: str | os.PathLike):
    """Take the lock a read-write opening of the store at `path` needs (RocksDB's LOCK file, a POSIX
    record lock), and keep it until the returned file is closed: while a read-only server runs, no
    `kg load` can change the files its workers read. OSError if a writer has the store open."""
    import fcntl

    f = open(Path(path) / "LOCK", "a+b")
    try:
        fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        raise OSError(f"the store at {path} is open for writing by another process") from None
    return f
