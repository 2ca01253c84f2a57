"""SIGKILL mid-request leaves a whole ledger with every answered request recorded, and a
restarted server goes on writing it; a burst of concurrent requests never overspends the daily
budget by more than one request's cost, and requests are refused only when the budget truly
cannot cover them."""

from __future__ import annotations

from tests.reliability import scenarios_faults_durability as durability

SCALE = 0.2  # two kills


async def test_sigkill_and_concurrent_budget_lose_nothing():
    rows, run = await durability.run(SCALE)
    assert [r for r in rows if r.lost] == [], run.notes
    assert run.kills == 2 and run.unreadable == 0 and run.missing == 0
    assert run.answered_before_kill > 0  # the kills landed after some answers, with others in flight
    assert run.ok_rows_after_kill >= run.answered_before_kill
    assert run.served_after_restart == 5

    assert run.spent_usd <= run.budget_usd + run.max_row_usd
    assert run.budget_served >= 2  # more than one: requests waited for in-flight ones instead of being refused
    assert run.budget_served + run.budget_refused == durability.BUDGET_BURST
    assert run.budget_refused > 0  # the budget did bind
