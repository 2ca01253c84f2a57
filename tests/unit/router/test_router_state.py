"""Router state logic with scripted in-process providers: cooldowns and recovery on an injected
clock, auth marking, non-retryable stops, cost, budget and in-flight reservations, FIM choice,
cancellation. (Wire-level fallbacks against real HTTP fakes: test_router_loopback.py.)"""

from __future__ import annotations

import asyncio

import pytest

from codefloor.config import BudgetConfig, RoutingConfig, UserConfig
from codefloor.ledger import Ledger
from codefloor.providers.errors import (
    AuthError,
    BadRequest,
    ContextTooLong,
    ModelNotFound,
    RateLimited,
    ServerError,
    StreamInterrupted,
)
from codefloor.providers.fim import HOLE
from codefloor.providers.types import ChatRequest, FimRequest, Message, Usage
from codefloor.errors import AllRoutesFailed, BudgetExceeded, CodefloorError, NothingEligible
from codefloor.results import Attempt
from codefloor.router import BACKOFF_BASE_S, SPEND_REFRESH_S, Router
from codefloor.selection import NoEligibleModel, Policy, Preferences, Request, TaskKind

from .scripted import FakeClock, ScriptedProviders, Step, card, catalog

# Cheapest first: at floor 50 the order is openai (cheap) -> anthropic (dear); "weak" is below
# the floor and must never be tried; the embedded model is free but scores 10.
CARDS = (
    card("cheap", 60, "openai", 1.0, 2.0),
    card("dear", 80, "anthropic", 3.0, 15.0),
    card("weak", 40, "deepseek", 0.1, 0.2),
    card("tiny", 10, "embedded", 0.0, 0.0),
)
PROVIDERS = ("openai", "anthropic", "deepseek", "mistral", "embedded")
CHAT = ChatRequest(messages=(Message("user", "write a function"),))
REQUEST = Request(task=TaskKind.ACTION, input_tokens=1000, output_tokens=500)
FLOOR_50 = Preferences(min_coding_score=50)


@pytest.fixture
def setup(tmp_path):
    def make(daily_usd: float | None = None, cards=CARDS):
        providers = ScriptedProviders(*PROVIDERS)
        clock = FakeClock()
        ledger = Ledger(tmp_path / "usage.sqlite3")
        config = UserConfig(budget=BudgetConfig(daily_usd=daily_usd))
        router = Router(catalog(*cards), config, frozenset(PROVIDERS), env={}, providers=providers,
                        ledger=ledger, clock=clock)
        return router, providers, clock, ledger

    return make


async def test_rate_limited_route_cools_down_for_retry_after_then_recovers(setup):
    router, providers, clock, ledger = setup()
    providers.get("openai").steps = [Step(error=RateLimited("slow down", retry_after=30, provider="openai"), text="")]
    result = await router.run(CHAT, REQUEST, FLOOR_50)
    assert result.served_by.card.id == "dear"
    assert [(a.model_id, a.outcome, a.error_kind) for a in result.attempts] == [
        ("cheap", "error", "RateLimited"), ("dear", "ok", None)]
    assert router.decide(REQUEST, FLOOR_50).chosen.card.id == "dear"  # cheap is cooling down
    clock.now += 29.9
    assert router.decide(REQUEST, FLOOR_50).chosen.card.id == "dear"
    clock.now += 0.2
    assert router.decide(REQUEST, FLOOR_50).chosen.card.id == "cheap"  # recovered after Retry-After
    assert [r["outcome"] for r in ledger.rows()] == ["error", "ok"]


async def test_default_backoff_doubles_per_consecutive_failure_and_success_resets_it(setup):
    router, providers, clock, _ = setup()
    openai = providers.get("openai")
    openai.steps = [Step(error=ServerError("boom", provider="openai"), text="")]
    await router.run(CHAT, REQUEST, FLOOR_50)
    clock.now += BACKOFF_BASE_S + 0.1
    openai.steps = [Step(error=ServerError("boom", provider="openai"), text="")]
    await router.run(CHAT, REQUEST, FLOOR_50)  # second failure in a row: 2x the pause
    clock.now += BACKOFF_BASE_S + 0.1
    assert router.decide(REQUEST, FLOOR_50).chosen.card.id == "dear"
    clock.now += BACKOFF_BASE_S
    assert router.decide(REQUEST, FLOOR_50).chosen.card.id == "cheap"
    result = await router.run(CHAT, REQUEST, FLOOR_50)
    assert result.served_by.card.id == "cheap"
    openai.steps = [Step(error=ServerError("boom", provider="openai"), text="")]
    await router.run(CHAT, REQUEST, FLOOR_50)
    clock.now += BACKOFF_BASE_S + 0.1  # after a success the next pause is the base one again
    assert router.decide(REQUEST, FLOOR_50).chosen.card.id == "cheap"


