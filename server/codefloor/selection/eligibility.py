"""The eligibility rules of ROUTING.md, one candidate at a time, with the words that explain a miss.

These are the ONE set of rules: the fast path (pool.py) applies them once per filter combination to
build its index, explain() and the "nothing eligible" diagnosis apply them per candidate. The floor
and the price cap are checked by the callers (they need the sorted scores and exact costs). Order
matters: it is the order the diagnosis reports.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from codefloor.catalog.types import FIM
from codefloor.selection.types import Candidate, Health, Preferences, Request, TaskKind


def has_capabilities(candidate: Candidate, required: frozenset[str]) -> bool:
    """FIM counts only on routes with a native FIM endpoint; other capabilities come from the card."""
    for capability in required:
        if capability == FIM:
            if not candidate.route.supports_fim:
                return False
        elif capability not in candidate.card.capabilities:
            return False
    return True


def is_free(candidate: Candidate) -> bool:
    return candidate.route.is_local or (
        candidate.route.input_price_per_mtok == 0 and candidate.route.output_price_per_mtok == 0
    )


class Rule(NamedTuple):
    name: str  # stable id used by the diagnosis
    passes: Callable[[Candidate, Request, Preferences, Health], bool]
    why: Callable[[Candidate, Request, Preferences, Health], str]


# Request-independent narrowing first, then request-dependent ones; the price cap is checked separately
# (it needs exact costs) by the callers.
RULES: tuple[Rule, ...] = (
    Rule(
        "provider",
        lambda c, r, p, h: p.allowed_providers is None or c.route.provider in p.allowed_providers,
        lambda c, r, p, h: f"provider {c.route.provider} not in allowedProviders",
    ),
    Rule(
        "local",
        lambda c, r, p, h: not p.local_only or c.route.is_local,
        lambda c, r, p, h: "not local (localOnly is on)",
    ),
    Rule(
        "capability",
        lambda c, r, p, h: has_capabilities(c, r.required_capabilities),
        lambda c, r, p, h: "lacks " + ", ".join(sorted(x for x in r.required_capabilities if not has_capabilities(c, frozenset({x})))),
    ),
    Rule(
        "reasoning",  # completions must not wait for long hidden reasoning (ModelCard.for_completion)
        lambda c, r, p, h: r.task is not TaskKind.COMPLETION or c.card.completes,
        lambda c, r, p, h: ("reasons by default" if c.card.reasons else f"scored at {c.card.score_setting}")
        + " and has no low-effort score (not for completions)",
    ),
    Rule(
        "retired",
        lambda c, r, p, h: not c.route.retired(p.today),
        lambda c, r, p, h: f"deprecated since {c.route.deprecation_date}",
    ),
    Rule(
        "context",
        lambda c, r, p, h: c.context_window >= r.input_tokens + r.output_tokens,
        lambda c, r, p, h: f"context {c.context_window:,} < {r.input_tokens + r.output_tokens:,} tokens",
    ),
    Rule(
        "cooldown",
        lambda c, r, p, h: c.route.key not in h.unavailable_routes,
        lambda c, r, p, h: "cooling down after failures",
    ),
    Rule(
        "latency",
        lambda c, r, p, h: r.task is not TaskKind.COMPLETION or c.route.key not in h.slow_routes,
        lambda c, r, p, h: h.slow_routes.get(c.route.key, "too slow for completions"),
    ),
    Rule(
        "budget",
        lambda c, r, p, h: not h.paid_routes_blocked or is_free(c),
        lambda c, r, p, h: "daily budget reached (paid route)",
    ),
)


def passes(candidate: Candidate, request: Request, prefs: Preferences, health: Health) -> bool:
    return all(rule.passes(candidate, request, prefs, health) for rule in RULES)


def reasons_against(candidate: Candidate, request: Request, prefs: Preferences, health: Health) -> list[str]:
    return [rule.why(candidate, request, prefs, health) for rule in RULES if not rule.passes(candidate, request, prefs, health)]
