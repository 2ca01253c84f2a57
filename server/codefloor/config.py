"""User-level configuration: provider endpoints and keys, user models, budget, embedded model.

Trust boundary: everything here comes from the process environment or the user config file
(TOML at $CODEFLOOR_CONFIG, else <platform user config dir>/codefloor/config.toml). Nothing in a
workspace can reach this module. Keys are held as pydantic SecretStr, registered with
providers.errors.redact() and never rendered by repr(), logs or messages.

    # ~/.config/codefloor/config.toml
    [providers.openai]
    api_key = "sk-..."                 # optional: OPENAI_API_KEY wins if set
    base_url = "https://api.openai.com/v1"
    [providers.ollama]
    base_url = "http://127.0.0.1:11434"
    [embedded]
    enabled = true
    model_path = "/models/other.gguf"  # default: SmolLM2-135M, fetched on first use (embedded_model.py)
    [budget]
    daily_usd = 5.0                    # paid routes stop for the day once reached
    [catalog]
    auto_update_days = 7               # the server runs `codefloor catalog update` this often (0 = never)
    [catalog.sources]                  # where `catalog update` downloads from (default: the public originals)
    openrouter = "https://openrouter.ai/api/v1/models"
    [[models]]                         # add or override catalog cards (see catalog/load.py)
    id = "qwen2.5-coder-7b"
    ...
"""

from __future__ import annotations

import importlib.util
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from codefloor.errors import SetupError
from codefloor.providers.errors import register_secret

WireFormat = Literal["openai", "anthropic", "gemini", "llamacpp"]


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    wire: WireFormat
    default_base_url: str
    key_env: str | None  # standard env variable holding the key; None = no key needed
    base_url_env: str | None