async def test_user_config_sets_the_cooldown_base_and_cap(tmp_path):
    providers = ScriptedProviders(*PROVIDERS)
    clock = FakeClock()
    config = UserConfig(routing=RoutingConfig(cooldown_s=0.5, max_cooldown_s=0.8))
    router = Router(catalog(*CARDS), config, frozenset(PROVIDERS), env={}, providers=providers,
                    ledger=Ledger(tmp_path / "usage.sqlite3"), clock=clock)
    for pause in (0.5, 0.8):  # 0.5, then 2 x 0.5 capped at 0.8
        providers.get("openai").steps = [Step(error=ServerError("boom", provider="openai"), text="")]
        await router.run(CHAT, REQUEST, FLOOR_50)
        clock.now += pause - 0.05
        assert router.decide(REQUEST, FLOOR_50).chosen.card.id == "dear"
        clock.now += 0.1
        assert router.decide(REQUEST, FLOOR_50).chosen.card.id == "cheap"


async def test_an_empty_chat_answer_fails_the_attempt_and_a_fallback_answers(setup):
    router, providers, _, ledger = setup()
    providers.get("openai").steps = [Step(text="")]  # finished, but said nothing
    providers.get("anthropic").steps = [Step(text="whole answer")]
    result = await router.run(CHAT, REQUEST, FLOOR_50)
    assert (result.text, result.served_by.card.id) == ("whole answer", "dear")
    assert [(r["model"], r["outcome"], r["error_kind"]) for r in ledger.rows()] == [
        ("cheap", "error", "MalformedResponse"), ("dear", "ok", None)]


async def test_partial_text_of_a_broken_stream_never_reaches_the_result(setup):
    router, providers, _, _ = setup()
    providers.get("openai").steps = [Step(text="PARTIAL half", error=StreamInterrupted("cut", provider="openai"))]
    providers.get("anthropic").steps = [Step(text="whole answer")]
    seen: list[str] = []
    result = await router.run(CHAT, REQUEST, FLOOR_50, on_text=seen.append)
    assert result.text == "whole answer"
    assert "PARTIAL" in "".join(seen)  # it was shown live, and only live
    assert result.attempts[0].error_kind == "StreamInterrupted"


async def test_a_stream_that_ends_without_its_finish_marker_is_a_failed_attempt(setup):
    router, providers, _, _ = setup()
    providers.get("openai").steps = [Step(text="looks complete", finish=False)]
    result = await router.run(CHAT, REQUEST, FLOOR_50)
    assert result.served_by.card.id == "dear"
    assert result.attempts[0].error_kind == "StreamInterrupted"


async def test_fallbacks_never_go_below_the_floor(setup):
    router, providers, _, _ = setup()
    for name in ("openai", "anthropic"):
        providers.get(name).steps = [Step(error=ServerError("down", provider=name), text="")]
    with pytest.raises(AllRoutesFailed) as failed:
        await router.run(CHAT, REQUEST, FLOOR_50)
    assert [a.model_id for a in failed.value.attempts] == ["cheap", "dear"]
    assert providers.get("deepseek").calls == [] and providers.get("embedded").calls == []
    assert "cheap" in str(failed.value) and "ServerError" in str(failed.value)


async def test_auth_failure_marks_the_provider_until_the_router_is_rebuilt(setup):
    router, providers, clock, _ = setup()
    providers.get("openai").steps = [Step(error=AuthError("bad key", provider="openai"), text="")]
    result = await router.run(CHAT, REQUEST, FLOOR_50)
    assert result.served_by.card.id == "dear"
    clock.now += 10_000
    assert router.decide(REQUEST, FLOOR_50).chosen.card.id == "dear"


async def test_bad_request_stops_without_trying_fallbacks(setup):
    router, providers, _, _ = setup()
    providers.get("openai").steps = [Step(error=BadRequest("unsupported parameter", provider="openai"), text="")]
    with pytest.raises(AllRoutesFailed) as failed:
        await router.run(CHAT, REQUEST, FLOOR_50)
    assert len(failed.value.attempts) == 1
    assert providers.get("anthropic").calls == []
    assert router.decide(REQUEST, FLOOR_50).chosen.card.id == "cheap"  # not a route fault: no cooldown


async def test_cost_is_reported_when_given_else_tokens_times_price(setup):
    router, providers, _, ledger = setup()
    providers.get("openai").steps = [
        Step(usage=Usage(input_tokens=1000, output_tokens=100, cost_usd=0.5)),
        Step(usage=Usage(input_tokens=1000, output_tokens=100)),
    ]
    reported = await router.run(CHAT, REQUEST, FLOOR_50)
    priced = await router.run(CHAT, REQUEST, FLOOR_50)
    assert reported.cost_usd == 0.5
    assert priced.cost_usd == pytest.approx((1000 * 1.0 + 100 * 2.0) / 1e6)
    assert (priced.input_tokens, priced.output_tokens) == (1000, 100)
    assert [r["cost_source"] for r in ledger.rows()] == ["reported", "catalog"]


