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

    @property
    def key(self) -> str:
        """Stable identity of the route, used for health/cooldown and the ledger."""
        return f"{self.provider}:{self.model_name}"

    @property
    def is_local(self) -> bool:
        return self.provider in LOCAL_PROVIDERS


class ModelCard(BaseModel):
    """Everything the selection engine and the user need to know about one model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="codefloor's id, e.g. 'gpt-5', 'claude-sonnet-4-5', 'deepseek-chat'.")
    display_name: str
    coding_score: float | None = Field(default=None, ge=0, le=100, description="0-100 on the Aider polyglot scale.")
    score_source: str | None = Field(
        default=None, description="aider-polyglot | swe-bench-bash-only (mapped) | evalplus (mapped) | measured-locally | user"
    )
    score_date: str | None = Field(default=None, description="ISO date of the run the score comes from.")
    score_setting: str | None = Field(default=None, description="e.g. reasoning effort of the scored run.")
    raw_scores: dict[str, float] = Field(default_factory=dict, description="Source benchmark -> raw value.")
    context_window: int = Field(gt=0)
    max_output_tokens: int = Field(gt=0)
    capabilities: frozenset[str] = frozenset({STREAMING})
    routes: tuple[Route, ...] = ()
    deprecation_date: str | None = None
    open_weights: bool = False

    @property
    def reasoning_effort(self) -> str | None:
        """The reasoning effort the score was measured at ("reasoning_effort=high" -> "high")."""
        setting = self.score_setting or ""
        return setting.partition("=")[2] or None if setting.startswith("reasoning_effort=") else None

    def route_for(self, provider: str) -> Route | None:
        return next((r for r in self.routes if r.provider == provider), None)
