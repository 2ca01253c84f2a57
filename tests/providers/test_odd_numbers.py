"""Numbers a provider reports are checked before anyone adds them up (issue 13, item 10).

usage.prompt_tokens 1e400 (a float overflow), cost NaN, completion_tokens 10^30 (beyond SQLite's
integers), negative costs and counts, and a stream event nested 100,000 deep: each is a malformed
answer of that attempt (MalformedResponse, retryable, so the router falls back), never an internal
error, never negative spend. Against the real loopback fakes of each wire format."""

from __future__ import annotations

import json

import pytest

from codefloor.config import ProviderConfig, UserConfig
from codefloor.ledger import Ledger
from codefloor.providers import ProviderSet
from codefloor.providers import errors as e
from codefloor.providers.types import ChatRequest, Message
from codefloor.router import Router
from codefloor.selection import Preferences, Request
from tests.fakes import behaviour as b
from tests.providers.test_errors_on_the_wire import TARGETS, _run
from tests.unit.router.scripted import FakeClock, card, catalog

ODD = {
    "inf-input": {"input_tokens": float("inf")},
    "nan-input": {"input_tokens": float("nan")},
    "huge-output": {"output_tokens": 10**30},
    "negative-output": {"output_tokens": -7},
    "negative-input": {"input_tokens": -5},
}
ODD_COST = {"nan-cost": float("nan"), "negative-cost": -5.0, "huge-cost": 1e12, "inf-cost": float("inf")}

DEEP = "[" * 100_000 + "]" * 100_000
OPENAI_1E400 = (
    'data: {"choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}], '
    '"usage": {"prompt_tokens": 1e400, "completion_tokens": 3}}\n\n',
    "data: [DONE]\n\n",
)


@pytest.mark.parametrize("odd", ODD)
@pytest.mark.parametrize("target", TARGETS)
async def test_impossible_token_counts_are_a_malformed_answer(target, odd, fake_provider):
    with pytest.raises(e.MalformedResponse) as caught:
        await _run(target, fake_provider, b.ok("fine text", **ODD[odd]))
    assert caught.value.retryable and "impossible" in caught.value.message


@pytest.mark.parametrize("odd", ODD_COST)
async def test_impossible_reported_cost_is_a_malformed_answer(odd, fake_provider):
    with pytest.raises(e.MalformedResponse):
        await _run("openai-chat", fake_provider, b.ok("fine text", cost_usd=ODD_COST[odd]))


async def test_a_literal_1e400_is_a_malformed_answer(fake_provider):
    with pytest.raises(e.MalformedResponse):
        await _run("openai-chat", fake_provider, b.raw(*OPENAI_1E400))


@pytest.mark.parametrize("target", ["openai-chat", "anthropic", "gemini"])
async def test_an_event_nested_100000_deep_is_a_malformed_answer(target, fake_provider):
    with pytest.raises(e.MalformedResponse):
        await _run(target, fake_provider, b.raw(f"data: {DEEP}\n\n"))


async def test_ordinary_numbers_still_pass(fake_provider):
    got, _ = await _run("openai-chat", fake_provider, b.ok("fine text", input_tokens=12, output_tokens=3, cost_usd=0.0))
    assert (got.final.usage.input_tokens, got.final.usage.output_tokens, got.final.usage.cost_usd) == (12, 3, 0.0)


@pytest.mark.parametrize("odd", ["nan-cost", "negative-cost", "inf-input", "huge-output", "deep"])
async def test_the_router_falls_back_and_never_records_odd_spend(odd, fake_provider, tmp_path):
    """The first route reports nonsense; the second serves; the ledger has both attempts and no
    negative or non-finite spend."""
    odd_one = fake_provider("openai", text="odd")
    good = fake_provider("anthropic", text="the fallback's answer")
    script = {
        "nan-cost": b.ok("odd", cost_usd=float("nan")),
        "negative-cost": b.ok("odd", cost_usd=-5.0),
        "inf-input": b.raw(*OPENAI_1E400),
        "huge-output": b.ok("odd", output_tokens=10**30),
        "deep": b.raw(f"data: {DEEP}\n\n"),
    }[odd]
    odd_one.script(script)
    env = {"OPENAI_API_KEY": "sk-test-openai-0000000000", "ANTHROPIC_API_KEY": "sk-ant-test-0000000000",
           "CODEFLOOR_OPENAI_BASE_URL": odd_one.url + "/v1", "CODEFLOOR_ANTHROPIC_BASE_URL": good.url}
    config = UserConfig(providers={"openai": ProviderConfig(timeout_s=5), "anthropic": ProviderConfig(timeout_s=5)})
    ledger = Ledger(tmp_path / "usage.sqlite3")
    router = Router(catalog(card("cheap", 60, "openai", 1.0, 2.0), card("dear", 80, "anthropic", 3.0, 15.0)),
                    config, frozenset({"openai", "anthropic"}), env=env, providers=ProviderSet(config, env),
                    ledger=ledger, clock=FakeClock())
    try:
        result = await router.run(ChatRequest((Message("user", "hello"),), max_tokens=64),
                                  Request(input_tokens=100, output_tokens=50), Preferences(min_coding_score=50))
        assert result.served_by.card.id == "dear" and result.text == "the fallback's answer"
        rows = ledger.rows()
        assert [(r["model"], r["outcome"], r["error_kind"]) for r in rows] == [
            ("cheap", "error", "MalformedResponse"), ("dear", "ok", None)]
        assert all(r["cost_usd"] >= 0 and r["input_tokens"] >= 0 and r["output_tokens"] >= 0 for r in rows)
        assert ledger.spend_today() >= 0 and json.dumps(ledger.summary())  # finite: JSON-able without NaN tricks
    finally:
        await router.aclose()