PROVIDERS: dict[str, ProviderSpec] = {
    spec.name: spec
    for spec in (
        ProviderSpec("openai", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY", "CODEFLOOR_OPENAI_BASE_URL"),
        ProviderSpec("anthropic", "anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY", "CODEFLOOR_ANTHROPIC_BASE_URL"),
        ProviderSpec("gemini", "gemini", "https://generativelanguage.googleapis.com", "GEMINI_API_KEY", "CODEFLOOR_GEMINI_BASE_URL"),
        ProviderSpec("deepseek", "openai", "https://api.deepseek.com", "DEEPSEEK_API_KEY", "CODEFLOOR_DEEPSEEK_BASE_URL"),
        ProviderSpec("mistral", "openai", "https://api.mistral.ai/v1", "MISTRAL_API_KEY", "CODEFLOOR_MISTRAL_BASE_URL"),
        ProviderSpec("xai", "openai", "https://api.x.ai/v1", "XAI_API_KEY", "CODEFLOOR_XAI_BASE_URL"),
        ProviderSpec("openrouter", "openai", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "CODEFLOOR_OPENROUTER_BASE_URL"),
        # Ollama: OLLAMA_HOST is Ollama's own variable (host:port or URL); no key.
        ProviderSpec("ollama", "openai", "http://127.0.0.1:11434", None, "OLLAMA_HOST"),
        ProviderSpec("embedded", "llamacpp", "", None, None),
    )
}


class ConfigError(SetupError):
    """The user config file is unreadable or invalid. The message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProviderConfig(_Strict):
    api_key: SecretStr | None = None
    base_url: str | None = None
    timeout_s: float = Field(default=60.0, gt=0, description="Read timeout for one request.")
    connect_timeout_s: float = Field(default=5.0, gt=0)


class EmbeddedConfig(_Strict):
    enabled: bool = True
    model_path: str | None = None  # another GGUF; default: SmolLM2-135M (see embedded_model.py)
    # SmolLM2 was trained with 8192 tokens; the catalog card says so, and the runtime must match it.
    n_ctx: int = Field(default=8192, gt=0)
    n_threads: int | None = None


class BudgetConfig(_Strict):
    daily_usd: float | None = Field(default=None, ge=0)


class RoutingConfig(_Strict):
    # A route that failed with a retryable error and no Retry-After sits out this long, doubling
    # per consecutive failure up to max_cooldown_s (shorter pauses suit a flaky local server).
    cooldown_s: float = Field(default=10.0, gt=0)
    max_cooldown_s: float = Field(default=300.0, gt=0)
    # Deadlines (router.Deadlines): every attempt must send its first chunk within *_first_byte_s
    # and each next one within *_stall_s, or the next fallback is tried; the whole request, all
    # fallbacks, ends after *_total_s. An inline completion is worthless after a few seconds; a
    # code action (and `codefloor ask`, whose --timeout replaces action_total_s) can wait longer
    # -- reasoning models think in silence before their first chunk.
    completion_first_byte_s: float = Field(default=3.0, gt=0)
    completion_stall_s: float = Field(default=2.0, gt=0)
    completion_total_s: float = Field(default=6.0, gt=0)
    action_first_byte_s: float = Field(default=30.0, gt=0)
    action_stall_s: float = Field(default=20.0, gt=0)
    action_total_s: float = Field(default=180.0, gt=0)


class CatalogSources(_Strict):
    """Where `codefloor catalog update` downloads each source; None = the canonical public location
    (catalog/update.py SOURCES). User config only: a workspace can never redirect a download."""

    openrouter: str | None = None
    aider_polyglot: str | None = None
    swebench: str | None = None
    litellm: str | None = None

    @field_validator("*")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError(f"give an http(s) URL, got {value!r}")
        return value


class CatalogConfig(_Strict):
    # 0 = the server never downloads anything by itself (see docs/settings.md for why that is the default).
    auto_update_days: int = Field(default=0, ge=0)
    sources: CatalogSources = Field(default_factory=CatalogSources)


class UserConfig(_Strict):
    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    embedded: EmbeddedConfig = Field(default_factory=EmbeddedConfig)
    budget: BudgetConfig = Field(default_factory=BudgetConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    catalog: CatalogConfig = Field(default_factory=CatalogConfig)
    # Raw [[models]] tables; validated by catalog.load (which names the file, model and field).
    models: list[dict[str, Any]] = Field(default_factory=list)
    # User-level default folder settings (camelCase, same schema as codefloor.settings).
    defaults: dict[str, Any] = Field(default_factory=dict)
    source_path: str | None = Field(default=None, exclude=True)


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("CODEFLOOR_CONFIG"):
        return Path(env["CODEFLOOR_CONFIG"]).expanduser()
    return Path(platformdirs.user_config_dir("codefloor", appauthor=False)) / "config.toml"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("CODEFLOOR_DATA_DIR"):
        return Path(env["CODEFLOOR_DATA_DIR"]).expanduser()
    return Path(platformdirs.user_data_dir("codefloor", appauthor=False))


def ensure_data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The data dir, created 0700 if missing (see codefloor.private)."""
    from codefloor.private import private_dir

    return private_dir(data_dir(env))


def load_user_config(env: Mapping[str, str] | None = None) -> UserConfig:
    """Read the user config file; a missing file means defaults. Raises ConfigError naming file and field."""
    path = config_path(env)
    if not path.exists():
        return UserConfig()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    unknown = set(raw.get("providers", {})) - set(PROVIDERS) if isinstance(raw.get("providers"), dict) else set()
    if unknown:
        raise ConfigError(f"{path}: [providers.{sorted(unknown)[0]}] is not a known provider ({', '.join(PROVIDERS)})")
    try:
        config = UserConfig.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: {where}: {err['msg']}") from None
    return config.model_copy(update={"source_path": str(path)})


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach one provider. `api_key` is never printed (see __repr__)."""

    provider: str
    wire: WireFormat
    base_url: str
    api_key: str | None
    timeout_s: float = 60.0
    connect_timeout_s: float = 5.0

    def __repr__(self) -> str:  # keep keys out of logs and tracebacks
        key = "set" if self.api_key else "none"
        return f"Endpoint(provider={self.provider!r}, base_url={self.base_url!r}, api_key={key})"


def resolve_endpoint(provider: str, config: UserConfig, env: Mapping[str, str] | None = None) -> Endpoint:
    """Environment wins over the config file, which wins over the default."""
    env = os.environ if env is None else env
    spec = PROVIDERS[provider]
    pc = config.providers.get(provider, ProviderConfig())
    base_url = (spec.base_url_env and env.get(spec.base_url_env)) or pc.base_url or spec.default_base_url
    if provider == "ollama" and base_url and "://" not in base_url:
        base_url = "http://" + base_url  # OLLAMA_HOST may be "host:port"
    key = (spec.key_env and env.get(spec.key_env)) or (pc.api_key.get_secret_value() if pc.api_key else None)
    if key:
        register_secret(key)
    return Endpoint(provider, spec.wire, base_url.rstrip("/"), key or None, pc.timeout_s, pc.connect_timeout_s)


def keyed_providers(config: UserConfig, env: Mapping[str, str] | None = None) -> frozenset[str]:
    """Remote providers whose key is configured (no network)."""
    return frozenset(
        name for name, spec in PROVIDERS.items() if spec.key_env and resolve_endpoint(name, config, env).api_key
    )


def embedded_model_path(config: UserConfig) -> Path | None:
    """The GGUF the embedded route loads: [embedded] model_path as given (it may be missing: the
    adapter and embedded_problem() say so), else the default model once fetched (embedded_model)."""
    if config.embedded.model_path:
        return Path(config.embedded.model_path).expanduser()
    from codefloor.embedded_model import installed

    return installed()


def embedded_problem(config: UserConfig) -> str | None:
    """Why the embedded model cannot serve, as what to do about it; None when it can. The default
    model counts as servable before it is fetched: the first request fetches it."""
    if not config.embedded.enabled:
        return "set [embedded] enabled = true in the user config"
    if importlib.util.find_spec("xllamacpp") is None:
        return "pip install 'codefloor[local]'"
    path = embedded_model_path(config)
    if config.embedded.model_path and (path is None or not path.is_file()):
        return (f"[embedded] model_path = {path}: no such file (fix it in {config.source_path or 'the user config'}, "
                "or remove it to use the default SmolLM2)")
    return None


def embedded_available(config: UserConfig) -> bool:
    return embedded_problem(config) is None
