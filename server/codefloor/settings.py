"""The ONE settings schema: per-workspace-folder preferences (LSP section "codefloor").

Keys are camelCase on the wire (VS Code settings, workspace/configuration, initializationOptions)
and snake_case in Python. vscode-client/package.json mirrors this schema; a test keeps them equal.

Security: these settings may come from a repository (.vscode/settings.json). They may change
quality and cost preferences and NARROW the pool, never redirect traffic: endpoints, keys, key
environment variable names and commands are not part of this schema, and `parse_folder_settings`
reports any attempt to set them (see FORBIDDEN_KEY_PATTERN). Those live in codefloor.config only.
"""

from __future__ import annotations

import datetime
import math
import re
import reprlib
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from codefloor.catalog.types import PROVIDER_NAMES
from codefloor.selection.types import Policy, Preferences, ScoreConfidence

from codefloor.basics import SECTION  # noqa: F401 (re-exported)

ProviderName = Literal["openai", "anthropic", "gemini", "deepseek", "mistral", "xai", "openrouter", "ollama", "embedded"]
assert set(ProviderName.__args__) == set(PROVIDER_NAMES)  # type: ignore[attr-defined]


class _Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


# Numbers and switches are strict: pydantic's lax mode would turn `true` into a floor of 1.0 and
# "60" or "yes" into values the editor's own schema rejects, hiding a typo in settings.json. A
# JSON number (int or float) is accepted for a number; only true/false for a switch.
STRICT = {"strict": True}


class CompletionSettings(_Schema):
    enabled: bool = Field(default=True, **STRICT, description="Offer AI inline completions in this folder.")
    min_coding_score: float | None = Field(
        default=None,
        **STRICT,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="Separate floor for inline completions (fast, frequent); unset = use minCodingScore.",
    )
    debounce_ms: int = Field(
        default=150, **STRICT, ge=0, le=5000, description="Wait this long after the last keystroke before asking a model."
    )
    max_latency_ms: int = Field(
        default=1500,
        **STRICT,
        ge=50,
        le=60000,
        description=(
            "Time to the first useful token an inline completion may take. Routes whose learned latency misses it "
            "leave the completion pool and are tried again now and then (docs/routing.md)."
        ),
    )
    max_cost_per_hour_usd: float | None = Field(
        default=None,
        **STRICT,
        ge=0,
        allow_inf_nan=False,
        description=(
            "Pause automatic completions while this folder's completions cost at least this much (USD) in the "
            "rolling last hour (from the ledger, every codefloor process); invoked ones still run. Also "
            "prefers models that keep inside it. null = no limit."
        ),
    )


class FolderSettings(_Schema):
    """Per-folder preferences. Every field has a safe default; a bad value keeps the previous one."""

    min_coding_score: float = Field(
        default=50,
        **STRICT,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description=(
            "The floor: only models whose public coding score (Aider polyglot scale, 0-100) is at least this "
            "serve requests from this folder. Among them codefloor picks by `policy`."
        ),
    )
    policy: Policy = Field(
        default=Policy.CHEAPEST,
        description=(
            "cheapest: lowest expected cost of the request; strongest: highest score; "
            "balanced: the cheapest model within 5 points of the strongest eligible one."
        ),
    )
    allowed_providers: list[ProviderName] | None = Field(
        default=None, description="Only use these providers (null = every configured provider)."
    )
    local_only: bool = Field(default=False, **STRICT, description="Only use local models (Ollama, embedded); nothing leaves the machine.")
    max_cost_per_request_usd: float | None = Field(
        default=None, **STRICT, ge=0, allow_inf_nan=False, description="Skip models whose expected cost for a request exceeds this (USD)."
    )
    score_confidence: ScoreConfidence = Field(
        default=ScoreConfidence.ESTIMATE,
        description=(
            "estimate: a model's coding score must meet minCodingScore; conservative: the lower bound of the "
            "score's interval must (95% sampling interval of a measured run, +/- the fit's leave-one-out error "
            "of a mapped one), so uncertain scores need more margin."
        ),
    )
    completion: CompletionSettings = Field(default_factory=CompletionSettings)

    def preferences(self, *, for_completion: bool = False, today: str | None = None) -> Preferences:
        """`today` (YYYY-MM-DD, default the current date): routes deprecated before it are not used."""
        floor = self.min_coding_score
        if for_completion and self.completion.min_coding_score is not None:
            floor = self.completion.min_coding_score
        return Preferences(
            min_coding_score=floor,
            policy=self.policy,
            allowed_providers=frozenset(self.allowed_providers) if self.allowed_providers is not None else None,
            local_only=self.local_only,
            max_cost_per_request_usd=self.max_cost_per_request_usd,
            score_confidence=self.score_confidence,
            today=today or datetime.date.today().isoformat(),
            max_latency_ms=self.completion.max_latency_ms if for_completion else None,
        )


