"""Which store: the on-disk Oxigraph store at a path, an in-memory one for tests, or a SPARQL 1.1
server by URL (kg.storage.remote). THE one place a store is opened."""

from __future__ import annotations

import os
import time
from pathlib import Path

from pyoxigraph import Store

from kg.storage.remote import RemoteStore, is_url, redact

DEFAULT_STORE = "kg-store"


def store_path(path: str | os.PathLike | None = None) -> Path:
    """--store PATH, else KG_STORE, else ./kg-store."""
    return Path(path or os.environ.get("KG_STORE") or DEFAULT_STORE)


def store_location(location: str | os.PathLike | None = None) -> str | Path:
    """--store, else KG_STORE, else ./kg-store: an http(s) URL (a remote store) as given, else a Path."""
    location = location or os.environ.get("KG_STORE") or DEFAULT_STORE
    return location if is_url(location) else Path(location)


def open_store(path: str | os.PathLike | None, read_only: bool = False, *, timeout: float | None = None,
               update_url: str | None = None, graph_store_url: str | None = None) -> Store | RemoteStore:
    """THE choice of store. An http(s) URL: the SPARQL 1.1 server whose query endpoint it is
    (kg.storage.remote.RemoteStore: `timeout`, seconds a query may take there; its update and Graph Store
    endpoints, else $KG_UPDATE_URL / $KG_GRAPH_STORE_URL, else derived from the URL). Else an
    on-disk store at `path` (read-only or not); in memory when path is ":memory:" (tests)."""
    if is_url(path):
        store = RemoteStore.from_env(str(path), read_only=read_only, timeout=timeout, update_url=update_url,
                                     graph_store_url=graph_store_url)
        try:
            store.check_union()
        except BaseException:
            store.close()
            raise
        return store
    if str(path) == ":memory:":
        return Store()
    if read_only:
        return Store.read_only(str(path))
    return Store(str(path))


def wait_unlocked(path: str | os.PathLike, timeout: float) -> bool:
    """Wait up to `timeout` seconds until no process holds the on-disk store at `path` open for
    writing; True when none does. A server killed a moment ago may still be going: its write worker
    is being torn down and holds RocksDB's lock (its LOCK file, a POSIX record lock) until it is
    gone. Call it before this process opens the store: a POSIX lock belongs to the process, and
    closing the file here would let go of one this process holds."""
    import fcntl

    lock_file = Path(path) / "LOCK"
    if not lock_file.exists():
        return True
    deadline = time.monotonic() + timeout
    with open(lock_file, "a+b") as f:
        while True:
            try:
                fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)
                continue
            fcntl.lockf(f, fcntl.LOCK_UN)
            return True


def location_name(location) -> str:
    """A store's location for messages: a URL without its credentials, or the folder."""
    return redact(location) if is_url(location) else str(location)


def is_remote(store) -> bool:
    """True for a store on a SPARQL server: no bulk loader, no read-only worker processes."""
    return isinstance(store, RemoteStore)
