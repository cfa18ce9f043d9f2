"""What one query may take (Limits), and what a job gets (Context): the store, the limits, the deadline."""

from __future__ import annotations

import time
from dataclasses import dataclass

from pyoxigraph import Store

from kg.errors import QueryTimeout

MiB = 1 << 20


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


@dataclass
class Context:
    """What a job gets: the store, the limits, and the deadline it may check between rows."""
    store: Store
    limits: Limits
    deadline: float = float("inf")

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise QueryTimeout(self.limits.timeout)
