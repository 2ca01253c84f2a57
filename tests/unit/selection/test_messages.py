"""Example-based checks of what users read: reasons and "nothing eligible" messages, one line each."""

from __future__ import annotations

import pytest

from codefloor.catalog.types import FIM, ModelCard, Route
from codefloor.selection import Health, NoEligibleModel, Policy, Pool, Preferences, Request

HINTS = {"anthropic": "set ANTHROPIC_API_KEY", "openai": "set OPENAI_API_KEY", "ollama": "start Ollama"}


def card(model_id, score, *routes, context=128_000):
    return ModelCard(id=model_id, display_name=model_id, coding_score=score, score_source="aider-polyglot",
                     context_window=context, max_output_tokens=8192, routes=routes)


def route(provider, pin, pout, name=None, fim=False):
    return Route(provider=provider, model_name=name or f"m-{provider}-{pin}", input_price_per_mtok=pin,
                 output_price_per_mtok=pout, supports_fim=fim)


CATALOG = [
    card("claude-opus-4", 92, route("anthropic", 15, 75)),
    card("gpt-5-mini", 84, route("openai", 0.25, 2), route("openrouter", 0.25, 2.5)),
    card("deepseek-chat", 70.2, route("deepseek", 0.27, 1.10, fim=True)),
    card("qwen-coder", 61, route("ollama", 0, 0), context=32_768),
    card("unscored", None, route("openai", 0.01, 0.01)),
]
AVAILABLE = frozenset({"openai", "openrouter", "deepseek", "ollama"})


def pool(available=AVAILABLE):
    return Pool.build(CATALOG, available, provider_hints={p: h for p, h in HINTS.items() if p not in available})


def refused(prefs, request=Request(), health=Health(), available=AVAILABLE) -> str:
    with pytest.raises(NoEligibleModel) as caught:
        pool(available).decide(request, prefs, health)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_cheapest_reason():
    decision = pool().decide(Request(), Preferences(min_coding_score=65))
    assert decision.reason == (
        "cheapest of 2 models scoring >= 65: deepseek-chat via deepseek (70.2, aider-polyglot) at $0.0011 for this request"
    )
    assert decision.expected_cost_usd == pytest.approx((2000 * 0.27 + 500 * 1.10) / 1e6)
    assert [c.route.key for c in decision.fallbacks] == ["openai:m-openai-0.25", "openrouter:m-openrouter-0.25"]
    assert (decision.eligible_count, decision.considered_count) == (3, 4)  # claude: no key; unscored: not routed


def test_strongest_and_balanced_reasons():
    strongest = pool().decide(Request(), Preferences(min_coding_score=60, policy=Policy.STRONGEST))
    assert strongest.chosen.route.provider == "openai"  # same model, cheaper route first
    assert strongest.reason.startswith("strongest of 3 models scoring >= 60: gpt-5-mini via openai (84, ")
    balanced = pool().decide(Request(), Preferences(min_coding_score=60, policy=Policy.BALANCED))
    assert balanced.chosen.card.id == "gpt-5-mini"
    assert balanced.reason.startswith(
        "balanced: cheapest of 1 model within 5 points of the strongest (gpt-5-mini at 84) among 3 models scoring >= 60:"
    )
    # after the band: the others by cost (free local first)
    assert [c.card.id for c in balanced.fallbacks] == ["gpt-5-mini", "qwen-coder", "deepseek-chat"]


def test_floor_too_high_names_the_strongest_and_the_key_to_set():
    assert refused(Preferences(min_coding_score=90)) == (
        "no available model reaches 90; the strongest available is gpt-5-mini at 84 -- "
        "lower minCodingScore to 84 or set ANTHROPIC_API_KEY for claude-opus-4 (92)"
    )


def test_floor_above_the_whole_catalog():
    assert refused(Preferences(min_coding_score=95)).endswith("; no model in the catalog reaches 95")


def test_no_provider_configured():
    message = refused(Preferences(), available=frozenset())
    assert message.startswith("no provider is configured -- ") and "OPENAI_API_KEY" in message


