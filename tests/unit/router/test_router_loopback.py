"""Fallback on the wire: the real ProviderSet and adapters against loopback fake providers.

The first route (OpenAI wire) fails in each way a provider fails; the second (Anthropic wire)
must serve, the broken attempt's text must not leak into the result, and the ledger must show
both attempts. Also: Retry-After drives the cooldown, and cancelling closes the upstream request.
"""

from __future__ import annotations

import asyncio

import pytest

from codefloor.config import ProviderConfig, UserConfig
from codefloor.ledger import Ledger
from codefloor.providers import ProviderSet
from codefloor.providers.types import ChatRequest, Message
from codefloor.router import Router
from codefloor.selection import Preferences, Request
from tests.fakes.behaviour import cut, hang, malformed_json, ok, rate_limited, refuse, server_error, unauthorized

from .scripted import FakeClock, card, catalog

BROKEN = "BROKEN-ATTEMPT-TEXT that must not survive"
GOOD = "the fallback's whole answer"
CHAT = ChatRequest(messages=(Message("user", "write hello world"),), max_tokens=64)
REQUEST = Request(input_tokens=100, output_tokens=50)
PREFS = Preferences(min_coding_score=50)
CARDS = (card("cheap", 60, "openai", 1.0, 2.0), card("dear", 80, "anthropic", 3.0, 15.0))


@pytest.fixture
def wired(fake_provider, tmp_path):
    openai = fake_provider("openai", text=BROKEN)
    anthropic = fake_provider("anthropic", text=GOOD)
    env = {
        "OPENAI_API_KEY": "sk-test-openai-0000000000",
        "ANTHROPIC_API_KEY": "sk-ant-test-0000000000",
        "CODEFLOOR_OPENAI_BASE_URL": openai.url + "/v1",
        "CODEFLOOR_ANTHROPIC_BASE_URL": anthropic.url,
    }
    # Short read timeout so a hanging provider fails fast.
    config = UserConfig(providers={"openai": ProviderConfig(timeout_s=0.5), "anthropic": ProviderConfig(timeout_s=5)})
    ledger = Ledger(tmp_path / "usage.sqlite3")
    clock = FakeClock()
    router = Router(catalog(*CARDS), config, frozenset({"openai", "anthropic"}), env=env,
                    providers=ProviderSet(config, env), ledger=ledger, clock=clock)
    yield router, openai, anthropic, ledger, clock


FAULTS = {
    "429": rate_limited("3"),
    "500": server_error(500),
    "timeout": hang(5.0),
    "stream cut": cut(after_chunks=2),
    "hang mid-stream": hang(5.0, after_chunks=2),
    "malformed": malformed_json(after_chunks=2),
    "refused": refuse(),
}


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
async def test_first_route_fails_second_serves_and_the_ledger_has_both(wired, fault):
    router, openai, anthropic, ledger, _ = wired
    openai.script(FAULTS[fault])
    live: list[str] = []
    result = await router.run(CHAT, REQUEST, PREFS, folder="/proj", on_text=live.append)
    try:
        assert result.served_by.card.id == "dear"
        assert result.text == GOOD
        assert "BROKEN" not in result.text
        assert [(a.model_id, a.outcome) for a in result.attempts] == [("cheap", "error"), ("dear", "ok")]
        rows = ledger.rows()
        assert [(r["model"], r["outcome"], r["folder"]) for r in rows] == [("cheap", "error", "/proj"), ("dear", "ok", "/proj")]
        assert rows[0]["error_kind"] and rows[1]["error_kind"] is None
        assert len(openai.requests) == 1 and len(anthropic.requests) == 1
        assert "".join(live).endswith(GOOD)
    finally:
        await router.aclose()


async def test_retry_after_sets_the_cooldown_and_the_route_recovers(wired):
    router, openai, anthropic, _, clock = wired
    openai.script(rate_limited("7"))
    first = await router.run(CHAT, REQUEST, PREFS)
    assert first.served_by.card.id == "dear"
    clock.now += 6.5
    second = await router.run(CHAT, REQUEST, PREFS)
    assert second.served_by.card.id == "dear" and len(openai.requests) == 1  # not even tried while cooling
    clock.now += 1.0
    openai.set_text("cheap again")
    third = await router.run(CHAT, REQUEST, PREFS)
    assert (third.served_by.card.id, third.text) == ("cheap", "cheap again")
    await router.aclose()


async def test_a_rejected_key_falls_back_and_never_reaches_the_ledger(wired):
    router, openai, _, ledger, _ = wired
    openai.script(unauthorized())
    result = await router.run(CHAT, REQUEST, PREFS)
    assert result.served_by.card.id == "dear"
    dump = repr(ledger.rows()) + repr(result)
    assert "sk-test-openai" not in dump and "sk-ant-test" not in dump
    await router.aclose()


async def test_usage_and_cost_come_from_the_wire(wired):
    router, openai, _, ledger, _ = wired
    openai.script(ok("priced", input_tokens=1000, output_tokens=100))
    result = await router.run(CHAT, REQUEST, PREFS)
    assert (result.input_tokens, result.output_tokens) == (1000, 100)
    assert result.cost_usd == pytest.approx((1000 * 1.0 + 100 * 2.0) / 1e6)
    assert ledger.spend_today() == pytest.approx(result.cost_usd)
    await router.aclose()


async def test_cancelling_closes_the_upstream_request(wired):
    router, openai, anthropic, ledger, _ = wired
    openai.script(hang(30.0, after_chunks=2))
    started = asyncio.Event()
    task = asyncio.create_task(router.run(CHAT, REQUEST, PREFS, on_text=lambda _: started.set()))
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(openai.wait_idle, 5.0)
    assert openai.requests[0].disconnected and not openai.requests[0].completed
    assert anthropic.requests == []
    assert [r["outcome"] for r in ledger.rows()] == ["cancelled"]
    await router.aclose()


async def test_an_answer_the_check_rejects_is_a_billed_failed_attempt_without_cooldown(wired):
    """The code-action answer check (actions/generate.py Job.rejects): a rejected answer fails that
    attempt -- recorded and billed, the next fallback serves -- but the route is not cooled down."""
    router, openai, anthropic, ledger, _ = wired
    openai.script(ok(BROKEN, input_tokens=1000, output_tokens=100))
    checked: list[str] = []

    def check(answer: str) -> str | None:
        checked.append(answer)
        return "the answer would break the Python syntax of m.py" if "BROKEN" in answer else None

    result = await router.run(CHAT, REQUEST, PREFS, folder="/proj", check=check)
    assert (result.served_by.card.id, result.text) == ("dear", GOOD) and checked == [BROKEN, GOOD]
    rows = ledger.rows()
    assert [(r["model"], r["outcome"], r["error_kind"]) for r in rows] == [("cheap", "error", "MalformedResponse"), ("dear", "ok", None)]
    assert result.attempts[0].cost_usd == pytest.approx((1000 * 1.0 + 100 * 2.0) / 1e6)  # it was billed
    assert "break the Python syntax" in (result.attempts[0].error or "")
    assert router.decide(REQUEST, PREFS).chosen.card.id == "cheap"  # the route works: no cooldown
    await router.aclose()