async def test_no_eligible_model_sends_nothing(setup):
    router, providers, _, ledger = setup()
    with pytest.raises(NothingEligible) as caught:
        await router.run(CHAT, REQUEST, Preferences(min_coding_score=95))
    # One error tree: the engine's own exception reaches the caller, with its floor and hints, and a
    # handler catching CodefloorError catches it.
    assert isinstance(caught.value, NoEligibleModel) and isinstance(caught.value, CodefloorError)
    assert caught.value.floor == 95 and "95" in str(caught.value)
    assert all(p.calls == [] for p in providers.by_name.values())
    assert ledger.rows() == []


async def test_budget_reached_blocks_paid_routes_but_local_models_serve(setup):
    router, providers, _, ledger = setup(daily_usd=0.01)
    providers.get("openai").steps = [Step(usage=Usage(1000, 100, cost_usd=0.02))]
    await router.run(CHAT, REQUEST, FLOOR_50)
    assert ledger.spend_today() == 0.02
    assert router.health().paid_routes_blocked
    with pytest.raises(BudgetExceeded, match=r"daily budget \$0.01 used up"):
        router.decide(REQUEST, FLOOR_50)
    local = await router.run(CHAT, REQUEST, Preferences(min_coding_score=5))
    assert local.served_by.card.id == "tiny"
    assert len(providers.get("openai").calls) == 1 and len(providers.get("anthropic").calls) == 0


async def test_concurrent_requests_reserve_what_they_can_cost(setup):
    # Each request can cost (1000*1 + 1024*2)/1e6 = 0.003048 on "cheap" (max_tokens, not the expected
    # 500); 0.0045 fits one in flight, and after the first one is charged its real ~0.001 the next fits again.
    router, providers, _, _ = setup(daily_usd=0.0045, cards=CARDS[:1] + CARDS[3:])
    gate = asyncio.Event()
    providers.get("openai").steps = [Step(text="first paid", gate=gate)]
    prefs = Preferences(min_coding_score=5, policy=Policy.STRONGEST)  # paid "cheap" first, free "tiny" next
    first = asyncio.create_task(router.run(CHAT, REQUEST, prefs))
    await asyncio.sleep(0.01)  # the first request is now streaming, its cost reserved
    second = await router.run(CHAT, REQUEST, prefs)
    assert second.served_by.card.id == "tiny"  # the paid route would have overrun the budget
    gate.set()
    assert (await first).served_by.card.id == "cheap"
    third = await router.run(CHAT, REQUEST, prefs)  # reservation released, spend recorded
    assert third.served_by.card.id == "cheap"


async def test_without_a_free_fallback_a_request_waits_for_reservations_to_settle_instead_of_refusing(setup):
    # Only "cheap" (can cost 0.003048, billed ~0.001): 0.0045 fits one in flight. The second request
    # must not be refused while the first is streaming: it waits, then fits what is really left.
    router, providers, _, ledger = setup(daily_usd=0.0045, cards=CARDS[:1])
    gate = asyncio.Event()
    providers.get("openai").steps = [Step(text="first paid", gate=gate), Step(text="second paid")]
    first = asyncio.create_task(router.run(CHAT, REQUEST, FLOOR_50))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(router.run(CHAT, REQUEST, FLOOR_50))
    await asyncio.sleep(0.01)
    assert not second.done() and len(providers.get("openai").calls) == 1  # waiting, nothing sent
    gate.set()
    assert [(await first).text, (await second).text] == ["first paid", "second paid"]
    assert ledger.spend_today() <= 0.0045 and ledger.spend_today(pending=True) == ledger.spend_today()
    with pytest.raises(BudgetExceeded, match=r"nearly used up: .* may cost up to \$0\.0030"):  # refused at once
        await router.run(CHAT, REQUEST, FLOOR_50)  # nothing in flight, and what is left does not cover it


async def test_cancellation_closes_the_stream_records_it_and_propagates(setup):
    router, providers, _, ledger = setup()
    gate = asyncio.Event()  # never set: the model "hangs" mid-stream
    openai = providers.get("openai")
    openai.steps = [Step(text="never finishes", gate=gate)]
    task = asyncio.create_task(router.run(CHAT, REQUEST, FLOOR_50, folder="/w"))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert openai.closed_streams == 1
    assert providers.get("anthropic").calls == []  # no fallback after a cancel
    assert [(r["outcome"], r["folder"]) for r in ledger.rows()] == [("cancelled", "/w")]
    assert ledger.spend_today(pending=True) == ledger.spend_today()  # the reservation became the cancelled row


