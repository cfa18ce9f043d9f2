"""The fair share's slots (kg/executor/share.py): a slot whose job's worker was killed stays taken until
the replacement is up (`slot.until`), but the body's answer does not wait for it (a runaway query's
503 came 1.5 s late under load while its replacement worker started)."""

from __future__ import annotations

import asyncio

import pytest

from kg.errors import Busy
from kg.executor.share import Shares


def test_a_kept_slot_is_freed_after_its_until_not_before_and_the_body_returns_at_once():
    async def scenario():
        shares = Shares(1, wait=0.2)
        replaced = asyncio.Event()
        async with shares.hold("attacker") as slot:
            slot.until = replaced.wait()  # the killed worker's replacement, still starting
        assert shares.held("attacker") == 1  # the body is done; its slot is not
        with pytest.raises(Busy):
            async with shares.hold("attacker"):
                pass
        async with shares.hold("someone else"):
            assert shares.held("someone else") == 1
        replaced.set()
        for _ in range(3):
            await asyncio.sleep(0)
        assert shares.held("attacker") == 0
        async with shares.hold("attacker"):
            pass
        assert not shares._slots and not shares._users  # nothing left behind per client

    asyncio.run(scenario())


def test_a_slot_without_until_is_freed_with_the_body_even_when_it_raises():
    async def scenario():
        shares = Shares(1, wait=0.2)
        with pytest.raises(ValueError):
            async with shares.hold("a"):
                raise ValueError("the job failed")
        assert shares.held("a") == 0
        async with shares.hold("a"):
            pass

    asyncio.run(scenario())
