"""Fair share of the query workers (issue 15, item 4): one client may hold at most `share` of them
at once, so a client sending runaway queries in parallel (three of them used to deny every
uncached query) leaves the rest free for everyone else. A client's further jobs wait for one of
its own to finish, up to the query time limit, then get Busy (a 503 with Retry-After).

Clients are whatever the caller names them (the service: the bearer token when one is sent, else
the address). Asyncio-only: the counts live on the server's event loop, no lock."""

from __future__ import annotations

import asyncio
import contextlib
import time

from kg.errors import Busy


def default_share(workers: int) -> int:
    """All workers but one, so one is always left for others (one worker: that one)."""
    return max(1, workers - 1)


class Shares:
    """Per-client slots: at most `share` held at once by one client."""

    def __init__(self, share: int, wait: float):
        self.share, self.wait = share, wait
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._users: dict[str, int] = {}  # holders and waiters per client: its semaphore goes when none is left
        self.refused = 0

    @contextlib.asynccontextmanager
    async def hold(self, client: str):
        """A slot of `client`'s share for the body; Busy when none frees up within `wait` seconds."""
        slots = self._slots.setdefault(client, asyncio.Semaphore(self.share))
        self._users[client] = self._users.get(client, 0) + 1
        started = time.monotonic()
        try:
            try:
                await asyncio.wait_for(slots.acquire(), self.wait)
            except TimeoutError:
                self.refused += 1
                raise Busy(time.monotonic() - started) from None
            try:
                yield
            finally:
                slots.release()
        finally:
            self._users[client] -= 1
            if not self._users[client]:
                del self._users[client], self._slots[client]

    def held(self, client: str) -> int:
        slots = self._slots.get(client)
        return 0 if slots is None else self.share - slots._value
