"""Inputs and outputs of the selection engine. Plain immutable values, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from codefloor.catalog.types import ModelCard, Route
from codefloor.errors import NothingEligible


class TaskKind(str, Enum):
    ACTION = "action"  # code actions: generate body, fix, docstring, tests, edit
    COMPLETION = "completion"  # inline / fill-in-the-middle completion


class Policy(str, Enum):
    CHEAPEST = "cheapest"
    STRONGEST = "strongest"
    BALANCED = "balanced"


class ScoreConfidence(str, Enum):
    """Which end of a score's interval meets the floor (and ranks models)."""

    ESTIMATE = "estimate"  # the score itself
    CONSERVATIVE = "conservative"  # the lower bound of its interval (the score when it has none)


@dataclass(frozen=True, slots=True)
class Request:
    """What one request needs from a model."""

    task: TaskKind = TaskKind.ACTION
    input_tokens: int = 2000
    output_tokens: int = 500
    required_capabilities: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Preferences:
    """A folder's preferences (from settings). Narrowing only: they can shrink the pool, never widen it."""

    min_coding_score: float = 50.0
    policy: Policy = Policy.CHEAPEST
    allowed_providers: frozenset[str] | None = None  # None = all
    local_only: bool = False
    max_cost_per_request_usd: float | None = None
    max_fallbacks: int = 4
    score_confidence: ScoreConfidence = ScoreConfidence.ESTIMATE
    today: str | None = None  # YYYY-MM-DD: routes deprecated before it are not used (None: none retired)
    # Inline completions: time to the first useful token a route may take (completion.maxLatencyMs).
    # The router judges learned latencies against it and passes the misses as Health.slow_routes.
    max_latency_ms: float | None = None


@dataclass(frozen=True, slots=True)
class Health:
    """Routes that must not be used right now (cooling down after failures, or out of budget), and
    routes too slow for inline completions: route key -> why, e.g. "first token 3.1 s learned > 1.5 s
    budget (completion.maxLatencyMs)". The router learns latencies and judges them against the
    folder's budget; the engine only leaves those routes out of completion requests."""

    unavailable_routes: frozenset[str] = frozenset()  # Route.key values
    paid_routes_blocked: bool = False  # daily budget reached: only local routes may run
    slow_routes: Mapping[str, str] = field(default_factory=dict, hash=False)


def ranked_score(card: ModelCard, conservative: bool) -> float | None:
    """The score compared with the floor: the estimate, or (conservative) the interval's lower bound."""
    if conservative and card.coding_score_low is not None:
        return card.coding_score_low
    return card.coding_score


@dataclass(frozen=True, slots=True)
class Candidate:
    """One (model, route) pair the engine may choose.

    `conservative`: ranked by the lower bound of the score's interval. `output_factor`: the factor
    output tokens are multiplied by for the expected cost (None: the card's measured or default one).
    """

    card: ModelCard
    route: Route
    conservative: bool = False
    output_factor: float | None = None

    @property
    def score(self) -> float:
        return ranked_score(self.card, self.conservative)  # type: ignore[return-value]  # pool holds scored cards

    @property
    def factor(self) -> float:
        return self.card.output_token_factor if self.output_factor is None else self.output_factor

    @property
    def context_window(self) -> int:
        return self.route.context_window or self.card.context_window

    def expected_cost_usd(self, request: Request) -> float:
        from codefloor.selection.exact import float_cost_usd

        return float_cost_usd(self, request)

    def list_cost_usd(self, request: Request) -> float:
        """List price x requested tokens, without the output-token factor."""
        from codefloor.selection.exact import float_cost_usd

        return float_cost_usd(self, request, with_factor=False)


@dataclass(frozen=True, slots=True)
class Decision:
    chosen: Candidate
    fallbacks: tuple[Candidate, ...]
    considered_count: int
    eligible_count: int
    reason: str
    expected_cost_usd: float
    floor: float
    policy: Policy


@dataclass(eq=False)
class NoEligibleModel(NothingEligible):
    """Nothing meets the floor and the folder's constraints. `message` says why and what to change.

    Part of the one error tree (codefloor/errors.py, import-light, so selection stays pure): the
    router lets it through as it is, and handlers catch errors.NothingEligible or CodefloorError."""

    message: str
    floor: float
    strongest_available: Candidate | None = None
    considered_count: int = 0
    hints: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class CandidateView:
    """One scored model as `Pool.explain` shows it: its best route for the request and why it is (not) eligible."""

    card: ModelCard
    route: Route  # the route the engine would use: the cheapest eligible one, else the cheapest available, else the cheapest
    expected_cost_usd: float
    available: bool
    eligible: bool
    why_not: tuple[str, ...]  # empty when eligible; e.g. ("below floor 60", "no key: set ANTHROPIC_API_KEY")
    pareto: bool  # on the (score up, cost of this request down) frontier among available models
    chosen: bool = False

    @property
    def score(self) -> float:
        return self.card.coding_score  # type: ignore[return-value]
