"""Waiting for a page's loads: every one settles, their errors stay theirs."""

from __future__ import annotations

import asyncio

import pytest

from ads.api.prefetch import settle


async def test_settle_waits_for_every_load_whatever_it_ends_with() -> None:
    loop = asyncio.get_running_loop()
    done, failed, cancelled, late = (loop.create_future() for _ in range(4))
    done.set_result(1)
    failed.set_exception(ValueError("a load failed"))
    cancelled.cancel()
    loop.call_later(0.01, late.set_result, 2)

    async def coroutine() -> int:
        await asyncio.sleep(0.01)
        return 3

    started = coroutine()
    await settle([done, failed, cancelled, late, started])
    assert late.result() == 2
    assert failed.exception() is not None


async def test_cancelling_the_waiter_is_not_swallowed() -> None:
    never = asyncio.get_running_loop().create_future()
    waiter = asyncio.ensure_future(settle([never]))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
