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
    def fallbacks_tried(self) -> int:
        return len(self.attempts) - 1

