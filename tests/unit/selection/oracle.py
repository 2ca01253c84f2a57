"""A brute-force oracle for the selection engine: filter everything, sort everything (ROUTING.md, literally)."""

from __future__ import annotations

from fractions import Fraction

from codefloor.catalog.types import FIM, ModelCard
from codefloor.selection import Candidate, Health, Policy, Preferences, Request


def decimal(value: float) -> Fraction:
    """Prices and caps mean the decimals they are written as."""
    return Fraction(repr(value))


def cost(candidate: Candidate, request: Request) -> Fraction:
    """Exact cost in USD."""
    route = candidate.route
    return (
        request.input_tokens * decimal(route.input_price_per_mtok)
        + request.output_tokens * decimal(route.output_price_per_mtok)
    ) / 1_000_000


def is_eligible(c: Candidate, available: frozenset[str], request: Request, prefs: Preferences, health: Health) -> bool:
    route, card = c.route, c.card
    caps_ok = all(
        route.supports_fim if cap == FIM else cap in card.capabilities for cap in request.required_capabilities
    )
    free = route.provider in ("ollama", "embedded") or (route.input_price_per_mtok == 0 and route.output_price_per_mtok == 0)
    return (
        route.provider in available
        and card.coding_score is not None
        and card.coding_score >= prefs.min_coding_score
        and card.context_window >= request.input_tokens + request.output_tokens
        and caps_ok
        and (prefs.allowed_providers is None or route.provider in prefs.allowed_providers)
        and (not prefs.local_only or route.provider in ("ollama", "embedded"))
        and (prefs.max_cost_per_request_usd is None or cost(c, request) <= decimal(prefs.max_cost_per_request_usd))
        and route.key not in health.unavailable_routes
        and (not health.paid_routes_blocked or free)
    )


def eligible(cards: list[ModelCard], available, request, prefs, health) -> list[Candidate]:
    return [
        Candidate(card, route)
        for card in cards
        for route in card.routes
        if is_eligible(Candidate(card, route), available, request, prefs, health)
    ]


def policy_order(candidates: list[Candidate], request: Request, policy: Policy) -> list[Candidate]:
    def tail(c: Candidate):
        return (c.card.id, c.route.key)

    if policy is Policy.CHEAPEST:
        return sorted(candidates, key=lambda c: (cost(c, request), -c.score, *tail(c)))
    if policy is Policy.STRONGEST:
        return sorted(candidates, key=lambda c: (-c.score, cost(c, request), *tail(c)))
    if not candidates:
        return []
    band_floor = max(c.score for c in candidates) - 5.0
    return sorted(candidates, key=lambda c: (c.score < band_floor, cost(c, request), -c.score, *tail(c)))


def expected(cards, available, request, prefs, health) -> list[Candidate]:
    """Chosen + fallbacks as the oracle sees them (empty: nothing eligible)."""
    ordered = policy_order(eligible(cards, available, request, prefs, health), request, prefs.policy)
    return ordered[: prefs.max_fallbacks + 1]
