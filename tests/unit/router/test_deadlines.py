"""Deadlines on the wire ([routing] <task>_first_byte_s / _stall_s / _total_s): a hung or stalled
route falls back within its deadline (not the provider's 30 s read timeout), the total deadline
ends the chain with the attempt recorded, on_event says what happens, and the result's reason
names the model that served. Deadlines are made small through the config; nothing sleeps."""

from __future__ import annotations

import time

import pytest

from codefloor.config import ProviderConfig, RoutingConfig, UserConfig
from codefloor.errors import AllRoutesFailed, DeadlineExceeded
from codefloor.ledger import Ledger
from codefloor.providers import ProviderSet
from codefloor.providers.types import ChatRequest, FimRequest, Message
from codefloor.router import Deadlines, Router
from codefloor.selection import Preferences, Request, TaskKind
from tests.fakes.behaviour import drip, hang, ok

from .scripted import FakeClock, card, catalog

GOOD = "the fallback's whole answer"
CHAT = ChatRequest(messages=(Message("user", "write hello world"),), max_tokens=64)
REQUEST = Request(input_tokens=100, output_tokens=50)
PREFS = Preferences(min_coding_score=50)
CARDS = (card("cheap", 60, "openai", 1.0, 2.0), card("dear", 80, "anthropic", 3.0, 15.0))
READ_TIMEOUT_S = 30.0  # the providers' own read timeout: far above every deadline below


@pytest.fixture
async def make_router(fake_provider, tmp_path):
    """make_router(**routing) -> (router, openai fake, anthropic fake, ledger); closed after the test."""
    made: list[Router] = []

    def make(**routing):
        router, *rest = _router(fake_provider, tmp_path, routing)
        made.append(router)
        return (router, *rest)

    yield make
    for router in made:
        await router.aclose()


def _router(fake_provider, tmp_path, routing):
    openai = fake_provider("openai", text="first choice's answer")
    anthropic = fake_provider("anthropic", text=GOOD)
    env = {
        "OPENAI_API_KEY": "sk-test-openai-0000000000",
        "ANTHROPIC_API_KEY": "sk-ant-test-0000000000",
        "CODEFLOOR_OPENAI_BASE_URL": openai.url + "/v1",
        "CODEFLOOR_ANTHROPIC_BASE_URL": anthropic.url,
    }
    config = UserConfig(providers={name: ProviderConfig(timeout_s=READ_TIMEOUT_S) for name in ("openai", "anthropic")},
                        routing=RoutingConfig(**routing))
    ledger = Ledger(tmp_path / "usage.sqlite3")
    router = Router(catalog(*CARDS), config, frozenset({"openai", "anthropic"}), env=env,
                    providers=ProviderSet(config, env), ledger=ledger, clock=FakeClock())
    return router, openai, anthropic, ledger


async def test_a_hung_first_route_falls_back_within_the_first_byte_deadline(make_router):
    router, openai, anthropic, ledger = make_router(action_first_byte_s=0.5)
    openai.script(hang(READ_TIMEOUT_S * 2))
    events: list[str] = []
    started = time.monotonic()
    result = await router.run(CHAT, REQUEST, PREFS, on_event=events.append)
    elapsed = time.monotonic() - started
    assert result.served_by.card.id == "dear" and result.text == GOOD
    assert elapsed < READ_TIMEOUT_S / 2  # the deadline fired, not the read timeout
    first = result.attempts[0]
    assert (first.model_id, first.outcome, first.error_kind) == ("cheap", "error", "ProviderTimeout")
    assert events == ["cheap: no answer in 0.5 s ([routing] action_first_byte_s), trying dear"]
    assert [r["outcome"] for r in ledger.rows()] == ["error", "ok"]
    assert CARDS[0].routes[0].key in router.health().unavailable_routes  # a hung route cools down like any timeout
    assert openai.wait_idle() and openai.requests[0].disconnected  # the hung request was closed, not left open