def test_context_too_large():
    message = refused(Preferences(min_coding_score=60), request=Request(input_tokens=200_000))
    assert message == (
        "this request needs 200,500 tokens of context and the largest window among models reaching 60 is 128,000 "
        "(gpt-5-mini) -- send less context"
    )


def test_price_cap_too_low_offers_the_cap_and_a_floor_that_fits():
    message = refused(Preferences(min_coding_score=65, max_cost_per_request_usd=0.0005))
    assert message == (
        "no model reaching 65 costs <= $0.0005 for this request (cheapest: deepseek-chat at $0.0011) -- "
        "raise maxCostPerRequestUsd to 0.00109 or lower minCodingScore to 61 (qwen-coder)"
    )


def test_a_cap_equal_to_the_cost_admits_the_model():
    cost = (2000 * 0.27 + 500 * 1.10) / 1e6
    decision = pool().decide(Request(), Preferences(min_coding_score=65, max_cost_per_request_usd=cost))
    assert decision.chosen.card.id == "deepseek-chat" and decision.fallbacks == ()
    assert decision.eligible_count == 1


def test_all_cooling_down():
    health = Health(unavailable_routes=frozenset({"openai:m-openai-0.25", "openrouter:m-openrouter-0.25"}))
    message = refused(Preferences(min_coding_score=80), health=health)
    assert message.startswith("every model reaching 80 is cooling down after failures (openai:m-openai-0.25, ")
    assert message.endswith("-- retry in a minute or lower minCodingScore to 70.2 (deepseek-chat)")


def test_budget_reached_leaves_local_models_only():
    health = Health(paid_routes_blocked=True)
    assert pool().decide(Request(), Preferences(min_coding_score=60), health).chosen.card.id == "qwen-coder"
    message = refused(Preferences(min_coding_score=65), health=health)
    assert message.startswith("the daily budget is reached and no local or free model reaches 65 -- raise [budget] daily_usd")


def test_narrowing_settings_are_named():
    assert refused(Preferences(min_coding_score=80, allowed_providers=frozenset({"deepseek"}))).startswith(
        "no model reaching 80 is served by allowedProviders (deepseek) -- add one of openai, openrouter to allowedProviders"
    )
    assert refused(Preferences(min_coding_score=65, local_only=True)).startswith("localOnly is on and no local model reaches 65")
    message = refused(Preferences(min_coding_score=80), request=Request(required_capabilities=frozenset({FIM})))
    assert message == "no model reaching 80 supports fim -- drop that requirement or lower minCodingScore to 70.2 (deepseek-chat)"


def test_scores_with_many_decimals_suggest_a_floor_that_still_reaches_them():
    catalog = [card("odd", 84.46, route("openai", 1, 1)), card("top", 99, route("anthropic", 1, 1))]
    with pytest.raises(NoEligibleModel, match=r"lower minCodingScore to 84\.4 "):
        Pool.build(catalog, frozenset({"openai"}), provider_hints=HINTS).decide(Request(), Preferences(min_coding_score=90))


def test_explain_says_why_each_model_is_out():
    views = {v.card.id: v for v in pool().explain(Request(), Preferences(min_coding_score=65, max_cost_per_request_usd=0.002))}
    assert views["claude-opus-4"].why_not == ("anthropic not configured: set ANTHROPIC_API_KEY",)
    assert views["qwen-coder"].why_not == ("below floor 65",)
    assert views["gpt-5-mini"].why_not == ("over price cap ($0.0015 > $0.002)",) or views["gpt-5-mini"].eligible
    assert views["deepseek-chat"].chosen and views["deepseek-chat"].eligible
    assert "unscored" not in views


def test_invalid_preferences_are_programming_errors():
    with pytest.raises(ValueError, match="finite"):
        pool().decide(Request(), Preferences(min_coding_score=float("nan")))
    with pytest.raises(ValueError, match="token"):
        pool().decide(Request(input_tokens=-1), Preferences())
