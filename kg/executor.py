"""Where queries run, under a time limit that really stops them.

pyoxigraph's Store.query has no timeout, and a query can spin without touching the store (a VALUES
cross product), so a thread cannot be stopped from outside. The service therefore evaluates every
query — and serialises its result — in a worker process that holds the on-disk store open
read-only (`Store.read_only(path)`). A worker that runs past the limit is killed (SIGKILL) and a new
one takes its place; the caller gets QueryTimeout before any byte of a result exists. A worker also
has an address-space cap (`Limits.memory`), so a query that tries to materialise too much dies
instead of the machine.

    pool = ProcessPool("kg-store", Limits(timeout=30))
    answer = pool.run(kg.answers.sparql_query, query_text, ...)   # fn(ctx, *args) in a worker

Jobs are module-level functions `fn(ctx: Context, *args)` returning picklable values; exceptions
they raise come back to the caller as the same exception type when they can be pickled.

From an event loop, `await pool.arun(fn, ...)` does the same without a thread: the job goes down
the worker's pipe and the loop waits for the reply on the pipe's socket (the async handlers of
/sparql and /api/<name> use it: no thread hop, no lock handed between threads per query). Writes
bump `version` (`exclusive()`), which api/cache.py keys its kept answers by.

`InlineExecutor` runs jobs in the calling thread over any Store (an in-memory store in tests, or
`kg serve --isolation thread`): the limit is then checked between result rows, which stops a
query that streams results but not one that blocks inside pyoxigraph (an aggregate over a cross
product). The real server uses the process pool.

Workers never read files a writer is changing ("opening as read-only while another process writes
is undefined behaviour", says pyoxigraph). A read-only server holds the store's lock
(`hold_store_lock`), so no `kg load` writes under it. A server that takes writes (token-gated, see
api/writes.py) runs them in the parent on the read-write store, and its workers read a checkpoint
of it (`Checkpoint`: hard links, made in milliseconds), remade after each write inside
`exclusive()`: new queries wait, running ones finish, the workers stop, the write runs, a new
checkpoint is made and fresh workers open it — so every query after the write sees it."""

from __future__ import annotations

import asyncio
import contextlib
import copyreg
import dataclasses
import json
import logging
import multiprocessing
import os
import pickle
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pyoxigraph import RdfFormat, Store

from kg import queries as canned

log = logging.getLogger("kg.executor")

MiB = 1 << 20
START_TIMEOUT = 60.0  # seconds for a new worker to open the store and say it is ready


@dataclass(frozen=True)
class Limits:
    """What one query may take. `timeout`: seconds of evaluation; `max_rows`: solutions (SELECT) or
    triples (CONSTRUCT/DESCRIBE) in one answer; `max_bytes`: size of one serialised answer; `memory`:
    address space of a worker process in bytes (0: no cap)."""
    timeout: float = 30.0
    max_rows: int = 10_000
    max_bytes: int = 32 * MiB
    memory: int = 4096 * MiB

    def __post_init__(self):
        if self.timeout <= 0 or self.max_rows < 1 or self.max_bytes < 1024 or self.memory < 0:
            raise ValueError(f"bad limits: {self}")


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""

    def __init__(self, timeout: float):
        super().__init__(f"the query ran longer than the limit of {timeout:g} s and was stopped")
        self.timeout = timeout

    def __reduce__(self):
        return QueryTimeout, (self.timeout,)


class Busy(Exception):
    """No worker became free in time."""

    def __init__(self, waited: float):
        super().__init__(f"the service is busy: no query worker became free within {waited:g} s")
        self.waited = waited

    def __reduce__(self):
        return Busy, (self.waited,)


class WorkerCrashed(Exception):
    """The worker process running the query died (e.g. it hit its memory cap)."""


# UnknownName carries candidates that its constructor needs: teach pickle about it, so the
# error a worker raises is the error the API turns into a 404 with its candidates.
copyreg.pickle(canned.UnknownName, lambda e: (canned.UnknownName, (str(e), e.candidates)))


