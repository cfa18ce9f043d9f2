"""Exports as a stream of chunks, never built whole in memory (issue 15, item 10: /export/dataset.nq
took 457 MB per request on 1,500 articles; four at once took the server to 2.8 GB).

pyoxigraph writes the serialisation into a file-like object from a thread; its chunks pass through
a small bounded queue to the HTTP response, so at most QUEUE chunks of an export are in memory and
a slow reader slows the writer instead of growing a buffer. A reader gone for IDLE seconds ends
the export; SLOTS exports run at once, past that a caller waits up to `wait` seconds, then Busy."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator

from kg.errors import Busy

QUEUE = 16  # chunks in flight per export
IDLE = 60.0  # seconds a reader may stop reading before the export is abandoned
SLOTS = 2  # exports at once
_slots = threading.BoundedSemaphore(SLOTS)
_END = object()


class _Abandoned(Exception):
    """The reader stopped reading."""


class _Writer:
    def __init__(self, chunks: queue.Queue):
        self.chunks = chunks

    def write(self, data) -> int:
        try:
            self.chunks.put(bytes(data), timeout=IDLE)
        except queue.Full:
            raise _Abandoned() from None
        return len(data)

    def flush(self) -> None:
        pass


def stream(write: Callable[[object], None], wait: float = 30.0) -> Iterator[bytes]:
    """The chunks `write(output)` writes to `output`, as they come. Busy when SLOTS exports run and
    none ends within `wait` seconds (raised before the first chunk, so before a response starts)."""
    started = time.monotonic()
    if not _slots.acquire(timeout=wait):
        raise Busy(time.monotonic() - started)
    chunks: queue.Queue = queue.Queue(QUEUE)
    failure: list[BaseException] = []

    def run():
        try:
            write(_Writer(chunks))
        except _Abandoned:
            pass
        except BaseException as e:  # noqa: BLE001 — handed to the reader
            failure.append(e)
        finally:
            _slots.release()
            try:
                chunks.put(_END, timeout=IDLE)
            except queue.Full:
                pass

    threading.Thread(target=run, daemon=True, name="kg-export").start()
    return _chunks(chunks, failure)


def _chunks(chunks: queue.Queue, failure: list) -> Iterator[bytes]:
    pending = bytearray()
    while True:
        chunk = chunks.get()
        if chunk is _END:
            break
        pending += chunk
        if len(pending) >= 1 << 16:
            yield bytes(pending)
            pending.clear()
    if failure:
        raise failure[0]
    if pending:
        yield bytes(pending)