async def test_a_stream_that_stalls_mid_way_falls_back(make_router):
    router, openai, anthropic, _ = make_router(action_stall_s=0.5)
    openai.script(hang(READ_TIMEOUT_S * 2, after_chunks=2))
    events: list[str] = []
    result = await router.run(CHAT, REQUEST, PREFS, on_event=events.append)
    assert result.served_by.card.id == "dear" and result.text == GOOD  # the partial text is not in it
    assert "stalled" in result.attempts[0].error and "action_stall_s" in result.attempts[0].error
    assert len(events) == 1 and events[0].startswith("cheap: the answer stalled: nothing for 0.5 s")
    assert events[0].endswith(", trying dear")


async def test_a_slow_but_steady_stream_is_not_a_stall(make_router):
    # Each chunk comes well within the stall deadline, the whole answer takes longer than it.
    router, openai, _, _ = make_router(action_stall_s=2.0)
    openai.script(drip(100, "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"))
    result = await router.run(CHAT, REQUEST, PREFS)
    assert result.served_by.card.id == "cheap" and result.attempts[0].outcome == "ok"


async def test_the_total_deadline_stops_the_chain_and_records_the_attempt(make_router):
    router, openai, anthropic, ledger = make_router(action_first_byte_s=20, action_total_s=0.5)
    openai.script(hang(READ_TIMEOUT_S * 2))
    with pytest.raises(DeadlineExceeded) as caught:
        await router.run(CHAT, REQUEST, PREFS)
    message = str(caught.value)
    assert message.startswith("no answer within 0.5 s ([routing] action_total_s, fallbacks included)")
    assert "raise [routing] action_total_s" in message
    assert isinstance(caught.value, AllRoutesFailed)  # callers that catch AllRoutesFailed still do
    assert [(a.model_id, a.outcome, a.error_kind) for a in caught.value.attempts] == [("cheap", "error", "ProviderTimeout")]
    assert [(r["model"], r["outcome"]) for r in ledger.rows()] == [("cheap", "error")]
    assert anthropic.requests == []  # nothing more was sent
    assert router.health().unavailable_routes == frozenset()  # the request ran out of time; the route did not fail


async def test_an_explicit_total_replaces_the_setting_and_is_named(make_router):
    router, openai, _, _ = make_router()
    openai.script(hang(READ_TIMEOUT_S * 2))
    deadlines = Deadlines.for_task(router.config.routing, "action", total_s=0.5)
    with pytest.raises(DeadlineExceeded, match=r"no answer within 0.5 s \(--timeout"):
        await router.run(CHAT, REQUEST, PREFS, deadlines=deadlines)


def test_each_task_has_its_own_defaults_and_completions_are_short():
    routing = RoutingConfig()
    completion, action = Deadlines.for_task(routing, "completion"), Deadlines.for_task(routing, "action")
    assert completion.total_s <= 10 and completion.first_byte_s < action.first_byte_s
    assert completion.total_s < action.total_s and action.total_s < 5 * 60  # the 5 silent minutes


async def test_a_completion_uses_the_completion_deadlines(make_router):
    router, openai, _, _ = make_router(completion_first_byte_s=0.5, action_first_byte_s=20)
    openai.script(hang(READ_TIMEOUT_S * 2))
    events: list[str] = []
    fim = FimRequest(prefix="def f():\n    ", suffix="\n", max_tokens=16)
    result = await router.run(fim, Request(task=TaskKind.COMPLETION, input_tokens=20, output_tokens=16), PREFS,
                              on_event=events.append)
    assert result.served_by.card.id == "dear"
    assert events == ["cheap: no answer in 0.5 s ([routing] completion_first_byte_s), trying dear"]


async def test_the_reason_names_the_model_that_served(make_router):
    router, openai, _, _ = make_router(action_first_byte_s=0.5)
    openai.script(hang(READ_TIMEOUT_S * 2), ok("cheap answers again"))
    fallen_back = await router.run(CHAT, REQUEST, PREFS)
    router._cooldowns.clear()  # the route recovers (cooldowns are tested in test_router_loopback)
    served_first = await router.run(CHAT, REQUEST, PREFS)
    assert fallen_back.reason.startswith("fallback: dear served after cheap (ProviderTimeout) failed")
    assert "first choice was cheap" in fallen_back.reason
    assert served_first.served_by.card.id == "cheap" and served_first.reason == served_first.decision.reason
