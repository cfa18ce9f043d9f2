"""A query worker process (`python -m kg.executor.worker FD STORE LIMITS`, started by the pool,
not by hand): cuts itself off the network (kg.executor.sandbox), opens the store read-only and runs
the jobs it is sent, under an address-space cap."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future

from pyoxigraph import Store

from kg.errors import WorkerCrashed
from kg.executor import sandbox
from kg.executor.limits import Context, Limits
from kg.processes import start_module


def _portable(exc: BaseException) -> BaseException:
    """`exc` if it survives pickling, else a RuntimeError with its message."""
    try:
        pickle.loads(pickle.dumps(exc))
        exc.__traceback__ = None
        exc.__context__ = exc.__cause__ = None
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


PARENT = "KG_WORKER_PARENT"  # the environment variable by which spawn() tells a worker its parent's pid
PR_SET_PDEATHSIG = 1


class _Spawner:
    """One thread, alive as long as the process, that starts every worker (`spawn`). A worker asks the
    kernel for SIGKILL when the thread that started it ends (PR_SET_PDEATHSIG: Linux ties it to the
    *thread*, not the process); with one thread that never ends, that is when the server ends, even
    SIGKILLed: the write worker's store lock is let go at once, not when a watchdog next looks
    (issue 15: a server restarted right after a kill found the store locked)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def __call__(self, module: str, *args: str, **popen) -> subprocess.Popen:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, daemon=True, name="kg-spawner")
                self._thread.start()
        done: Future = Future()
        self._jobs.put((done, module, args, popen))
        return done.result()

    def _serve(self) -> None:
        while True:
            done, module, args, popen = self._jobs.get()
            try:
                env = {**popen.pop("env", {}), PARENT: str(os.getpid())}
                done.set_result(start_module(module, *args, env=env, **popen))
            except BaseException as e:  # noqa: BLE001 — the caller gets it
                done.set_exception(e)


spawn = _Spawner()
"""spawn(module, *args, **popen): kg.processes.start_module from the one spawning thread; the worker
(its `confine`) dies with this process."""


def _die_with_parent() -> None:
    """End this worker when the server that started it is gone (even SIGKILLed, mid-query or mid-write):
    the kernel kills it (PR_SET_PDEATHSIG) when it was started by `spawn`; a watchdog thread that sees
    the parent change is the fallback (it needs the GIL, and looks every half second)."""
    expected = os.environ.pop(PARENT, None)  # not passed on to this worker's own children
    parent = os.getppid()
    if expected is not None:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if parent != int(expected):  # the server died before the line above: nobody will signal us
            os._exit(1)

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
