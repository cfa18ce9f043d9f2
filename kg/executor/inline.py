"""Jobs in the calling thread, over any store (an in-memory store in tests, a remote store, or
`kg serve --isolation thread`): the limit is checked between result rows."""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from pyoxigraph import Store

from kg.executor.limits import Context, Limits


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

    writing = exclusive  # one write at a time; pyoxigraph's transactions keep readers on the last committed state

    def close(self) -> None:
        pass
