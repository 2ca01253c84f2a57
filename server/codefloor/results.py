"""What a routed request returns, shared by the router, the CLI and the LSP (how it fails: errors.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from codefloor.selection.types import Candidate, Decision


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try of one route. Recorded in the ledger as one row."""

    model_id: str
    route_key: str  # "provider:model_name"
    provider: str
    outcome: Literal["ok", "error", "cancelled"]
    input_tokens: int
    output_tokens: int
    cost_usd: float
    latency_ms: float
    error_kind: str | None = None  # ProviderError subclass name
    error: str | None = None  # user-facing message, never contains a key
    first_token_ms: float | None = None  # until the first useful chunk; None = none came


@dataclass(frozen=True, slots=True)
class RoutedResult:
    text: str
    decision: Decision
    served_by: Candidate
    attempts: tuple[Attempt, ...]
    input_tokens: int
    output_tokens: int
    cost_usd: float  # all attempts, including failed ones that were billed
    latency_ms: float  # whole request, all attempts

    @property
    def reason(self) -> str:
        """Why the model that served did: the engine's reason when its first choice served, else
        which attempts failed first (decision.reason names the first choice, not the server)."""
        chosen = self.decision.chosen
        if self.served_by.route.key == chosen.route.key:
            return self.decision.reason
        failed = "; ".join(f"{a.model_id} ({a.error_kind})" for a in self.attempts if a.outcome != "ok")
        return (f"fallback: {self.served_by.card.id} served after {failed} failed "
                f"(the first choice was {chosen.card.id}: {self.decision.reason})")

    @property
    def fallbacks_tried(self) -> int:
        return len(self.attempts) - 1

