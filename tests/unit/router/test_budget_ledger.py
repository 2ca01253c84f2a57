"""The budget and the ledger under pressure (issue 13, items 5 and 7).

5: what a paid attempt reserves is what it CAN cost (max_tokens at the route's output price), and
   the reservation is a row in the ledger, so concurrent requests -- in one process or in two
   sharing the ledger file (two editor windows) -- never spend more than the daily budget.
7: a ledger that cannot be written (disk full, read-only) refuses a paid attempt before anything
   is sent; a free route still serves."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from codefloor.config import BudgetConfig, UserConfig
from codefloor.ledger import Ledger, LedgerError
from codefloor.providers.types import ChatRequest, Message, Usage
from codefloor.errors import BudgetExceeded, LedgerUnwritable
from codefloor.results import Attempt
from codefloor.router import Router
from codefloor.selection import Policy, Preferences, Request, TaskKind

from .scripted import FakeClock, ScriptedProviders, Step, card, catalog

PAID = card("paid", 60, "openai", 1.0, 10.0)
FREE = card("local", 55, "embedded", 0.0, 0.0)  # a fallback under the strongest-first policy
CHAT = ChatRequest(messages=(Message("user", "write a function"),), max_tokens=1000)
REQUEST = Request(task=TaskKind.ACTION, input_tokens=1000, output_tokens=400)
FLOOR = Preferences(min_coding_score=50)
# Every answer bills the whole max_tokens: (1000 * 1 + 1000 * 10) / 1e6 = $0.011 a request.
FULL_BILL = Usage(1000, 1000)
MAX_COST = 0.011


def router_on(ledger: Ledger, providers: ScriptedProviders, daily_usd: float | None, *cards) -> Router:
    config = UserConfig(budget=BudgetConfig(daily_usd=daily_usd))
    return Router(catalog(*cards), config, frozenset({"openai", "embedded"}), env={}, providers=providers,
                  ledger=ledger, clock=FakeClock())


def gated_steps(gate: asyncio.Event, n: int) -> list[Step]:
    return [Step(text=f"answer {i}", usage=FULL_BILL, gate=gate) for i in range(n)]


async def burst(routers: list[Router], n: int, gate: asyncio.Event) -> list:
    tasks = [asyncio.create_task(routers[i % len(routers)].run(CHAT, REQUEST, FLOOR)) for i in range(n)]
    for _ in range(20):
        await asyncio.sleep(0)  # every request has reserved (or been refused) before any bills
    gate.set()
    return await asyncio.gather(*tasks, return_exceptions=True)


async def test_sixty_concurrent_requests_never_spend_more_than_the_budget(tmp_path):
    budget = 0.1  # the expected cost (400 output tokens) would admit 18 in flight; 9 can be billed in full
    ledger = Ledger(tmp_path / "usage.sqlite3")
    providers = ScriptedProviders("openai", "embedded")
    gate = asyncio.Event()
    providers.get("openai").steps = gated_steps(gate, 60)
    router = router_on(ledger, providers, budget, PAID)
    results = await burst([router], 60, gate)
    served = [r for r in results if not isinstance(r, BaseException)]
    assert all(isinstance(r, BudgetExceeded) for r in results if isinstance(r, BaseException)), results
    spent = ledger.spend_today()
    print(f"\n60 concurrent, budget ${budget}: served {len(served)}, spent ${spent:.4f} ({spent / budget:.2f}x)")
    assert len(served) == int(budget / MAX_COST) and spent <= budget


async def test_two_processes_sharing_one_ledger_share_one_budget(tmp_path):
    """Two Ledger connections on one file stand for two editor windows: each sees the other's
    reservations at once, not after the 5 s spend refresh."""
    budget = 0.05
    gate = asyncio.Event()
    routers = []
    for _ in range(2):
        providers = ScriptedProviders("openai", "embedded")
        providers.get("openai").steps = gated_steps(gate, 20)
        routers.append(router_on(Ledger(tmp_path / "usage.sqlite3"), providers, budget, PAID))
    results = await burst(routers, 40, gate)
    spent = Ledger(tmp_path / "usage.sqlite3").spend_today()
    served = [r for r in results if not isinstance(r, BaseException)]
    print(f"\n2 routers x 20 concurrent, one ledger, budget ${budget}: served {len(served)}, spent ${spent:.4f}")
    assert served and spent <= budget


async def test_a_reservation_counts_for_other_processes_until_recorded(tmp_path):
    one, other = Ledger(tmp_path / "u.sqlite3"), Ledger(tmp_path / "u.sqlite3")
    row = one.reserve(cost_usd=0.03, limit_usd=0.05, model="m", route="openai:m", provider="openai")
    assert row is not None and other.spend_today(pending=True) == pytest.approx(0.03)
    assert other.reserve(cost_usd=0.03, limit_usd=0.05, model="m", route="openai:m", provider="openai") is None
    one.record(Attempt("m", "openai:m", "openai", "ok", 10, 10, 0.001, 5.0), reservation=row)
    assert other.spend_today(pending=True) == pytest.approx(0.001) == other.spend_today()
    assert len(other.rows()) == 1 and other.summary()["attempts"] == 1


def _fill_up(ledger: Ledger) -> None:
    """What a full disk looks like to SQLite: no page may be added, and every page is full."""
    ledger._db.execute("PRAGMA max_page_count = " + str(ledger._db.execute("PRAGMA page_count").fetchone()[0]))
    with pytest.raises(LedgerError, match="full"):
        for _ in range(100_000):
            ledger.record(Attempt("", "", "", "ok", 0, 0, 0.0, 0.0))


def _read_only(ledger: Ledger) -> None:
    ledger._db.execute("PRAGMA query_only = 1")


@pytest.mark.parametrize("broken", [_fill_up, _read_only], ids=["disk-full", "read-only"])
async def test_an_unwritable_ledger_refuses_a_paid_attempt_before_it_is_sent(tmp_path, broken):
    ledger = Ledger(tmp_path / "usage.sqlite3")
    providers = ScriptedProviders("openai", "embedded")
    router = router_on(ledger, providers, None, PAID)
    broken(ledger)
    with pytest.raises(LedgerUnwritable, match=r"nothing was sent.*usage\.sqlite3.*CODEFLOOR_DATA_DIR"):
        await router.run(CHAT, REQUEST, FLOOR)
    assert providers.get("openai").calls == []  # not paid for


@pytest.mark.parametrize("broken", [_fill_up, _read_only], ids=["disk-full", "read-only"])
async def test_an_unwritable_ledger_still_lets_a_free_route_serve(tmp_path, broken):
    ledger = Ledger(tmp_path / "usage.sqlite3")
    providers = ScriptedProviders("openai", "embedded")
    router = router_on(ledger, providers, None, PAID, FREE)
    broken(ledger)
    prefs = Preferences(min_coding_score=50, policy=Policy.STRONGEST)
    assert router.decide(REQUEST, prefs).chosen.card.id == "paid"
    result = await router.run(CHAT, REQUEST, prefs)
    assert result.served_by.card.id == "local" and providers.get("openai").calls == []
