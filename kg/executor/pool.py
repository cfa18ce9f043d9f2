"""A pool of query worker processes: a job past the time limit is stopped by killing its worker."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import multiprocessing
import os
import pickle
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

from kg.errors import Busy, QueryTimeout, WorkerCrashed
from kg.executor.limits import Limits
from kg.executor.worker import spawn

log = logging.getLogger("kg.executor")


START_TIMEOUT = 60.0  # seconds for a new worker to open the store and say it is ready
SEND_SLICE = 256 * 1024  # bytes of a job sent to a worker before other clients get a turn of the event loop


def _spawn(path: str, limits: Limits):
    """A new worker process (not a fork of this threaded server, and without re-running its
    __main__), and our end of the connection to it."""
    parent, child = multiprocessing.Pipe()
    try:
        process = spawn("kg.executor.worker", str(child.fileno()), path, json.dumps(dataclasses.asdict(limits)),
                               pass_fds=[child.fileno()], stdin=subprocess.DEVNULL, close_fds=True)
    finally:
        child.close()
    return process, parent


class _Reader:
    """The pool's end of a worker's connection, used from the event loop without blocking it: jobs
    and replies are multiprocessing.Connection messages (a 4-byte length, or -1 and an 8-byte one,
    then the pickle), sent and read on a duplicate of the socket.

    The duplicate shares the file *description* with the `Connection` that `ProcessPool.run` uses,
    and with it the O_NONBLOCK flag, which uvloop's add_reader sets. A job sent with the blocking
    `Connection.send` after that failed with BlockingIOError as soon as it outgrew the socket's
    buffer (a 200 KB query: "the query worker stopped", the worker alive; issue 15, item 11). So the
    job goes through the loop too (`send_now`, then `send_rest` for what the socket did not take),
    and `settle` makes the description blocking again for `run`."""

    def __init__(self, conn):
        self.sock = socket.socket(fileno=os.dup(conn.fileno()))
        self.buffer = bytearray()

    def send_now(self, obj) -> memoryview:
        """As much of the message as the socket takes at once (one write: a job and its length
        together, so the worker wakes once); what is left of it (empty for any small job)."""
        data = ForkingPickler.dumps(obj)
        n = len(data)
        head = struct.pack("!i", n) if n <= 0x7FFFFFFF else struct.pack("!iQ", -1, n)
        message = memoryview(head + data if n <= SEND_SLICE else head)
        self.sock.setblocking(False)
        try:
            sent = self.sock.send(message)
        except BlockingIOError:
            sent = 0
        rest = message[sent:]
        return rest if n <= SEND_SLICE else (memoryview(bytes(rest) + data) if rest else memoryview(data))

    async def send_rest(self, data: memoryview) -> None:
        """What `send_now` left, a slice at a time with a turn of the loop between them: a large job
        (an 8 MB query) was one sendall that held the loop for ~30 ms while the worker kept reading."""
        loop = asyncio.get_running_loop()
        for start in range(0, len(data), SEND_SLICE):
            if start:
                await asyncio.sleep(0)
            await loop.sock_sendall(self.sock, data[start:start + SEND_SLICE])

    def settle(self) -> None:
        """The shared description blocking again, for `Connection` (ProcessPool.run)."""
        with contextlib.suppress(OSError):
            os.set_blocking(self.sock.fileno(), True)

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
    writer = None  # the write worker (kg.executor.writer) when the pool serves a store the service writes

    def __init__(self, path: str | os.PathLike, limits: Limits = Limits(), size: int | None = None,
                 wait: bool = True, sync: Callable[[], str | os.PathLike] | None = None):
        """`sync`: called after each write (in `exclusive()`), before workers reopen the store; it
        returns the path to open from then on (a Checkpoint's or DiskCopy's `refresh`)."""
        self.path, self.limits, self._sync = str(Path(path).resolve()), limits, sync
        self.size = size or default_workers()
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()  # writing(): one write at a time
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

    def _release(self, worker: _Worker, healthy: bool, reap_later: bool = False) -> None:
        """Back to the idle list, or killed and replaced. `reap_later` (from the event loop, arun): the
        worker is SIGKILLed now and reaped in a thread, since one that held a runaway query's memory
        takes the kernel a second or more to tear down, and the loop serves every other client."""
        with self._cond:
            keep = healthy and worker.generation == self._generation and not self._closed
            if keep:
                self._put_idle(worker)
            else:
                self._busy -= 1
                self._cond.notify_all()
        if keep:
            return
        if reap_later:
            with contextlib.suppress(Exception):
                worker.process.kill()
            threading.Thread(target=self._retire, args=(worker,), daemon=True, name="kg-worker-reaper").start()
        else:
            self._retire(worker)  # outside the lock: reaping a process takes a moment

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
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
                if worker.reader is not None:
                    worker.reader.settle()
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
                started = time.monotonic()
                rest = worker.reader.send_now((fn, args))  # a small job: sent whole, no task, no wait
                if rest:
                    await asyncio.wait_for(worker.reader.send_rest(rest), timeout)
                data = await worker.reader.message(max(0.0, started + timeout - time.monotonic()))
                status, value = pickle.loads(data)
                worker.reader.settle()
            except TimeoutError:
                raise self._timed_out(worker, started) from None
            except (EOFError, OSError, pickle.PickleError):
                raise self._crashed(worker) from None
            healthy = True
            worker.jobs += 1
            self.stats.jobs += 1
        finally:  # a cancelled request leaves healthy False: its worker, mid-job, is replaced
            self._release(worker, healthy, reap_later=True)
        if status == "error":
            raise value
        return value

    async def refilled(self, timeout: float) -> None:
        """Return when every worker is up again (or after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._closed:
            with self._cond:
                if len(self._idle) + self._busy >= self.size and not self._starting:
                    return
            await asyncio.sleep(0.05)

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

    @contextlib.contextmanager
    def writing(self):
        """A write while queries go on (issue 15, item 7): one write at a time; the body (the write)
        runs on the live store while the workers keep answering from the last committed state (their
        view); after it, a new view is made (`sync`) and a new generation of workers opened on it;
        once every one is ready they take the old ones' place, and only then does this return — so
        every query that starts after the write's answer sees the write. Queries already running
        finish on the old view (its folder lingers, see kg.executor.views); their workers are then
        replaced. Falls back to `exclusive()`'s way if the new workers cannot start."""
        with self._write_lock:
            yield
            path = str(Path(self._sync()).resolve()) if self._sync is not None else self.path
            try:
                fresh = self._start_generation(path)
            except (OSError, EOFError) as e:
                log.error("new query workers failed to start after a write (%s): restarting the pool", e)
                with self.exclusive():
                    pass
                return
            with self._cond:
                self._generation += 1
                self.path = path
                old, self._idle = self._idle, []
                for worker in fresh:
                    worker.generation = self._generation
                    self._busy += 1
                    self._put_idle(worker)
                self.version += 1  # after the write: a query that sees the new version sees the write
                self.stats.restarts += 1
                self.stats.started += len(fresh)
            for w in old:
                w.kill()

    def _start_generation(self, path: str) -> list[_Worker]:
        """`size` workers on the view at `path`, started together, each ready (else OSError, none kept)."""
        started, workers = [], []
        try:
            for _ in range(self.size):
                started.append(_spawn(path, self.limits))
            for process, conn in started:
                if not conn.poll(START_TIMEOUT):
                    raise OSError(f"a query worker did not start within {START_TIMEOUT:g} s")
                status, detail = conn.recv()
                if status != "ready":
                    raise OSError(detail)
                workers.append(_Worker(process, conn, -1))
        except (OSError, EOFError):
            for process, conn in started:
                _Worker(process, conn, -1).kill()
            raise
        return workers

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