@dataclass
class Context:
    """What a job gets: the store, the limits, and the deadline it may check between rows."""
    store: Store
    limits: Limits
    deadline: float = float("inf")

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise QueryTimeout(self.limits.timeout)


def _portable(exc: BaseException) -> BaseException:
    """`exc` if it survives pickling, else a RuntimeError with its message."""
    try:
        pickle.loads(pickle.dumps(exc))
        exc.__traceback__ = None
        exc.__context__ = exc.__cause__ = None
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


# --- in the calling thread ------------------------------------------------------------------------


class InlineExecutor:
    """Jobs in the calling thread, over any store; the limit is checked between rows."""

    isolated = False

    def __init__(self, store: Store, limits: Limits = Limits()):
        self.store, self.limits = store, limits
        self._writing = threading.Lock()
        self.version = 0  # bumped after every write (exclusive()): what answer caches are keyed by

    def run(self, fn: Callable, *args) -> Any:
        ctx = Context(self.store, self.limits, time.monotonic() + self.limits.timeout)
        return fn(ctx, *args)

    async def arun(self, fn: Callable, *args) -> Any:
        """run(), from the event loop: in a thread of the loop's pool (pyoxigraph releases the GIL).
        An exception leaves that thread without its frames (they may hold lazy pyoxigraph results,
        which must be dropped on the thread that made them)."""
        import anyio.to_thread

        def confined():
            try:
                return self.run(fn, *args)
            except BaseException as e:
                seen, exc = set(), e
                while exc is not None and id(exc) not in seen:
                    seen.add(id(exc))
                    traceback.clear_frames(exc.__traceback__)
                    exc = exc.__context__ or exc.__cause__
                raise

        return await anyio.to_thread.run_sync(confined)

    @contextlib.contextmanager
    def exclusive(self):
        with self._writing:  # one write at a time; pyoxigraph's transactions isolate the readers
            try:
                yield
            finally:
                self.version += 1  # after the write: a reader that sees the new version sees the write

    def close(self) -> None:
        pass


# --- in worker processes --------------------------------------------------------------------------


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


def worker_main(fd: int, path: str, limits: Limits) -> None:
    """A worker (`python -m kg._worker`): open the store read-only, then run jobs from the
    connection on file descriptor `fd` until it closes."""
    from multiprocessing.connection import Connection

    conn = Connection(fd)
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C reaches the whole group: the parent ends us
    if limits.memory:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
    try:
        try:
            store = Store.read_only(path)
            import kg.answers  # noqa: F401 — the jobs' module, loaded before the first job is timed
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


def _spawn(path: str, limits: Limits):
    """A new worker process (not a fork of this threaded server, and without re-running its
    __main__), and our end of the connection to it."""
    parent, child = multiprocessing.Pipe()
    package_root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)}
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg._worker", str(child.fileno()), path, json.dumps(dataclasses.asdict(limits))],
            pass_fds=[child.fileno()], stdin=subprocess.DEVNULL, env=env, close_fds=True)
    finally:
        child.close()
    return process, parent


