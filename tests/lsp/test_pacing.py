"""The pacer lets model-running handlers start one per event-loop turn, in arrival order, so a
cheap request that arrives behind a burst is not held up by all of their starts."""

from __future__ import annotations

import asyncio

from codefloor.lsp.pacing import Pacer


async def test_waiters_start_one_per_loop_turn_in_order_and_a_cancelled_one_is_skipped():
    pacer = Pacer()
    started: list[tuple[int, int]] = []  # (waiter, loop turn it started in)
    turn = 0

    async def ticker():
        nonlocal turn
        while True:
            await asyncio.sleep(0)
            turn += 1

    async def waiter(n: int):
        await pacer.turn()
        started.append((n, turn))

    tick = asyncio.create_task(ticker())
    tasks = [asyncio.create_task(waiter(n)) for n in range(5)]
    await asyncio.sleep(0)
    tasks[2].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    tick.cancel()
    assert [n for n, _ in started] == [0, 1, 3, 4]
    turns = [t for _, t in started]
    assert all(later > earlier for earlier, later in zip(turns, turns[1:]))  # never two in one turn


async def test_a_cheap_task_scheduled_behind_a_burst_runs_before_the_burst_has_started():
    pacer = Pacer()
    order: list[str] = []

    async def heavy(n: int):
        await pacer.turn()
        order.append(f"heavy{n}")

    async def cheap():
        order.append("cheap")

    burst = [asyncio.create_task(heavy(n)) for n in range(50)]
    listing = asyncio.create_task(cheap())
    await asyncio.gather(*burst, listing)
    assert order.index("cheap") <= 1  # without pacing it would come after all 50
