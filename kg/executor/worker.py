"""A query worker process (`python -m kg.executor.worker FD STORE LIMITS`, started by the pool,
not by hand): cuts itself off the network (kg.executor.sandbox), opens the store read-only and runs
the jobs it is sent, under an address-space cap."""

from __future__ import annotations

import json
import os
import pickle
import signal
import sys
import threading
import time

from pyoxigraph import Store

from kg.errors import WorkerCrashed
from kg.executor import sandbox
from kg.executor.limits import Context, Limits


def _portable(exc: BaseException) -> BaseException:
    """`exc` if it survives pickling, else a RuntimeError with its message."""
    try:
        pickle.loads(pickle.dumps(exc))
        exc.__traceback__ = None
        exc.__context__ = exc.__cause__ = None
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _die_with_parent() -> None:
    """End this worker when the server that started it is gone (even SIGKILLed, mid-query): a
    watchdog thread sees the parent change. (PR_SET_PDEATHSIG would fire when the *thread* that
    started the worker ends, which is any moment.)"""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="kg-worker-watchdog").start()


def confine(conn, limits: Limits) -> bool:
    """A worker process (query or write) cut off the network, ended with its parent, deaf to ^C and
    under the memory cap. False (and the reason sent on `conn`) when the sandbox cannot be made."""
    try:
        sandbox.no_network()  # first: before any thread exists
    except OSError as e:
        conn.send(("failed", str(e)))
        return False
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C reaches the whole group: the parent ends us
    if limits.memory:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
    return True


def worker_main(fd: int, path: str, limits: Limits) -> None:
    """A worker (`python -m kg.executor.worker`): open the store read-only, then run jobs from the
    connection on file descriptor `fd` until it closes."""
    from multiprocessing.connection import Connection

    conn = Connection(fd)
    if not confine(conn, limits):
        return
    try:
        try:
            store = Store.read_only(path)
            import kg.querying.answers  # noqa: F401 — the jobs' module, loaded before the first job is timed
        except OSError as e:
            conn.send(("failed", f"cannot open the store at {path} read-only: {e}"))
            return
        conn.send(("ready", os.getpid()))
        _serve(conn, store, limits)
    except OSError:  # the pool went away (closed, or the server ended): so do we
        return


def _serve(conn, store: Store, limits: Limits) -> None:
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        ctx = Context(store, limits, time.monotonic() + limits.timeout)
        try:
            reply = ("ok", fn(ctx, *args))
        except BaseException as e:  # noqa: BLE001 — every failure goes back to the caller, typed
            reply = ("error", _portable(e))
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("error", WorkerCrashed("the answer was too large to hand over")))


if __name__ == "__main__":
    worker_main(int(sys.argv[1]), sys.argv[2], Limits(**json.loads(sys.argv[3])))
