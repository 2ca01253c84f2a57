"""Why nothing is eligible, in one actionable line (the slow path: runs only when a decision fails).

The constraints are applied in the order of eligibility.RULES after the floor, then the price cap;
the first one that empties the set is the one reported, with what to change. When some model
would qualify without the floor, the message also offers the floor that reaches it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codefloor.selection import wording
from codefloor.selection.eligibility import RULES
from codefloor.selection.exact import exact_cost
from codefloor.selection.types import Candidate, Health, NoEligibleModel, Preferences, Request, ranked_score

if TYPE_CHECKING:
    from codefloor.selection.index import FilteredIndex
    from codefloor.selection.pool import Pool


def _cost(candidate: Candidate, request: Request):
    return exact_cost(candidate, request)


def diagnose(
    pool: "Pool", request: Request, prefs: Preferences, health: Health, index: "FilteredIndex | None", cap: int | None
) -> NoEligibleModel:
    """`index`: the candidates passing the request's fixed filters (None: no context window fits);
    `cap`: the price cap on the pool's exact scale. Both come from the failed fast path and keep this cheap."""
    floor = prefs.min_coding_score
    shown_floor = wording.score(floor)

    def fail(message: str, *hints: str) -> NoEligibleModel:
        strongest = pool.candidates[0] if pool.candidates else None
        return NoEligibleModel(message, floor, strongest, pool.considered, tuple(hints))

    if not pool.candidates:
        hints = sorted(set(pool.provider_hints.values()))
        how = " or ".join(hints[:3]) if hints else "set a provider API key in the environment or the user config"
        if not pool.available_providers:
            return fail(f"no provider is configured -- {how}", *hints)
        configured = ", ".join(sorted(pool.available_providers))
        return fail(f"no scored model is served by the configured providers ({configured}) -- {how}", *hints)

    inp, out = request.input_tokens, request.output_tokens
    # What would qualify if only the floor moved: offered as the alternative in the messages below.
    alternative = ""
    if index is not None:
        best = index.strongest(len(index.candidates), inp, out, 1, cap)
        if best:
            strongest = index.candidates[best[0]]
            alternative = f" or lower minCodingScore to {wording.floor_to_reach(strongest.score)} ({strongest.card.id})"

    reaching = pool.candidates[: pool.reaching(floor)]
    if not reaching:
        return _below_floor(pool, request, floor, fail)
    k = index.prefix(floor) if index is not None else 0
    if k:  # something passes every filter and the floor: only the price cap is left
        cheapest = index.candidates[index.cheapest(k, inp, out, 1, None)[0]]  # type: ignore[union-attr]
        return _over_cap(cheapest, request, prefs, shown_floor, alternative, fail)

    remaining = reaching
    for rule in RULES:
        kept = [c for c in remaining if rule.passes(c, request, prefs, health)]
        if not kept:
            return fail(_blocked_by(rule.name, remaining, request, prefs, shown_floor) + alternative)
        remaining = kept

    cheapest = min(remaining, key=lambda c: (_cost(c, request), -c.score, c.card.id, c.route.key))
    return _over_cap(cheapest, request, prefs, shown_floor, alternative, fail)


def _over_cap(cheapest: Candidate, request: Request, prefs: Preferences, shown_floor: str, alternative: str, fail):
    cost = cheapest.expected_cost_usd(request)
    cap = prefs.max_cost_per_request_usd or 0.0
    return fail(
        f"no model reaching {shown_floor} costs <= {wording.usd(cap)} for this request "
        f"(cheapest: {cheapest.card.id} at {wording.usd(cost)}) -- raise maxCostPerRequestUsd to {wording.at_least(_cost(cheapest, request) / 1_000_000)}{alternative}"
    )


def _below_floor(pool: "Pool", request: Request, floor: float, fail) -> NoEligibleModel:
    strongest = pool.candidates[0]
    lower = f"lower minCodingScore to {wording.floor_to_reach(strongest.score)}"
    head = (
        f"no available model reaches {wording.score(floor)}; the strongest available is "
        f"{strongest.card.id} at {wording.score(strongest.score)} -- {lower}"
    )
    # The cheapest model that would qualify if its provider were set up.
    options = [
        (exact_cost(pool.candidate(card, r), request), card.id, r.provider, card)
        for card in pool.cards
        if (ranked_score(card, pool.conservative) or 0) >= floor
        for r in card.routes
        if r.provider not in pool.available_providers and r.provider in pool.provider_hints
    ]
    if not options:
        return fail(f"{head}; no model in the catalog reaches {wording.score(floor)}")
    _, _, provider, card = min(options, key=lambda option: option[:3])
    hint = pool.provider_hints[provider]
    return fail(f"{head} or {hint} for {card.id} ({wording.score(ranked_score(card, pool.conservative))})", hint)


def _blocked_by(rule: str, remaining: list[Candidate], request: Request, prefs: Preferences, floor: str) -> str:
    if rule == "provider":
        allowed = ", ".join(sorted(prefs.allowed_providers or ())) or "none"
        providers = ", ".join(sorted({c.route.provider for c in remaining}))
        return f"no model reaching {floor} is served by allowedProviders ({allowed}) -- add one of {providers} to allowedProviders"
    if rule == "local":
        return f"localOnly is on and no local model reaches {floor} -- turn off localOnly, add a stronger local model"
    if rule == "capability":
        needed = ", ".join(sorted(request.required_capabilities))
        return f"no model reaching {floor} supports {needed} -- drop that requirement"
    if rule == "context":
        widest = max(remaining, key=lambda c: (c.card.context_window, c.score))
        need = request.input_tokens + request.output_tokens
        return (
            f"this request needs {need:,} tokens of context and the largest window among models reaching {floor} "
            f"is {widest.card.context_window:,} ({widest.card.id}) -- send less context"
        )
    if rule == "reasoning":
        return (f"every model reaching {floor} reasons by default and has no low-effort score, so none may serve "
                "inline completions -- lower completion.minCodingScore")
    if rule == "latency":
        names = ", ".join(sorted({c.route.key for c in remaining})[:3])
        return (f"every model reaching {floor} is too slow for completion.maxLatencyMs ({names}) -- raise "
                "completion.maxLatencyMs or lower completion.minCodingScore; slow routes are tried again now and then")
    if rule == "retired":
        return f"every model reaching {floor} is past its deprecation date (as of {prefs.today}) -- lower minCodingScore or update the catalog (codefloor catalog update)"
    if rule == "cooldown":
        names = ", ".join(sorted({c.route.key for c in remaining})[:3])
        return f"every model reaching {floor} is cooling down after failures ({names}) -- retry in a minute"
    if rule == "budget":
        return (
            f"the daily budget is reached and no local or free model reaches {floor} -- "
            "raise [budget] daily_usd in the user config or wait for tomorrow"
        )
    raise AssertionError(f"unknown rule {rule}")
