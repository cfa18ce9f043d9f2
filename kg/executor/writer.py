"""The write worker (issue 15, item 7): the one process that holds a served store open read-write, and
runs every write to it — SPARQL updates, Graph Store writes, loads of uploaded or saved articles —
under a time limit and an address-space cap, like the query workers (kg.executor.limits).

A write past its time limit is stopped by killing the process (SIGKILL): pyoxigraph writes each
update, graph write and article in one transaction, which a killed process never commits, so the
store is as it was before the write (RocksDB recovers from its log when the next worker opens it).
A write that passes the memory cap dies the same way (or raises MemoryError). Either way the server
gets WriteStopped (503 for time, 413 for memory), and a new write worker opens the store again.

    writer = Writer("kg-store", Limits(timeout=120, memory=4 << 30))
    existed = writer.run(kg.storage.graphs.write_graph, graph, triples, True)   # fn(store, *args)
    writer.backup(path)          # a checkpoint for the query workers (kg.executor.views.Checkpoint)

Jobs are module-level functions `fn(store, *args)`; the worker flushes the store after each one.
The server never opens the store itself while a write worker holds it: it reads checkpoints, as
the query workers do. One job at a time (the caller's `writing()` section keeps writes one by one).
The worker is cut off the network too (kg.executor.sandbox): a write never needs it."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import multiprocessing
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.errors import WriteStopped
from kg.executor.limits import Limits
from kg.executor.worker import spawn

log = logging.getLogger("kg.executor")

START_TIMEOUT = 60.0  # seconds for a write worker to open the store (RocksDB may replay its log first)


class Writer:
    """The write worker over the on-disk store at `path`: started now, started again after a kill."""

    def __init__(self, path: str | Path, limits: Limits):
        self.path, self.limits = str(Path(path).resolve()), limits
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._conn = None
        self.stopped = 0  # writes stopped at a limit
        self._start()

    def _start(self) -> None:
        parent, child = multiprocessing.Pipe()
        try:
            self._process = spawn("kg.executor.writer", str(child.fileno()), self.path,
                                         json.dumps(dataclasses.asdict(self.limits)), pass_fds=[child.fileno()],
                                         stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            child.close()
        self._conn = parent
        try:
            if not parent.poll(START_TIMEOUT):
                raise OSError(f"the write worker did not open the store within {START_TIMEOUT:g} s")
            status, detail = parent.recv()
        except EOFError:
            status, detail = "failed", f"the write worker exited (status {self._process.wait(5)})"
        if status != "ready":
            self._stop()
            raise OSError(detail)

    def _stop(self) -> int | None:
        with contextlib.suppress(Exception):
            self._process.kill()
        code = None
        with contextlib.suppress(Exception):
            code = self._process.wait(10)
        with contextlib.suppress(Exception):
            self._conn.close()
        return code

    def run(self, fn: Callable, *args) -> Any:
        """fn(store, *args) in the write worker; its value, or its exception re-raised here.
        WriteStopped when it runs past the time limit or the memory cap (nothing of it is written)."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()  # raises OSError (a 500) if it cannot open the store
            started = time.monotonic()
            try:
                self._conn.send((fn, args))
                if not self._conn.poll(self.limits.timeout):
                    raise self._stopped(WriteStopped.time(self.limits.timeout), started)
                status, value = self._conn.recv()
            except (EOFError, OSError):
                code = self._process.wait(10) if self._process.poll() is None else self._process.returncode
                raise self._stopped(WriteStopped.died(self.limits.memory, code), started) from None
            if status == "error" and isinstance(value, MemoryError):
                raise self._stopped(WriteStopped.memory(self.limits.memory, None), started)
        if status == "error":
            raise value
        return value

    def _stopped(self, error: WriteStopped, started: float) -> WriteStopped:
        """(Lock held.) The worker killed and started again on the store as its last commit left it."""
        self.stopped += 1
        log.warning("write stopped after %.1f s: %s", time.monotonic() - started, error)
        self._stop()
        self._process = None
        threading.Thread(target=self._restart, daemon=True, name="kg-writer-start").start()  # not before the answer
        return error

    def _restart(self) -> None:
        with self._lock:
            if self._process is None:
                try:
                    self._start()
                except OSError as e:  # the next write tries again
                    log.error("the write worker did not start again: %s", e)
                    self._process = None

    def backup(self, target: str | Path) -> None:
        """A checkpoint of the store at `target` (what kg.executor.views.Checkpoint asks its store for)."""
        self.run(_backup, str(target))

    def close(self) -> None:
        with self._lock:
            if self._process is not None:
                with contextlib.suppress(Exception):
                    self._conn.close()  # the worker sees the pipe close and ends, closing the store cleanly
                try:
                    self._process.wait(10)
                except subprocess.TimeoutExpired:
                    self._stop()
                self._process = None


# --- the jobs (module-level, so they pickle by name) -------------------------------------------------------


def _backup(store, target: str) -> None:
    store.backup(target)


def update(store, text: str, base: str) -> None:
    """One SPARQL update (one transaction), with the graph's prefixes."""
    from kg.namespaces import PREFIXES

    store.update(text, base_iri=base, prefixes=PREFIXES)


# --- the worker process ---------------------------------------------------------------------------------


def writer_main(fd: int, path: str, limits: Limits) -> None:
    """The write worker (`python -m kg.executor.writer FD STORE LIMITS`): open the store read-write,
    then run the jobs from the connection on `fd` until it closes."""
    from multiprocessing.connection import Connection

    from pyoxigraph import Store

    from kg.executor.worker import _portable, confine

    conn = Connection(fd)
    if not confine(conn, limits):
        return
    try:
        store = Store(path)
        import kg.loading.load  # noqa: F401 — the loader, imported before the first job is timed
    except OSError as e:
        conn.send(("failed", f"cannot open the store at {path} for writing: {e}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            break
        except Exception as e:  # noqa: BLE001 — a job that does not unpickle here (e.g. a function of __main__)
            conn.send(("error", _portable(e)))
            continue
        try:
            reply = ("ok", fn(store, *args))
            store.flush()
        except BaseException as e:  # noqa: BLE001 — every failure goes back to the caller, typed
            reply = ("error", _portable(e))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            break
    store.flush()
    del store


if __name__ == "__main__":
    writer_main(int(sys.argv[1]), sys.argv[2], Limits(**json.loads(sys.argv[3])))