# Anything that looks like it would redirect traffic, carry a secret or run a program.
FORBIDDEN_KEY_PATTERN = re.compile(
    r"(url|uri|endpoint|host|base|proxy|socket|key|token|secret|password|credential|auth|header|env"
    r"|command|cmd|path|exec|binary|program|shell|args)",
    re.I,
)


def _hostile(key: Any, value: Any) -> bool:
    """An unknown key is a security problem when its name, or any name or value nested in it, looks
    like an endpoint, a secret or a command: `{"providers": {"openai": {"baseUrl": ...}}}` is as
    much an attempt as `openaiBaseUrl`, and its value must not be echoed back either."""
    pending = [(key, value)]  # a stack, not recursion: a hostile value may nest a thousand levels
    while pending:
        name, item = pending.pop()
        if FORBIDDEN_KEY_PATTERN.search(str(name)) or (isinstance(item, str) and "://" in item):
            return True
        if isinstance(item, dict):
            pending.extend(item.items())
        elif isinstance(item, (list, tuple)):
            pending.extend(("", v) for v in item)
    return False


@dataclass(frozen=True)
class SettingProblem:
    key: str  # dotted camelCase, e.g. "completion.debounceMs"
    value: Any
    message: str  # says what is accepted
    security: bool = False

    def __str__(self) -> str:
        return f"codefloor: setting '{self.key}' = {_show(self.value)} ignored: {self.message}"


_SHORT = reprlib.Repr()  # bounded work for any value, however deep or long
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxlong = 3, 40, 40, 4, 4, 40


def _show(value: Any) -> str:
    text = _SHORT.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_folder_settings(
    raw: Any, previous: FolderSettings | None = None
) -> tuple[FolderSettings, list[SettingProblem]]:
    """Apply `raw` (a camelCase dict from the editor) on top of `previous`, key by key.

    A key with a bad value is reported and keeps its previous (or default) value; the rest apply.
    Unknown keys are reported; keys that try to set endpoints, keys or commands are reported as
    security problems and never applied. `None` or a non-object section means "defaults".
    """
    base = previous or FolderSettings()
    problems: list[SettingProblem] = []
    if raw is None:
        return FolderSettings(), problems
    if not isinstance(raw, dict):
        problems.append(SettingProblem(SECTION, raw, "expected an object of settings; using defaults"))
        return base, problems

    accepted: dict[str, Any] = base.model_dump(by_alias=True)
    _merge_level(FolderSettings, raw, accepted, "", problems)
    return FolderSettings.model_validate(accepted), problems


def _merge_level(model: type[BaseModel], raw: dict, accepted: dict, prefix: str, problems: list[SettingProblem]) -> None:
    fields_by_alias = {(f.alias or name): name for name, f in model.model_fields.items()}
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        if key not in fields_by_alias and key not in model.model_fields:
            if _hostile(key, value):
                problems.append(
                    SettingProblem(
                        dotted,
                        "<hidden>",
                        "workspace settings cannot set endpoints, keys or commands; set them in the environment "
                        "or the user config file (see docs/settings.md)",
                        security=True,
                    )
                )
            else:
                problems.append(SettingProblem(dotted, value, f"unknown setting; known: {', '.join(fields_by_alias)}"))
            continue
        alias = key if key in fields_by_alias else model.model_fields[key].alias or key
        field_name = fields_by_alias[alias]
        sub = model.model_fields[field_name].annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            if value is None:
                accepted[alias] = sub().model_dump(by_alias=True)
            elif isinstance(value, dict):
                nested = dict(accepted.get(alias) or {})
                _merge_level(sub, value, nested, dotted + ".", problems)
                accepted[alias] = nested
            else:
                problems.append(SettingProblem(dotted, value, "expected an object"))
            continue
        if isinstance(value, float) and math.isnan(value):
            problems.append(SettingProblem(dotted, value, _accepted(model, field_name)))
            continue
        trial = dict(accepted)
        trial[alias] = value
        try:
            model.model_validate(trial)
        except ValidationError:
            problems.append(SettingProblem(dotted, value, _accepted(model, field_name)))
            continue
        accepted[alias] = value


def _accepted(model: type[BaseModel], field_name: str) -> str:
    field = model.model_fields[field_name]
    lo = hi = None
    for meta in field.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    ann = field.annotation
    if ann is Policy:
        return "expected one of: " + ", ".join(p.value for p in Policy)
    if field_name == "allowed_providers":
        return "expected a list of provider names from: " + ", ".join(PROVIDER_NAMES) + " (or null)"
    if lo is not None and hi is not None:
        return f"expected a number from {lo:g} to {hi:g}; keeping the previous value"
    if lo is not None:
        return f"expected a number >= {lo:g}" + (" or null" if field.default is None else "")
    if ann is bool:
        return "expected true or false"
    return f"expected {getattr(ann, '__name__', ann)}"