class _Reader:
    """The pool's end of a worker's connection, read from the event loop without blocking it: the
    replies are multiprocessing.Connection messages (a 4-byte length, or -1 and an 8-byte one, then
    the pickle), read with MSG_DONTWAIT on a duplicate of the socket, so the blocking `Connection`
    used by `ProcessPool.run` is left as it is."""

    def __init__(self, conn):
        self.sock = socket.socket(fileno=os.dup(conn.fileno()))
        self.buffer = bytearray()

    def _message(self) -> bytes | None:
        buf = self.buffer
        if len(buf) < 4:
            return None
        (n,), head = struct.unpack("!i", buf[:4]), 4
        if n == -1:
            if len(buf) < 12:
                return None
            (n,), head = struct.unpack("!Q", buf[4:12]), 12
        if len(buf) < head + n:
            return None
        message = bytes(buf[head:head + n])
        del buf[:head + n]
        return message

    async def message(self, timeout: float) -> bytes:
        """The next message; TimeoutError after `timeout` seconds, EOFError if the worker is gone."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        fd = self.sock.fileno()

        def readable():
            if done.done():
                return
            try:
                while True:
                    chunk = self.sock.recv(1 << 20, socket.MSG_DONTWAIT)
                    if not chunk:
                        done.set_exception(EOFError("the query worker closed its connection"))
                        return
                    self.buffer += chunk
            except BlockingIOError:
                pass
            except OSError as e:
                done.set_exception(e)
                return
            message = self._message()
            if message is not None:
                done.set_result(message)

        message = self._message()
        if message is not None:
            return message
        loop.add_reader(fd, readable)
        try:
            return await asyncio.wait_for(done, timeout)
        finally:
            loop.remove_reader(fd)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.sock.close()


@dataclass
class _Worker:
    process: subprocess.Popen
    conn: Any
    generation: int
    jobs: int = 0
    reader: _Reader | None = None

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(5)
        with contextlib.suppress(Exception):
            self.conn.close()
        if self.reader is not None:
            self.reader.close()


@dataclass
class PoolStats:
    started: int = 0
    killed: int = 0
    crashed: int = 0
    jobs: int = 0
    timeouts: int = 0
    busy: int = 0
    restarts: int = 0
    failures: list = field(default_factory=list)


class ProcessPool:
    """`size` worker processes over the on-disk store at `path`, each opened read-only."""

    isolated = True

    def __init__(self, path: str | os.PathLike, limits: Limits = Limits(), size: int | None = None,
                 wait: bool = True, sync: Callable[[], str | os.PathLike] | None = None):
        """`sync`: called after each write (in `exclusive()`), before workers reopen the store; it
        returns the path to open from then on (a Checkpoint's or DiskCopy's `refresh`)."""
        self.path, self.limits, self._sync = str(Path(path).resolve()), limits, sync
        self.size = size or default_workers()
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy = 0
        self._starting = 0
        self._generation = 0
        self._paused = False
        self._closed = False
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future]] = []  # arun() callers, first come first served
        self._thread_waiters = 0  # run() callers waiting in _acquire
        self.version = 0  # bumped after every write (exclusive()): what answer caches are keyed by
        self.stats = PoolStats()
        self._fill()
        if wait:
            self.wait_ready(START_TIMEOUT)

    # -- workers coming and going

    def _fill(self) -> None:
        """Start workers (in the background) until `size` exist or are on their way. Holds no lock."""
        with self._cond:
            missing = self.size - len(self._idle) - self._busy - self._starting
            self._starting += max(0, missing)
            generation = self._generation
        for _ in range(max(0, missing)):
            threading.Thread(target=self._start_one, args=(generation,), daemon=True,
                             name="kg-worker-start").start()

    def _start_one(self, generation: int) -> None:
        worker, error, process = None, None, None
        try:
            process, parent = _spawn(self.path, self.limits)
            if not parent.poll(START_TIMEOUT):
                raise OSError(f"a query worker did not start within {START_TIMEOUT:g} s")
            status, detail = parent.recv()
            if status != "ready":
                raise OSError(detail)
            worker = _Worker(process, parent, generation)
        except (OSError, EOFError) as e:
            error = e
            if not self._closed:
                log.error("query worker failed to start: %s", e)
            if process is not None:
                with contextlib.suppress(Exception):
                    process.kill()
                    process.wait(5)
        with self._cond:
            self._starting -= 1
            stale = worker is not None and (generation != self._generation or self._closed)
            if worker is not None and not stale:
                self._busy += 1
                self._put_idle(worker)
                self.stats.started += 1
            if error is not None:
                self.stats.failures.append(str(error))
            self._cond.notify_all()
        if stale:
            worker.kill()
        if error is not None and not self._closed:
            time.sleep(1.0)  # e.g. the store is gone: do not spin; try again
            self._fill()

    def wait_ready(self, timeout: float) -> None:
        """Block until every worker is up (raises OSError with the reason when one cannot start)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            failures = len(self.stats.failures)
            while len(self._idle) + self._busy < self.size:
                if len(self.stats.failures) > failures or (failures and not self._idle and not self._busy):
                    raise OSError(self.stats.failures[-1])
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise OSError(f"query workers not ready within {timeout:g} s")
                self._cond.wait(remaining)

    def _acquire(self, deadline: float) -> _Worker:
        with self._cond:
            self._thread_waiters += 1
            try:
                while self._paused or not self._idle:
                    if self._closed:
                        raise RuntimeError("the query pool is closed")
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        self.stats.busy += 1
                        raise Busy(self.limits.timeout)
                    self._cond.wait(remaining)
                worker = self._idle.pop()
                self._busy += 1
                return worker
            finally:
                self._thread_waiters -= 1
                self._drain()

    def _put_idle(self, worker: _Worker) -> None:
        """(Lock held; `worker` counted busy.) Hand it to the first arun() caller waiting, unless a
        run() caller waits (they are few: writes, pages) or the pool is paused; else make it idle."""
        while self._waiters and not self._paused and not self._thread_waiters:
            loop, waiter = self._waiters.pop(0)
            if waiter.done():
                continue
            try:
                loop.call_soon_threadsafe(self._give, waiter, worker)
                return
            except RuntimeError:  # that loop is closed
                continue
        self._idle.append(worker)
        self._busy -= 1
        self._cond.notify_all()

    def _give(self, waiter: asyncio.Future, worker: _Worker) -> None:
        """(On the waiter's loop.) The worker to its waiter, or back to the pool if it stopped waiting."""
        if waiter.done():
            self._release(worker, True)
        else:
            waiter.set_result(worker)

    def _release(self, worker: _Worker, healthy: bool) -> None:
        with self._cond:
            keep = healthy and worker.generation == self._generation and not self._closed
            if keep:
                self._put_idle(worker)
            else:
                self._busy -= 1
                self._cond.notify_all()
        if not keep:
            worker.kill()  # outside the lock: reaping a process takes a moment
            self._fill()

    async def _aacquire(self, deadline: float) -> _Worker:
        loop = asyncio.get_running_loop()
        with self._cond:
            if self._closed:
                raise RuntimeError("the query pool is closed")
            if not self._paused and self._idle and not self._waiters:
                worker = self._idle.pop()
                self._busy += 1
                return worker
            waiter = loop.create_future()
            self._waiters.append((loop, waiter))
            self._drain()
        try:
            return await asyncio.wait_for(waiter, max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            self.stats.busy += 1
            raise Busy(self.limits.timeout) from None
        finally:
            with self._cond:
                with contextlib.suppress(ValueError):
                    self._waiters.remove((loop, waiter))

    def _drain(self) -> None:
        """(Lock held.) Idle workers to waiting arun() callers, when nothing else has a claim on them."""
        while self._idle and self._waiters and not self._paused and not self._thread_waiters:
            worker = self._idle.pop()
            self._busy += 1
            self._put_idle(worker)

    # -- running a job

    def _timed_out(self, worker: _Worker, started: float) -> QueryTimeout:
        """(The worker is released unhealthy after: killed and replaced.)"""
        self.stats.timeouts += 1
        self.stats.killed += 1
        log.warning("query stopped after %.1f s (limit %g s); worker %s killed",
                    time.monotonic() - started, self.limits.timeout, worker.process.pid)
        return QueryTimeout(self.limits.timeout)

    def _crashed(self, worker: _Worker) -> WorkerCrashed:
        self.stats.crashed += 1
        code = worker.process.poll()
        log.warning("query worker %s stopped while running a query (exit %s)", worker.process.pid, code)
        return WorkerCrashed("the query worker stopped while running the query (it may have passed its "
                             f"memory cap){f'; exit status {code}' if code is not None else ''}")

    def run(self, fn: Callable, *args) -> Any:
        """fn(ctx, *args) in a worker; its value, or its exception re-raised here. QueryTimeout when it
        runs past the limit (the worker is killed and replaced), Busy when no worker is free within
        the limit, WorkerCrashed when the worker dies."""
        timeout = self.limits.timeout
        worker = self._acquire(time.monotonic() + timeout)
        healthy = False
        try:
            try:
                worker.conn.send((fn, args))
                started = time.monotonic()
                if not worker.conn.poll(timeout):
                    raise self._timed_out(worker, started)
                status, value = worker.conn.recv()
            except (EOFError, OSError, pickle.PickleError):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.process.wait(1)
                raise self._crashed(worker) from None
            healthy = True
            worker.jobs += 1
            self.stats.jobs += 1
        finally:
            self._release(worker, healthy)
        if status == "error":
            raise value
        return value

    async def arun(self, fn: Callable, *args) -> Any:
        """run(), from the event loop, without a thread: the job goes down the worker's pipe and the
        loop waits for the reply's bytes. Same errors, same limit: a worker past it is killed."""
        timeout = self.limits.timeout
        worker = await self._aacquire(time.monotonic() + timeout)
        healthy = False
        try:
            try:
                if worker.reader is None:
                    worker.reader = _Reader(worker.conn)
                worker.conn.send((fn, args))
                started = time.monotonic()
                data = await worker.reader.message(timeout)
                status, value = pickle.loads(data)
            except TimeoutError:
                raise self._timed_out(worker, started) from None
            except (EOFError, OSError, pickle.PickleError):
                raise self._crashed(worker) from None
            healthy = True
            worker.jobs += 1
            self.stats.jobs += 1
        finally:  # a cancelled request leaves healthy False: its worker, mid-job, is replaced
            self._release(worker, healthy)
        if status == "error":
            raise value
        return value

    # -- writes

    @contextlib.contextmanager
    def exclusive(self):
        """Queries wait; running ones finish; workers stop. Then the body runs (a write), and fresh
        workers open the store again, so every later query sees the write."""
        with self._cond:
            while self._paused:
                self._cond.wait()
            self._paused = True
            while self._busy:
                self._cond.wait()
            self._generation += 1
            old, self._idle = self._idle, []
        for w in old:
            w.kill()
        try:
            yield
        finally:
            if self._sync is not None:
                self.path = str(Path(self._sync()).resolve())
            with self._cond:
                self._paused = False
                self.version += 1  # after the write: a query that sees the new version sees the write
                self.stats.restarts += 1
                self._drain()
            self._fill()
            with contextlib.suppress(OSError):
                self.wait_ready(START_TIMEOUT)
            with self._cond:
                self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers, self._idle = self._idle, []
            waiters, self._waiters = self._waiters, []
            self._cond.notify_all()
        for loop, waiter in waiters:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_fail, waiter, RuntimeError("the query pool is closed"))
        for w in workers:
            w.kill()


def _fail(waiter: asyncio.Future, error: Exception) -> None:
    if not waiter.done():
        waiter.set_exception(error)


def default_workers() -> int:
    """One worker per core, plus one: a runaway query holds one until it is killed."""
    return (os.cpu_count() or 1) + 1


class _Views:
    """Read-only views of a store for a ProcessPool's workers, made again after each write
    (`refresh()`, the pool's `sync`), each in a new folder; `cleanup()` removes them."""

    def __init__(self, store: Store, parent: str | os.PathLike | None = None):
        self.store = store
        self.folder = Path(tempfile.mkdtemp(prefix=".kg-views-", dir=parent))
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
        super().__init__(store, Path(path).resolve().parent)

    def _make(self, target: Path) -> None:
        self.store.backup(str(target))


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
