"""Fair share of the query workers (issue 15, item 4): one client may hold at most `share` of them
at once, so a client sending runaway queries in parallel (three of them used to deny every
uncached query) leaves the rest free for everyone else. A client's further jobs wait for one of
its own to finish, up to the query time limit, then get Busy (a 503 with Retry-After). A slot whose
job's worker was killed stays taken until the replacement worker is up (`Slot.until`), but the
client's 503 does not wait for that (it used to: 1.5 s late at load 15 on 2 cores).

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
        self._later: set[asyncio.Task] = set()  # slots kept past their request (Slot.until)

    @contextlib.asynccontextmanager
    async def hold(self, client: str):
        """A slot of `client`'s share for the body; Busy when none frees up within `wait` seconds. The
        body may keep its slot past its end: `slot.until = awaitable` (a killed worker's replacement
        starting), and the slot is freed once that is done, while the body's answer goes out now."""
        slots = self._slots.setdefault(client, asyncio.Semaphore(self.share))
        self._users[client] = self._users.get(client, 0) + 1
        slot, acquired = Slot(), False
        started = time.monotonic()
        try:
            try:
                if slots.locked():  # wait for one, up to `wait` (a task: the cost of waiting, not of every job)
                    await asyncio.wait_for(slots.acquire(), self.wait)
                else:
                    await slots.acquire()  # free: taken at once, no task
            except TimeoutError:
                self.refused += 1
                raise Busy(time.monotonic() - started) from None
            acquired = True
            yield slot
        finally:
            if acquired and slot.until is not None:
                task = asyncio.get_running_loop().create_task(self._free_after(client, slots, slot.until))
                self._later.add(task)
                task.add_done_callback(self._later.discard)
            else:
                self._free(client, slots if acquired else None)

    def _free(self, client: str, slots: asyncio.Semaphore | None) -> None:
        if slots is not None:
            slots.release()
        self._users[client] -= 1
        if not self._users[client]:
            del self._users[client], self._slots[client]

    async def _free_after(self, client: str, slots: asyncio.Semaphore, until) -> None:
        try:
            await until
        finally:
            self._free(client, slots)

    def held(self, client: str) -> int:
        slots = self._slots.get(client)
        return 0 if slots is None else self.share - slots._value


class Slot:
    """What a holder may say about its slot: `until`, an awaitable the slot stays taken for after the body."""

    def __init__(self):
        self.until = None
