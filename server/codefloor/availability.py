"""Which providers can be reached right now: keys present, local runtimes up (ROUTING.md)."""

from __future__ import annotations

import os
from typing import Mapping

import httpx

from codefloor.catalog.types import PROVIDER_NAMES
from codefloor.config import UserConfig, embedded_available, keyed_providers, resolve_endpoint


def ollama_reachable(config: UserConfig, env: Mapping[str, str] | None = None, timeout_s: float = 0.3) -> bool:
    """A short GET of Ollama's /api/version; anything but a 200 means not reachable."""
    endpoint = resolve_endpoint("ollama", config, env)
    try:
        return httpx.get(f"{endpoint.base_url}/api/version", timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


def available_providers(
    config: UserConfig,
    env: Mapping[str, str] | None = None,
    *,
    probe_ollama: bool = True,
    all_providers: bool = False,
) -> frozenset[str]:
    """Providers with a key, plus Ollama when it answers, plus the embedded model when installed.

    `all_providers=True` pretends every provider is configured (the CLI's --all-providers, for exploring).
    """
    if all_providers:
        return frozenset(PROVIDER_NAMES)
    env = os.environ if env is None else env
    found = set(keyed_providers(config, env))
    if probe_ollama and ollama_reachable(config, env):
        found.add("ollama")
    if embedded_available(config):
        found.add("embedded")
    return frozenset(found)
