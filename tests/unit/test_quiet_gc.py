"""QuietCollector: a full collection once no model request has been in flight for idle_s and
something reached the old generation, never while a request is in flight, freezing only after the
first; and the process-wide threshold it sets for serve."""

from __future__ import annotations

import asyncio
import gc

from codefloor.quiet_gc import FULL_COLLECTION_EVERY, QuietCollector, _promoted_since_full_collection, make_full_collections_rare


class Calls:
    """gc as the collector sees it: something sits in the old generation until a full collection."""

    def __init__(self, promoted: int = 1) -> None:
        self.log: list[str] = []
        self.promoted = promoted

    def collect(self) -> None:
        self.log.append("collect")
        self.promoted = 0

    def freeze(self) -> None:
        self.log.append("freeze")


def collector(calls: Calls, idle_s: float = 0.02) -> QuietCollector:
    return QuietCollector(idle_s=idle_s, collect=calls.collect, freeze=calls.freeze, promoted=lambda: calls.promoted)


async def test_collects_once_after_the_last_request_and_freezes_only_the_first_time():
    calls = Calls()
    quiet = collector(calls)
    with quiet.busy():
        await asyncio.sleep(0.05)
    assert calls.log == []  # busy the whole time
    await asyncio.sleep(0.05)
    assert calls.log == ["collect", "freeze"]
    with quiet.busy():
        calls.promoted = 3  # this request's objects outlived the young generations
    await asyncio.sleep(0.05)
    assert calls.log == ["collect", "freeze", "collect"] and quiet.collections == 2


async def test_never_collects_while_a_request_is_in_flight():
    calls = Calls()
    quiet = collector(calls)

    async def request(seconds: float) -> None:
        with quiet.busy():
            await asyncio.sleep(seconds)

    long = asyncio.ensure_future(request(0.5))
    for _ in range(5):  # short requests end one after another while the long one runs
        await request(0.01)
        await asyncio.sleep(0.03)  # longer than idle_s, but the long request is still in flight
    assert calls.log == []
    await long
    await asyncio.sleep(0.05)
    assert calls.log == ["collect", "freeze"]


async def test_a_request_starting_before_the_idle_delay_ends_postpones_the_collection():
    calls = Calls()
    quiet = collector(calls, idle_s=0.05)
    for _ in range(4):
        with quiet.busy():
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.02)  # < idle_s: the timer is cancelled by the next request
    assert calls.log == []
    await asyncio.sleep(0.08)
    assert calls.log == ["collect", "freeze"]


async def test_nothing_to_do_when_no_request_ran_since_the_last_collection():
    calls = Calls()
    quiet = collector(calls)
    with quiet.busy():
        pass
    await asyncio.sleep(0.05)
    quiet._quiet()  # a stray timer firing again
    assert calls.log == ["collect", "freeze"]


async def test_a_light_request_that_left_nothing_in_the_old_generation_costs_no_collection():
    calls = Calls(promoted=0)
    quiet = collector(calls)  # e.g. one inline completion while typing: nothing got old
    for _ in range(3):
        with quiet.busy():
            pass
        await asyncio.sleep(0.05)
    assert calls.log == [] and quiet.collections == 0


def test_what_reached_the_old_generation_is_read_from_gc_itself():
    gc.disable()  # no automatic collection between the steps
    try:
        gc.collect()
        assert _promoted_since_full_collection() == 0
        gc.collect(1)  # a young-generation collection, as allocation triggers them
        assert _promoted_since_full_collection() == 1
    finally:
        gc.enable()


async def test_a_failing_request_still_counts_as_finished():
    calls = Calls()
    quiet = collector(calls)
    try:
        with quiet.busy():
            raise ValueError("the provider failed")
    except ValueError:
        pass
    await asyncio.sleep(0.05)
    assert calls.log == ["collect", "freeze"]


def test_full_collections_are_made_rarer_and_the_young_generations_left_alone():
    before = gc.get_threshold()
    try:
        make_full_collections_rare()
        assert gc.get_threshold() == (before[0], before[1], FULL_COLLECTION_EVERY)
    finally:
        gc.set_threshold(*before)
