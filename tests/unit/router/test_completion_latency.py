"""Completion latency on the wire: real adapters against loopback fakes whose first byte comes late.

The router's clock is real monotonic time plus an offset the test moves forward, so latencies are
what the sockets really did while retry intervals pass without waiting for them.
"""

from __future__ import annotations

import re
import time

import pytest

from codefloor.catalog.types import LowEffortScore
from codefloor.errors import NothingEligible
from codefloor.config import ProviderConfig, RoutingConfig, UserConfig
from codefloor.ledger import Ledger
from codefloor.latency import RETRY_AFTER_S, RETRY_WINDOW_S
from codefloor.providers import ProviderSet
from codefloor.providers.types import FimRequest
from codefloor.router import Router
from codefloor.selection import Preferences, Request, TaskKind
from tests.fakes.behaviour import hang, ok, slow_start

from .scripted import card, catalog

SLOW_S = 1.6  # the cheap route's silence before its first byte
BUDGET_MS = 1000  # above the remote prior (800 ms), so an unmeasured route may serve
FIM = FimRequest(prefix="def add(a, b):\n    return ", suffix="\n", max_tokens=32)
COMPLETION = Request(TaskKind.COMPLETION, input_tokens=50, output_tokens=32)
PREFS = Preferences(min_coding_score=50, max_latency_ms=BUDGET_MS)
UNHURRIED = Preferences(min_coding_score=50, max_latency_ms=10_000)
LEFT_OUT = re.compile(r"; cheaper cheap via openai left out: first token \d+\.\d s learned > 1\.0 s budget "
                      r"\(completion\.maxLatencyMs\)$")
CHEAP, DEAR = card("cheap", 60, "openai", 0.1, 0.2), card("dear", 80, "anthropic", 3.0, 15.0)


