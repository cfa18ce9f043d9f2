"""Read-only views of a store for the pool's workers, remade after each write, and the store lock
a read-only server holds."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from pyoxigraph import RdfFormat, Store


class _Views:
    """Read-only views of a store for a ProcessPool's workers, made again after each write
    (`refresh()`, the pool's `sync`), each in a new folder; `cleanup()` removes them."""

    def __init__(self, store: Store, parent: str | os.PathLike | None = None, owner: str = ""):
        self.store = store
        self.folder = Path(tempfile.mkdtemp(prefix=f".kg-views-{owner}", dir=parent))
        self._n = 0
        self._retired: list[tuple[float, Path]] = []
        self.path: Path | None = None
        self.path = self.refresh()

    def _make(self, target: Path) -> None:
        raise NotImplementedError

    linger = 0.0  # seconds an old view is kept after a refresh: workers of the old generation may still read it

    def refresh(self) -> Path:
        self._n += 1
        target = self.folder / f"view-{self._n}"
        self._make(target)
        old, self.path = self.path, target
        now = time.monotonic()
        if old is not None:
            self._retired.append((now, old))
        for when, view in list(self._retired):  # the views no worker can still have open
            if now - when >= self.linger:
                shutil.rmtree(view, ignore_errors=True)
                self._retired.remove((when, view))
        return target

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class Checkpoint(_Views):
    """The view of a live on-disk store that a writer holds open: a RocksDB checkpoint
    (`Store.backup`: hard links to the immutable table files, so it takes milliseconds and no
    space). Workers read the checkpoint, never the files the writer (and its compactions) change.
    It is made beside the store, on the same filesystem; the folders a killed server left for the
    same store are removed first (`remove_stale_views`)."""

    def __init__(self, store: Store, path: str | os.PathLike):
        path = Path(path).resolve()
        remove_stale_views(path)
        self._owner = path
        super().__init__(store, path.parent, owner=f"{path.name}-")

    def _make(self, target: Path) -> None:
        (self.folder / OWNER).write_text(str(self._owner), encoding="utf-8")  # which store these views are of
        self.store.backup(str(target))


class DiskCopy(_Views):
    """The view of an in-memory store (tests): a temporary on-disk copy of it."""

    def _make(self, target: Path) -> None:
        copy = Store(str(target))
        copy.bulk_load(self.store.dump(format=RdfFormat.N_QUADS), format=RdfFormat.N_QUADS)
        copy.flush()
        del copy


OWNER = "store"  # the file in a views folder that names the store the views are of


def remove_stale_views(store_path: Path) -> list[Path]:
    """Remove the views folders beside the store at `store_path` that a server of that same store left
    behind (SIGKILL skips `cleanup()`; one pinned 296 MB): those whose owner file names this store,
    and those named `.kg-views-<store name>-*` that have none (made before the owner file was
    written). Safe: the caller has the store open read-write, so no other server of it runs;
    folders of other stores are left alone."""
    removed = []
    for folder in store_path.parent.glob(".kg-views-*"):
        try:
            mine = (folder / OWNER).read_text(encoding="utf-8") == str(store_path)
        except OSError:
            mine = folder.name.startswith(f".kg-views-{store_path.name}-")
        if mine and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


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
