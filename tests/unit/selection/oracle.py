"""A brute-force oracle for the selection engine: filter everything, sort everything (ROUTING.md, literally)."""

from __future__ import annotations

from fractions import Fraction

from codefloor.catalog.types import FIM, ModelCard
from codefloor.selection import Candidate, Health, Policy, Preferences, Request, ScoreConfidence, TaskKind


def decimal(value: float) -> Fraction:
    """Prices and caps mean the decimals they are written as."""
    return Fraction(repr(value))


def score(card: ModelCard, prefs: Preferences) -> float | None:
    """conservative: the interval's lower bound where the card has one."""
    if prefs.score_confidence is ScoreConfidence.CONSERVATIVE and card.coding_score_low is not None:
        return card.coding_score_low
    return card.coding_score


def cost(candidate: Candidate, request: Request, factors: dict | None = None) -> Fraction:
    """Exact expected cost in USD: the long-context prices above the route's threshold, output tokens x factor."""
    route = candidate.route
    long = route.long_context_tokens is not None and request.input_tokens > route.long_context_tokens
    pin = route.long_input_price_per_mtok if long and route.long_input_price_per_mtok is not None else route.input_price_per_mtok
    pout = route.long_output_price_per_mtok if long and route.long_output_price_per_mtok is not None else route.output_price_per_mtok
    factor = (factors or {}).get(candidate.card.id, candidate.card.output_token_factor)
    return (request.input_tokens * decimal(pin) + request.output_tokens * decimal(pout) * decimal(factor)) / 1_000_000


def distinct(routes):
    """Duplicated route keys: the cheapest variant (input, output price), FIM first on a tie, then any fixed order."""
    best = {}
    for r in routes:
        rank = (r.input_price_per_mtok, r.output_price_per_mtok, not r.supports_fim, r.model_dump_json())
        if r.key not in best or rank < best[r.key][0]:
            best[r.key] = (rank, r)
    return [r for _, r in best.values()]


def as_used(card: ModelCard, request: Request) -> ModelCard | None:
    """The card a request is served by: a completion runs a reasoning model at its low-effort score, and
    not at all without one (ROUTING.md, completions); None = may not serve this request."""
    setting = card.score_setting or ""
    low_settings = ("reasoning_effort=none", "reasoning_effort=minimal", "reasoning_effort=low", "thinking=off")
    thinks = card.reasons or (setting not in low_settings and (setting.startswith("reasoning_effort=")
                                                                or setting.startswith("thinking_tokens=")))
    if request.task is not TaskKind.COMPLETION or not thinks:
        return card
    if card.low_effort is None:
        return None
    low = card.low_effort
    if low.score_setting == setting:
        return card
    return card.model_copy(update={"coding_score": low.coding_score, "coding_score_low": low.coding_score_low})


def is_eligible(c: Candidate, available: frozenset[str], request: Request, prefs: Preferences, health: Health,
                factors: dict | None = None) -> bool:
    route, card = c.route, c.card
    window = route.context_window or card.context_window
    retired = prefs.today is not None and route.deprecation_date is not None and route.deprecation_date < prefs.today
    caps_ok = all(
        route.supports_fim if cap == FIM else cap in card.capabilities for cap in request.required_capabilities
    )
    free = route.provider in ("ollama", "embedded") or (route.input_price_per_mtok == 0 and route.output_price_per_mtok == 0)
    return (
        route.provider in available
        and card.coding_score is not None
        and score(card, prefs) >= prefs.min_coding_score
        and window >= request.input_tokens + request.output_tokens
        and not retired
        and caps_ok
        and (prefs.allowed_providers is None or route.provider in prefs.allowed_providers)
        and (not prefs.local_only or route.provider in ("ollama", "embedded"))
        and (prefs.max_cost_per_request_usd is None or cost(c, request, factors) <= decimal(prefs.max_cost_per_request_usd))
        and route.key not in health.unavailable_routes
        and (request.task is not TaskKind.COMPLETION or route.key not in health.slow_routes)
        and (not health.paid_routes_blocked or free)
    )


def eligible(cards: list[ModelCard], available, request, prefs, health, factors=None) -> list[Candidate]:
    used = [c for c in (as_used(card, request) for card in cards) if c is not None]
    return [
        Candidate(card, route)
        for card in used
        for route in distinct(card.routes)
        if is_eligible(Candidate(card, route), available, request, prefs, health, factors)
    ]


def policy_order(candidates: list[Candidate], request: Request, prefs: Preferences, factors=None) -> list[Candidate]:
    def tail(c: Candidate):
        return (c.card.id, c.route.key)

    def s(c: Candidate) -> float:
        return score(c.card, prefs)

    def k(c: Candidate) -> Fraction:
        return cost(c, request, factors)

    if prefs.policy is Policy.CHEAPEST:
        return sorted(candidates, key=lambda c: (k(c), -s(c), *tail(c)))
    if prefs.policy is Policy.STRONGEST:
        return sorted(candidates, key=lambda c: (-s(c), k(c), *tail(c)))
    if not candidates:
        return []
    band_floor = max(s(c) for c in candidates) - 5.0
    return sorted(candidates, key=lambda c: (s(c) < band_floor, k(c), -s(c), *tail(c)))


def expected(cards, available, request, prefs, health, factors=None) -> list[Candidate]:
    """Chosen + fallbacks as the oracle sees them (empty: nothing eligible)."""
    ordered = policy_order(eligible(cards, available, request, prefs, health, factors), request, prefs, factors)
    return ordered[: prefs.max_fallbacks + 1]