async def test_fim_uses_native_fim_where_the_route_has_it_else_a_chat_prompt(setup):
    cards = (card("coder", 60, "mistral", 0.3, 0.9, fim=True), card("chatty", 70, "openai", 1.0, 2.0))
    router, providers, _, _ = setup(cards=cards)
    mistral = providers.get("mistral")
    fim = FimRequest(prefix="def add(a, b):\n    return ", suffix="\n")
    request = Request(task=TaskKind.COMPLETION, input_tokens=20, output_tokens=10)
    native = await router.run(fim, request, FLOOR_50)
    assert native.served_by.card.id == "coder" and mistral.calls[0][0] == "fim"
    only_chat = await router.run(fim, request, Preferences(min_coding_score=65))
    kind, model, sent = providers.get("openai").calls[0]
    assert (kind, model) == ("chat", "chatty-wire")
    assert HOLE in sent.messages[-1].content and only_chat.served_by.card.id == "chatty"


async def test_attempt_callback_sees_each_candidate_in_order(setup):
    router, providers, _, _ = setup()
    providers.get("openai").steps = [Step(error=ServerError("down", provider="openai"), text="")]
    started: list[str] = []
    await router.run(CHAT, REQUEST, FLOOR_50, on_attempt=lambda c: started.append(c.card.id))
    assert started == ["cheap", "dear"]


async def test_spend_written_by_another_process_counts_once_refreshed(setup, tmp_path):
    router, _, clock, _ = setup(daily_usd=1.0)
    assert not router.health().paid_routes_blocked
    other_process = Ledger(tmp_path / "usage.sqlite3")  # e.g. `codefloor ask` in a terminal
    other_process.record(Attempt("cheap", "openai:cheap-wire", "openai", "ok", 10, 10, 1.5, 5.0))
    clock.now += SPEND_REFRESH_S
    assert router.health().paid_routes_blocked


async def test_context_too_long_on_one_route_tries_the_next_without_cooling_it(setup):
    router, providers, _, _ = setup()
    providers.get("openai").steps = [Step(error=ContextTooLong("window is 4096 here", provider="openai"), text="")]
    result = await router.run(CHAT, REQUEST, FLOOR_50)
    assert result.served_by.card.id == "dear"
    assert router.decide(REQUEST, FLOOR_50).chosen.card.id == "cheap"


async def test_a_model_the_route_does_not_serve_marks_that_route_and_a_fallback_answers(setup):
    router, providers, clock, _ = setup()
    providers.get("openai").steps = [Step(error=ModelNotFound("model 'cheap' not found, try pulling it first",
                                                                provider="openai"), text="")]
    result = await router.run(CHAT, REQUEST, FLOOR_50)
    assert result.served_by.card.id == "dear"
    clock.now += 10_000  # not a cooldown: the route stays out until the router is rebuilt
    assert router.decide(REQUEST, FLOOR_50).chosen.card.id == "dear"


async def test_a_model_runs_at_the_reasoning_effort_its_score_was_measured_at(setup):
    high = card("cheap", 60, "openai", 1.0, 2.0).model_copy(update={"score_setting": "reasoning_effort=high"})
    router, providers, _, _ = setup(cards=(high, *CARDS[1:]))
    await router.run(CHAT, REQUEST, FLOOR_50)
    [(kind, model, sent)] = providers.get("openai").calls
    assert (kind, model, sent.reasoning_effort) == ("chat", "cheap-wire", "high")
    await router.run(CHAT, REQUEST, Preferences(min_coding_score=70))  # "dear": no setting recorded
    assert providers.get("anthropic").calls[-1][2].reasoning_effort is None


async def test_the_listed_model_keeps_serving_while_eligible_and_a_switch_says_why(setup):
    """Resolve names the model the action's title named: kept while it is eligible even when the
    engine would now pick another; when it cannot serve, the note says who serves and why."""
    router, providers, clock, _ = setup()
    kept, note = router.decide_keeping(REQUEST, FLOOR_50, "dear")  # listed: dear, though cheap is cheaper
    assert kept.chosen.card.id == "dear" and note is None
    assert [c.card.id for c in kept.fallbacks] == ["cheap"]  # the engine's choice becomes a fallback
    assert "named when the action was listed" in kept.reason
    result = await router.run(CHAT, REQUEST, FLOOR_50, decision=kept)
    assert result.served_by.card.id == "dear" and providers.get("openai").calls == []

    router._cool_down(router.decide(REQUEST, FLOOR_50).chosen.route.key, 60)  # cheap cools down
    switched, note = router.decide_keeping(REQUEST, FLOOR_50, "cheap")
    assert switched.chosen.card.id == "dear"
    assert note is not None and note.startswith("cheap (listed) cannot serve now (") and "dear serves" in note
    same, note = router.decide_keeping(REQUEST, FLOOR_50, None)
    assert same.chosen.card.id == "dear" and note is None
