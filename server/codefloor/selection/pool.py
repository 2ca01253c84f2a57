"""The routed pool and the decision of ROUTING.md: (pool, request, preferences, health) -> Decision.

Pool.build sorts every available, scored (model, route) pair once. A request then costs a cache
lookup of its filter key, two bisects and a sort of a handful of exact costs (index.py explains
why that is exact). Policies:

- cheapest: lowest expected cost of this request; ties -> higher score, model id, route key.
- strongest: highest score; ties -> lower expected cost, model id, route key.
- balanced: the cheapest candidate scoring within BALANCED_BAND (5) points of the strongest
  eligible one (ties like cheapest). Its fallback order: the rest of that band by cost, then the
  other eligible candidates by cost.

Score confidence: a pool ranks by the estimate or (conservative) by the lower bound of each score's
interval; a pool answers a request of the other confidence through its twin, built on first use.

Completions: a completion request is answered by the pool's completion variant (built on first use),
whose cards are ModelCard.for_completion() views: a reasoning model with a low-effort score carries
that score and setting (the router sends that effort), one without is left out ("reasoning" rule),
and routes in Health.slow_routes are left out ("latency" rule). When latency left out what would
otherwise have been chosen, the reason says so ("; cheaper X left out: first token ...").

Cost: exact.exact_cost (list prices, the long-context tier when the request is that long, output x
the candidate's output-token factor: the card's, or an observed one given to Pool.build).

FIM: a request that lists `fim` in required_capabilities gets only routes with a native FIM
endpoint; a completion request without it may use any route (the router turns FIM into a chat
prompt), with no FIM preference on ties, so the rule stays the plain policy order.

Each chosen candidate is undominated: nothing eligible is at least as strong and cheaper for this
request (cheapest: by minimality and the score tie-break; strongest: by maximality and the cost
tie-break; balanced: a dominator would score inside the band and be cheaper).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from typing import Iterable, Mapping

from codefloor.catalog.types import ModelCard, Route
from codefloor.selection import wording
from codefloor.selection.diagnose import diagnose
from codefloor.selection.eligibility import passes, reasons_against
from codefloor.selection.exact import PriceScale, candidate_prices, exact_cost, over_cap
from codefloor.selection.index import FilteredIndex
from codefloor.selection.types import (
    Candidate,
    CandidateView,
    Decision,
    Health,
    NoEligibleModel,
    Policy,
    Preferences,
    Request,
    ScoreConfidence,
    TaskKind,
    ranked_score,
)

BALANCED_BAND = 5.0  # points below the strongest eligible score that balanced still accepts
_INDEX_CACHE_SIZE = 64  # filter combinations kept (folders x health states); oldest dropped first
_NO_HEALTH = Health()


def _route_rank(route: Route) -> tuple:
    return (route.input_price_per_mtok, route.output_price_per_mtok, not route.supports_fim, route.model_dump_json())


def _distinct_routes(card: ModelCard) -> list[Route]:
    """One route per key; a duplicated key keeps its cheapest variant (then FIM), whatever the input order."""
    best: dict[str, Route] = {}
    for route in card.routes:
        seen = best.get(route.key)
        if seen is None or _route_rank(route) < _route_rank(seen):
            best[route.key] = route
    return [best[key] for key in sorted(best)]


class Pool:
    """Every available (scored model, route) pair, with lookups precomputed for decisions."""

    def __init__(
        self,
        cards: tuple[ModelCard, ...],
        candidates: tuple[Candidate, ...],
        available_providers: frozenset[str],
        provider_hints: Mapping[str, str],
        output_factors: Mapping[str, float] | None = None,
        conservative: bool = False,
        all_cards: tuple[ModelCard, ...] = (),
        completion: bool = False,
    ):
        self.cards = cards  # every scored card (available or not), strongest first
        self.candidates = candidates  # available pairs in position order (-score, id, route key)
        self.available_providers = available_providers
        self.provider_hints = dict(provider_hints)
        self.output_factors = dict(output_factors or {})
        self.conservative = conservative
        self.completion = completion  # cards are completion views (ModelCard.for_completion)
        self._all_cards = all_cards  # as given to build, before any completion view
        self._variants: dict[tuple[bool, bool], Pool] = {(conservative, completion): self}  # shared by the family
        # Long-context tiers: requests are classed by how many tier thresholds they exceed.
        self._tiers = sorted({c.route.long_context_tokens for c in candidates if c.route.long_context_tokens})
        self.scale = PriceScale.for_prices(
            p for c in candidates for tokens in (0, self._tiers[-1] + 1 if self._tiers else 0)
            for p in candidate_prices(c, tokens)
        )
        self._tier_prices: dict[int, list[tuple[int, int]]] = {}
        self._neg_scores = [-c.score for c in candidates]
        self._context_sizes = sorted({c.context_window for c in candidates})
        self._route_keys = frozenset(c.route.key for c in candidates)
        self._indexes: dict[tuple, FilteredIndex] = {}
        self._caps: dict[float | None, int | None] = {None: None}

    def candidate(self, card: ModelCard, route: Route) -> Candidate:
        """The pair as this pool ranks and prices it."""
        return Candidate(card, route, self.conservative, self.output_factors.get(card.id))

    def _prices(self, input_tokens: int) -> list[tuple[int, int]]:
        """Exact (input, output) prices of every candidate for a request of this size (per tier class)."""
        tier = bisect_left(self._tiers, input_tokens)
        prices = self._tier_prices.get(tier)
        if prices is None:
            size = self._tiers[tier - 1] + 1 if tier else 0  # any size of the class prices alike
            prices = self._tier_prices[tier] = [
                tuple(self.scale.price(p) for p in candidate_prices(c, size)) for c in self.candidates  # type: ignore[misc]
            ]
        return prices

    @classmethod
    def build(
        cls,
        cards: Iterable[ModelCard],
        available_providers: frozenset[str],
        *,
        provider_hints: Mapping[str, str] | None = None,
        output_factors: Mapping[str, float] | None = None,
        conservative: bool = False,
        completion: bool = False,
    ) -> "Pool":
        """`provider_hints`: provider -> how to enable it, e.g. {"anthropic": "set ANTHROPIC_API_KEY"}.
        `output_factors`: model id -> output-token factor observed by the user (overrides the card's).
        `conservative`: rank by the lower bound of each score's interval (else its estimate).
        `completion`: the pool of completion requests (cards seen through ModelCard.for_completion)."""
        by_id: dict[str, ModelCard] = {}
        given = tuple(cards)
        for card in given:
            if card.id in by_id:
                raise ValueError(f"model id {card.id!r} appears twice in the catalog; ids must be unique")
            by_id[card.id] = card
        for model_id, factor in (output_factors or {}).items():
            if not (isinstance(factor, (int, float)) and math.isfinite(factor) and factor > 0):
                raise ValueError(f"output factor of {model_id!r} must be a positive number, got {factor!r}")
        views = [c.for_completion() for c in by_id.values()] if completion else list(by_id.values())
        scored = sorted((c for c in views if c.coding_score is not None),
                        key=lambda c: (-ranked_score(c, conservative), c.id))  # type: ignore[operator]
        factors = dict(output_factors or {})
        candidates = [
            Candidate(card, route, conservative, factors.get(card.id))
            for card in scored
            for route in _distinct_routes(card)
            if route.provider in available_providers
        ]
        candidates.sort(key=lambda c: (-c.score, c.card.id, c.route.key))
        return cls(tuple(scored), tuple(candidates), frozenset(available_providers), provider_hints or {},
                   factors, conservative, given, completion)

    def for_confidence(self, confidence: ScoreConfidence) -> "Pool":
        """This pool, or its twin ranked by the other end of the interval (built once)."""
        return self._variant(confidence is ScoreConfidence.CONSERVATIVE, self.completion)

    def for_request(self, request: Request, prefs: Preferences) -> "Pool":
        """The variant of this pool that answers `request` at `prefs`' score confidence."""
        return self._variant(prefs.score_confidence is ScoreConfidence.CONSERVATIVE, request.task is TaskKind.COMPLETION)

    def _variant(self, conservative: bool, completion: bool) -> "Pool":
        pool = self._variants.get((conservative, completion))
        if pool is None:
            pool = Pool.build(self._all_cards, self.available_providers, provider_hints=self.provider_hints,
                              output_factors=self.output_factors, conservative=conservative, completion=completion)
            pool._variants = self._variants
            self._variants[(conservative, completion)] = pool
        return pool

    @property
    def considered(self) -> int:
        """Number of candidates: available (model, route) pairs with a score."""
        return len(self.candidates)

    def reaching(self, floor: float) -> int:
        """How many candidates (the first ones, in position order) score >= floor, before any filter."""
        return bisect_right(self._neg_scores, -floor)

    # -- the decision -------------------------------------------------------------------------

    def decide(self, request: Request, prefs: Preferences, health: Health = _NO_HEALTH) -> Decision:
        """The chosen candidate, fallbacks and reason; raises NoEligibleModel with an actionable message.

        considered_count and eligible_count count candidates, i.e. (model, route) pairs; the reason
        text counts distinct models ("cheapest of 12 models scoring >= 60: ...").
        """
        pool = self.for_request(request, prefs)
        if pool is not self:
            return pool.decide(request, prefs, health)
        floor = prefs.min_coding_score
        _validate(request, prefs)
        inp, out = request.input_tokens, request.output_tokens
        keep = prefs.max_fallbacks + 1
        cap = self._cap(prefs.max_cost_per_request_usd)
        index = self._index(request, prefs, health)
        k = index.prefix(floor) if index is not None else 0
        ranked: list[int] = []
        if k and index is not None:
            if prefs.policy is Policy.CHEAPEST:
                ranked = index.cheapest(k, inp, out, keep, cap)
            elif prefs.policy is Policy.STRONGEST:
                ranked = index.strongest(k, inp, out, keep, cap)
            else:
                ranked, band_k, strongest_pos = self._balanced(index, k, floor, inp, out, keep, cap)
        if not ranked or index is None:
            raise diagnose(self, request, prefs, health, index, cap)
        chosen, label = index.candidates[ranked[0]], index.label(ranked[0])
        cost = chosen.expected_cost_usd(request)
        eligible, eligible_models = index.count_under_cap(k, inp, out, cap)
        lower = " (lower bound)" if self.conservative else ""
        scoring = f"{wording.models(eligible_models)} scoring{lower} >= {wording.score(floor)}"
        if prefs.policy is Policy.BALANCED:
            strongest = index.candidates[strongest_pos]
            band_models = index.count_under_cap(band_k, inp, out, cap)[1]
            reason = (
                f"balanced: cheapest of {wording.models(band_models)} within {BALANCED_BAND:g} points of the strongest "
                f"({strongest.card.id} at {wording.score(strongest.score)}) among {scoring}: {wording.describe(label, cost)}"
            )
        else:
            reason = f"{prefs.policy.value} of {scoring}: {wording.describe(label, cost)}"
        reason += self._left_out_for_latency(request, prefs, health, chosen, cost)
        return Decision(
            chosen=chosen,
            fallbacks=tuple([index.candidates[pos] for pos in ranked[1:]]),
            considered_count=self.considered,
            eligible_count=eligible,
            reason=reason,
            expected_cost_usd=cost,
            floor=floor,
            policy=prefs.policy,
        )

    def _left_out_for_latency(self, request: Request, prefs: Preferences, health: Health, chosen: Candidate,
                              cost: float) -> str:
        """"; cheaper X left out: <why>" when, without the latency rule, X would have been chosen."""
        if request.task is not TaskKind.COMPLETION or not health.slow_routes:
            return ""
        try:
            unhurried = self.decide(request, prefs, Health(health.unavailable_routes, health.paid_routes_blocked))
        except NoEligibleModel:
            return ""
        other = unhurried.chosen
        why = health.slow_routes.get(other.route.key)
        if why is None or other.route.key == chosen.route.key:
            return ""
        which = "cheaper " if unhurried.expected_cost_usd < cost else ""
        return f"; {which}{other.card.id} via {other.route.provider} left out: {why}"

    def _balanced(
        self, index: FilteredIndex, k: int, floor: float, inp: int, out: int, keep: int, cap: int | None
    ) -> tuple[list[int], int, int]:
        """(ranked positions, length of the band prefix, position of the strongest eligible)."""
        top = index.strongest(k, inp, out, 1, cap)
        if not top:
            return [], 0, -1
        band_k = index.prefix(max(floor, index.candidates[top[0]].score - BALANCED_BAND))
        ranked = index.cheapest(band_k, inp, out, keep, cap)
        if len(ranked) < keep:  # the band is exhausted: continue with the rest of the eligible, by cost
            ranked += [pos for pos in index.cheapest(k, inp, out, keep, cap) if pos >= band_k][: keep - len(ranked)]
        return ranked, band_k, top[0]

    def _cap(self, usd: float | None) -> int | None:
        """The cap on the exact scale; parsing a decimal is slow, and folders reuse a few caps."""
        cap = self._caps.get(usd)
        if cap is None and usd is not None:
            if len(self._caps) >= _INDEX_CACHE_SIZE:
                self._caps = {None: None}
            cap = self._caps[usd] = self.scale.cap(usd)
        return cap

    def _index(self, request: Request, prefs: Preferences, health: Health) -> FilteredIndex | None:
        """The candidates passing this request's fixed filters, built once per filter combination."""
        context_class = bisect_left(self._context_sizes, request.input_tokens + request.output_tokens)
        if context_class == len(self._context_sizes):
            return None  # no window is large enough
        unavailable = health.unavailable_routes
        if unavailable:
            unavailable = unavailable & self._route_keys  # keys we do not serve must not split the cache
        tier = bisect_left(self._tiers, request.input_tokens)
        slow = frozenset(health.slow_routes) & self._route_keys if request.task is TaskKind.COMPLETION else frozenset()
        key = (
            request.task,
            slow,
            prefs.allowed_providers,
            prefs.local_only,
            request.required_capabilities,
            unavailable,
            health.paid_routes_blocked,
            context_class,
            prefs.today,
            tier,
        )
        index = self._indexes.get(key)
        if index is None:
            # Every request with this key passes the same rules: the context class and the price tier
            # are ranges of request sizes within which no rule or price changes.
            positions = [pos for pos, c in enumerate(self.candidates) if passes(c, request, prefs, health)]
            prices = self._prices(request.input_tokens)
            index = FilteredIndex([self.candidates[p] for p in positions], [prices[p] for p in positions])
            if len(self._indexes) >= _INDEX_CACHE_SIZE:
                del self._indexes[next(iter(self._indexes))]
            self._indexes[key] = index
        return index

    # -- explanation ----------------------------------------------------------------------------

    def pareto_ids(self, request: Request = Request()) -> frozenset[str]:
        """Models on the (score up, cost of `request` down) frontier among available models.

        A model's cost is that of its cheapest available route; the default request (2,000 tokens in,
        500 out) weighs output 4x less often than input, close to a blended list price.
        """
        best: dict[str, tuple[float, int]] = {}
        for c, (pin, pout) in zip(self.candidates, self._prices(request.input_tokens)):
            cost = request.input_tokens * pin + request.output_tokens * pout
            if c.card.id not in best or cost < best[c.card.id][1]:
                best[c.card.id] = (c.score, cost)
        frontier: set[str] = set()
        cheapest_stronger: int | None = None
        ordered = sorted(best.items(), key=lambda item: (-item[1][0], item[1][1], item[0]))
        i = 0
        while i < len(ordered):
            group_score = ordered[i][1][0]
            group = [item for item in ordered[i:] if item[1][0] == group_score]
            group_min = group[0][1][1]
            for model_id, (_, cost) in group:
                if cost == group_min and (cheapest_stronger is None or cost < cheapest_stronger):
                    frontier.add(model_id)
            cheapest_stronger = group_min if cheapest_stronger is None else min(cheapest_stronger, group_min)
            i += len(group)
        return frozenset(frontier)

    def explain(self, request: Request, prefs: Preferences, health: Health = _NO_HEALTH) -> list[CandidateView]:
        """Every scored model with its best route, cost, eligibility and the reasons it is not eligible."""
        pool = self.for_request(request, prefs)
        if pool is not self:
            return pool.explain(request, prefs, health)
        _validate(request, prefs)
        try:
            decision: Decision | None = self.decide(request, prefs, health)
        except NoEligibleModel:
            decision = None
        pareto = self.pareto_ids(request)
        views: list[CandidateView] = []
        for card in self.cards:
            options = []
            for route in _distinct_routes(card):
                candidate = self.candidate(card, route)
                available = route.provider in self.available_providers
                if not available:
                    hint = self.provider_hints.get(route.provider)
                    reasons = [f"{route.provider} not configured" + (f": {hint}" if hint else "")]
                else:
                    reasons = [] if candidate.score >= prefs.min_coding_score else [
                        f"below floor {wording.score(prefs.min_coding_score)}"
                    ]
                    reasons += reasons_against(candidate, request, prefs, health)
                    if over_cap(exact_cost(candidate, request), prefs.max_cost_per_request_usd):
                        reasons.append(
                            f"over price cap ({wording.usd(candidate.expected_cost_usd(request))} > "
                            f"{wording.usd(prefs.max_cost_per_request_usd or 0)})"
                        )
                rank = (not available, bool(reasons), exact_cost(candidate, request), route.key)
                options.append((rank, candidate, available, reasons))
            if not options:
                continue  # a card without routes cannot be served
            _, candidate, _, reasons = min(options, key=lambda option: option[0])
            chosen = decision is not None and decision.chosen == candidate
            views.append(
                CandidateView(
                    card=card,
                    route=candidate.route,
                    expected_cost_usd=candidate.expected_cost_usd(request),
                    available=any(option[2] for option in options),
                    eligible=not reasons,
                    why_not=tuple(reasons),
                    pareto=card.id in pareto,
                    chosen=chosen,
                )
            )
        return views


def _validate(request: Request, prefs: Preferences) -> None:
    """Programming errors, not user errors: settings.py and the CLI validate what users type."""
    if not math.isfinite(prefs.min_coding_score):
        raise ValueError(f"min_coding_score must be a finite number, got {prefs.min_coding_score!r}")
    if request.input_tokens < 0 or request.output_tokens < 0:
        raise ValueError("token counts must be >= 0")
    if prefs.max_fallbacks < 0:
        raise ValueError("max_fallbacks must be >= 0")
    cap = prefs.max_cost_per_request_usd
    if cap is not None and (math.isnan(cap) or cap < 0):
        raise ValueError(f"max_cost_per_request_usd must be >= 0, got {cap!r}")