class SkippingClock:
    """Real monotonic time, plus whatever the test skips forward."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped


@pytest.fixture
def setup(fake_provider, tmp_path):
    openai = fake_provider("openai", text="a + b")
    anthropic = fake_provider("anthropic", text="a + b")
    env = {"OPENAI_API_KEY": "sk-test-openai-0000000000", "ANTHROPIC_API_KEY": "sk-ant-test-0000000000",
           "CODEFLOOR_OPENAI_BASE_URL": openai.url + "/v1", "CODEFLOOR_ANTHROPIC_BASE_URL": anthropic.url}
    config = UserConfig(providers={"openai": ProviderConfig(timeout_s=10), "anthropic": ProviderConfig(timeout_s=10)})
    clock = SkippingClock()

    def router(*cards, routing: RoutingConfig | None = None) -> Router:
        made = Router(catalog(*(cards or (CHEAP, DEAR))), config.model_copy(update={"routing": routing or config.routing}),
                      frozenset({"openai", "anthropic"}), env=env, providers=ProviderSet(config, env),
                      ledger=Ledger(tmp_path / "usage.sqlite3"), clock=clock)
        return made

    yield router, openai, anthropic, clock


async def _complete(router: Router):
    return await router.run(FIM, COMPLETION, PREFS, folder="/proj")


async def test_a_slow_route_leaves_the_completion_pool_and_comes_back_after_it_recovers(setup):
    make, openai, anthropic, clock = setup
    router = make()
    try:
        openai.set_default(slow_start(SLOW_S))
        first = await _complete(router)
        assert first.served_by.card.id == "cheap", first.attempts[0].error  # unmeasured: the remote prior is within the budget
        assert first.attempts[0].first_token_ms >= SLOW_S * 1000

        second = await _complete(router)
        assert second.served_by.card.id == "dear"
        assert LEFT_OUT.search(second.decision.reason), second.decision.reason
        clock.skipped += RETRY_AFTER_S / 2  # not yet due again
        assert (await _complete(router)).served_by.card.id == "dear"

        openai.set_default(ok("a + b"))  # it recovers
        clock.skipped += RETRY_AFTER_S / 2
        retried = await _complete(router)
        assert retried.served_by.card.id == "cheap"  # tried again: one fast answer after a minute brings it back
        after = await _complete(router)
        assert after.served_by.card.id == "cheap" and "left out" not in after.decision.reason
        assert len(openai.requests) == 3
    finally:
        await router.aclose()


async def test_learned_latencies_survive_a_restart_through_the_ledger(setup):
    make, openai, anthropic, clock = setup
    router = make()
    openai.set_default(slow_start(SLOW_S))
    await _complete(router)
    await router.aclose()
    rows = Ledger(router._ledger.path).rows()
    assert rows[-1]["task"] == "completion" and rows[-1]["first_token_ms"] >= SLOW_S * 1000

    restarted = make()
    try:
        decision = restarted.decide(COMPLETION, PREFS)
        assert decision.chosen.card.id == "dear"
        assert LEFT_OUT.search(decision.reason), decision.reason
        # Actions have no latency budget: the cheap model still serves them.
        assert restarted.decide(Request(), PREFS).chosen.card.id == "cheap"
    finally:
        await restarted.aclose()


async def test_a_first_byte_timeout_counts_as_at_least_the_deadline(setup):
    make, openai, anthropic, clock = setup
    router = make(routing=RoutingConfig(completion_first_byte_s=1.2))
    try:
        openai.set_default(hang(30))
        result = await _complete(router)  # the cheap route times out; the dear one serves
        assert [a.model_id for a in result.attempts] == ["cheap", "dear"]
        assert result.attempts[0].error_kind == "ProviderTimeout" and result.attempts[0].first_token_ms is None
        clock.skipped += 1000  # past its cooldown: only the latency rule can keep it out now
        assert router.decide(COMPLETION, PREFS).chosen.card.id == "cheap"  # a minute and more passed: tried again
        assert router.decide(COMPLETION, PREFS).chosen.card.id == "cheap"  # ... until it is measured
        clock.skipped += RETRY_WINDOW_S  # or, unmeasured, for RETRY_WINDOW_S at most
        assert LEFT_OUT.search(router.decide(COMPLETION, PREFS).reason)
    finally:
        await router.aclose()


def _thinker(low_effort: LowEffortScore | None, provider: str = "openai"):
    base = card("gpt-5-think", 90, provider, 0.01, 0.01)  # cheapest of all
    return base.model_copy(update={"reasons": True, "score_setting": "reasoning_effort=medium", "low_effort": low_effort,
                                   "routes": (base.routes[0].model_copy(update={"model_name": "gpt-5-think"}),)})


async def test_a_reasoning_model_without_a_low_effort_score_stays_out_of_completions(setup):
    make, openai, anthropic, clock = setup
    router = make(_thinker(None), DEAR)
    try:
        assert router.decide(Request(), PREFS).chosen.card.id == "gpt-5-think"  # actions: its medium-effort score
        result = await _complete(router)
        assert result.served_by.card.id == "dear" and openai.requests == []
        view = next(v for v in router.explain(COMPLETION, UNHURRIED) if v.card.id == "gpt-5-think")
        assert view.why_not == ("reasons by default and has no low-effort score (not for completions)",)
    finally:
        await router.aclose()


async def test_a_reasoning_model_with_a_low_effort_score_completes_at_that_effort_on_the_wire(setup):
    make, openai, anthropic, clock = setup
    low = LowEffortScore(coding_score=81.3, coding_score_low=75.7, coding_score_high=86.0, score_source="aider-polyglot",
                         score_date="2025-08-25", score_setting="reasoning_effort=low")
    router = make(_thinker(low), DEAR)
    try:
        assert router.decide(COMPLETION, PREFS).chosen.card.id == "dear"  # the reasoning prior (3 s) misses 1 s
        result = await router.run(FIM, COMPLETION, UNHURRIED)
        assert result.served_by.card.id == "gpt-5-think"
        assert result.served_by.card.coding_score == 81.3  # the score of the setting it ran at
        assert openai.last.body["reasoning_effort"] == "low"
        await router.run(FIM, Request(), PREFS)  # an action-shaped request keeps the scored effort
        assert openai.last.body["reasoning_effort"] == "medium"
        floor_85 = Preferences(min_coding_score=85, max_latency_ms=10_000)
        assert router.decide(Request(), floor_85).chosen.card.id == "gpt-5-think"  # 90 at medium effort
        with pytest.raises(NothingEligible, match="strongest available is gpt-5-think at 81.3"):
            router.decide(COMPLETION, floor_85)  # 81.3 at low effort: the floor stays honest
    finally:
        await router.aclose()
