"""Model cards: what the catalog knows about each model and every way to reach it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Providers codefloor can talk to. The wire format of each is in codefloor.config.PROVIDERS.
PROVIDER_NAMES = (
    "openai",
    "anthropic",
    "gemini",
    "deepseek",
    "mistral",
    "xai",
    "openrouter",
    "ollama",
    "embedded",
)
LOCAL_PROVIDERS = frozenset({"ollama", "embedded"})

# Capability names used by cards and by requests.
STREAMING = "streaming"
from codefloor.basics import FIM  # noqa: E402 (one name for cards, requests and the LSP)
TOOLS = "tools"


class Route(BaseModel):
    """One way to reach a model: a provider and that provider's name for it, with its price."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: str
    model_name: str = Field(description="The provider-specific model id sent on the wire.")
    input_price_per_mtok: float = Field(ge=0, description="USD per million input tokens.")
    output_price_per_mtok: float = Field(ge=0, description="USD per million output tokens.")
    supports_fim: bool = Field(default=False, description="A native fill-in-the-middle endpoint serves it.")
    context_window: int | None = Field(default=None, gt=0, description="What this route serves (None: the card's).")
    deprecation_date: str | None = Field(default=None, description="YYYY-MM-DD after which the route is not used.")
    long_context_tokens: int | None = Field(
        default=None, gt=0, description="Above this many input tokens the long-context prices below apply.")
    long_input_price_per_mtok: float | None = Field(default=None, ge=0)
    long_output_price_per_mtok: float | None = Field(default=None, ge=0)

    @property
    def key(self) -> str:
        """Stable identity of the route, used for health/cooldown and the ledger."""
        return f"{self.provider}:{self.model_name}"

    @property
    def is_local(self) -> bool:
        return self.provider in LOCAL_PROVIDERS

    def prices_for(self, input_tokens: int) -> tuple[float, float]:
        """(input, output) USD per million tokens for a request of `input_tokens` (long-context tier applied)."""
        if self.long_context_tokens is not None and input_tokens > self.long_context_tokens:
            return (self.input_price_per_mtok if self.long_input_price_per_mtok is None else self.long_input_price_per_mtok,
                    self.output_price_per_mtok if self.long_output_price_per_mtok is None else self.long_output_price_per_mtok)
        return self.input_price_per_mtok, self.output_price_per_mtok

    def retired(self, today: str | None) -> bool:
        return bool(today and self.deprecation_date and self.deprecation_date < today)


# Settings of a scored run that ask a reasoning model to reason little or not at all, least first:
# the run a completion may use (see ModelCard.for_completion). "thinking=off" is sent as effort "none".
LOW_EFFORT_SETTINGS = ("reasoning_effort=none", "thinking=off", "reasoning_effort=minimal", "reasoning_effort=low")


