"""What can be reached right now (ROUTING.md "Which models are available"), and the pool built on it.

A remote provider is reachable when its key is configured; Ollama when it answers, and then only
the models it has pulled (a catalog card for a tag that is not pulled would be chosen and fail);
the embedded model when codefloor[local] is installed and its GGUF is there (or is the default,
fetched on first use). Probing happens once, when a router or a
CLI command starts, never per request.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Iterable, Mapping

import httpx

from codefloor.catalog.types import LOCAL_PROVIDERS, PROVIDER_NAMES, ModelCard, Route
from codefloor.config import PROVIDERS, UserConfig, embedded_available, embedded_problem, keyed_providers, resolve_endpoint
from codefloor.selection import Pool


@dataclasses.dataclass(frozen=True)
class Reach:
    providers: frozenset[str]
    ollama_models: frozenset[str] | None = None  # tags Ollama has pulled; None = not probed (assume all)


def ollama_pulled_models(
    config: UserConfig, env: Mapping[str, str] | None = None, timeout_s: float = 0.3
) -> frozenset[str] | None:
    """The tags Ollama has pulled (GET /api/tags), or None when Ollama does not answer."""
    endpoint = resolve_endpoint("ollama", config, env)
    try:
        response = httpx.get(f"{endpoint.base_url}/api/tags", timeout=timeout_s)
        if response.status_code != 200:
            return None
        return frozenset(_full_tag(m.get("name") or m.get("model") or "") for m in response.json().get("models", []))
    except (httpx.HTTPError, ValueError, AttributeError):
        return None


def _full_tag(name: str) -> str:
    return name if ":" in name else f"{name}:latest"  # Ollama's default tag


def probe(
    config: UserConfig,
    env: Mapping[str, str] | None = None,
    *,
    probe_ollama: bool = True,
    all_providers: bool = False,
) -> Reach:
    """Providers with a key, plus Ollama (and its pulled models) when it answers, plus the embedded
    model when installed. `all_providers=True` pretends everything is configured (--all-providers)."""
    if all_providers:
        return Reach(frozenset(PROVIDER_NAMES))
    env = os.environ if env is None else env
    found = set(keyed_providers(config, env))
    pulled = ollama_pulled_models(config, env) if probe_ollama else None
    if pulled is not None:
        found.add("ollama")
    if embedded_available(config):
        found.add("embedded")
    return Reach(frozenset(found), pulled)


def reachable_cards(cards: Iterable[ModelCard], reach: Reach) -> tuple[ModelCard, ...]:
    """Cards without the Ollama routes whose model is not pulled (when Ollama told us what it has)."""
    if reach.ollama_models is None:
        return tuple(cards)
    pulled = reach.ollama_models
    return tuple(
        card.model_copy(update={"routes": tuple(r for r in card.routes if r.provider != "ollama" or _full_tag(r.model_name) in pulled)})
        if any(r.provider == "ollama" for r in card.routes)
        else card
        for card in cards
    )


def route_problem(route: Route, reach: Reach) -> str | None:
    """Why this route cannot serve now, in a few words (None: it can)."""
    if route.provider not in reach.providers:
        return {"ollama": "Ollama not answering", "embedded": "not set up"}.get(route.provider, "no key")
    if route.provider == "ollama" and reach.ollama_models is not None and _full_tag(route.model_name) not in reach.ollama_models:
        return f"not pulled (`ollama pull {route.model_name}`)"
    return None


def price_route(card: ModelCard, reach: Reach) -> Route:
    """The route whose prices stand for the model: its cheapest reachable route, else its cheapest
    paid one (an unreachable local route's $0 says nothing about what the model would cost you),
    else its cheapest. Cheapest for 2,000 input + 500 output tokens."""
    reachable = [r for r in card.routes if route_problem(r, reach) is None]
    paid = [r for r in card.routes if r.provider not in LOCAL_PROVIDERS]
    return min(reachable or paid or card.routes, key=lambda r: (4 * r.input_price_per_mtok + r.output_price_per_mtok, r.key))


def provider_hints(config: UserConfig) -> dict[str, str]:
    """How to enable each provider, for the pool's "no eligible model" messages."""
    hints = {name: f"set {spec.key_env}" for name, spec in PROVIDERS.items() if spec.key_env}
    hints["ollama"] = "start Ollama (or set OLLAMA_HOST) and pull the model"
    hints["embedded"] = embedded_problem(config) or "pip install 'codefloor[local]'"
    return hints


def build_pool(cards: Iterable[ModelCard], config: UserConfig, available: frozenset[str]) -> Pool:
    hints = {name: hint for name, hint in provider_hints(config).items() if name not in available}
    return Pool.build(cards, available, provider_hints=hints)