class LowEffortScore(BaseModel):
    """A reasoning model's coding score at a low-effort setting, with its source, date and interval
    like the card's main score: what a completion, which must not wait for long reasoning, runs at."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    coding_score: float = Field(ge=0, le=100)
    score_source: str
    score_date: str
    score_setting: str = Field(description="One of LOW_EFFORT_SETTINGS, e.g. 'reasoning_effort=low'.")
    coding_score_low: float | None = Field(default=None, ge=0, le=100)
    coding_score_high: float | None = Field(default=None, ge=0, le=100)
    score_interval: str | None = None


class ModelCard(BaseModel):
    """Everything the selection engine and the user need to know about one model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="codefloor's id, e.g. 'gpt-5', 'claude-sonnet-4-5', 'deepseek-chat'.")
    display_name: str
    coding_score: float | None = Field(default=None, ge=0, le=100, description="0-100 on the Aider polyglot scale.")
    score_source: str | None = Field(
        default=None,
        description="aider-polyglot | aider-polyglot (community, unmerged PR N) | swe-bench-bash-only (mapped) | "
        "aa-coding-index (mapped) | measured-locally | user",
    )
    coding_score_low: float | None = Field(default=None, ge=0, le=100, description="Lower end of the score's interval.")
    coding_score_high: float | None = Field(default=None, ge=0, le=100, description="Upper end of the score's interval.")
    score_interval: str | None = Field(default=None, description="What the interval is, e.g. '95% binomial, 225 cases'.")
    score_extrapolated: bool = Field(default=False, description="Mapped from a raw value outside the fit's range.")
    score_date: str | None = Field(default=None, description="ISO date of the run the score comes from.")
    score_setting: str | None = Field(default=None, description="e.g. reasoning effort of the scored run.")
    raw_scores: dict[str, float] = Field(default_factory=dict, description="Source benchmark -> raw value.")
    context_window: int = Field(gt=0)
    max_output_tokens: int = Field(gt=0)
    capabilities: frozenset[str] = frozenset({STREAMING})
    routes: tuple[Route, ...] = ()
    deprecation_date: str | None = None
    open_weights: bool = False
    output_token_factor: float = Field(
        default=1.0, gt=0, description="Expected output tokens = requested output tokens x this (hidden reasoning).")
    output_token_factor_source: str | None = None
    reasons: bool = Field(default=False, description="Reasons (hidden thinking tokens) when the request says nothing.")
    low_effort: LowEffortScore | None = Field(
        default=None, description="Score at a low-effort setting, when a source measured one (reasoning models).")

    def score_summary(self) -> str:
        """e.g. '82.7 +/- 10.2 (mapped from swe-bench-bash-only 70.6, n=13)' or '76.9 [70.9-82.0] (aider-polyglot, ...)'."""
        if self.coding_score is None:
            return "unscored"
        score = f"{self.coding_score:g}"
        low, high = self.coding_score_low, self.coding_score_high
        if low is not None and high is not None:
            half = round((high - low) / 2, 1)
            symmetric = abs((self.coding_score - low) - (high - self.coding_score)) < 0.11
            score += f" +/- {half:g}" if symmetric else f" [{low:g}-{high:g}]"
        what = self.score_interval or self.score_source or "source unknown"
        return f"{score} ({what})"

    @property
    def reasoning_effort(self) -> str | None:
        """The reasoning effort the score was measured at ("reasoning_effort=high" -> "high";
        "thinking=off" -> "none", how OpenAI-style APIs turn thinking off)."""
        setting = self.score_setting or ""
        if setting == "thinking=off":
            return "none"
        return setting.partition("=")[2] or None if setting.startswith("reasoning_effort=") else None

    @property
    def scored_reasoning(self) -> bool:
        """The score was earned with the model reasoning: it reasons by default, or the scored run asked
        it to reason beyond a low effort (e.g. deepseek-v3.2 at reasoning_effort=high)."""
        setting = self.score_setting or ""
        return self.reasons or (setting.startswith(("reasoning_effort=", "thinking_tokens="))
                                and setting not in LOW_EFFORT_SETTINGS)

    def for_completion(self) -> "ModelCard":
        """The card as inline completions use it. A model whose score was earned reasoning would think
        for seconds before the first token, so it completes at its low-effort setting, with that run's
        score (source, date, interval), when a source measured one; one without is returned as it is,
        and selection leaves it out of completions (its score is not the setting a completion could
        honestly run at). Other cards are unchanged."""
        low = self.low_effort
        if not self.scored_reasoning or low is None or self.score_setting == low.score_setting:
            return self
        return self.model_copy(update={
            "coding_score": low.coding_score, "score_source": low.score_source, "score_date": low.score_date,
            "score_setting": low.score_setting, "coding_score_low": low.coding_score_low,
            "coding_score_high": low.coding_score_high, "score_interval": low.score_interval,
            "score_extrapolated": False})

    @property
    def completes(self) -> bool:
        """May serve inline completions: its score was not earned reasoning, or it has a low-effort score."""
        return not self.scored_reasoning or self.low_effort is not None

    def route_for(self, provider: str) -> Route | None:
        return next((r for r in self.routes if r.provider == provider), None)
