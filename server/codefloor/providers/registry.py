"""ProviderSet: builds each provider's adapter on first use, each with its own pooled httpx client."""

from __future__ import annotations

import os
from collections.abc import Mapping

import httpx

from codefloor.config import PROVIDERS, UserConfig, embedded_model_path, resolve_endpoint
from codefloor.providers import errors as e
from codefloor.providers.anthropic import AnthropicProvider
from codefloor.providers.gemini import GeminiProvider
from codefloor.providers.llamacpp import LlamaCppProvider
from codefloor.providers.openai_compat import OpenAICompatProvider
from codefloor.providers.types import Provider


class ProviderSet:
    """The adapters of one user config. Base URLs and keys come from env > user config > default;
    a transport can be injected for tests (every HTTP adapter then shares it)."""

    def __init__(
        self,
        config: UserConfig,
        env: Mapping[str, str] | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._config = config
        self._env = dict(os.environ if env is None else env)
        self._transport = transport
        self._built: dict[str, Provider] = {}

    def get(self, provider: str) -> Provider:
        if provider not in self._built:
            self._built[provider] = self._build(provider)
        return self._built[provider]

    def _build(self, provider: str) -> Provider:
        spec = PROVIDERS.get(provider)
        if spec is None:
            raise e.BadRequest(f"unknown provider {provider!r} (known: {', '.join(PROVIDERS)})", provider=provider)
        if spec.wire == "llamacpp":
            return LlamaCppProvider(embedded_model_path(self._config), self._config.embedded)
        endpoint = resolve_endpoint(provider, self._config, self._env)
        if spec.key_env and not endpoint.api_key:
            raise e.AuthError(
                f"{provider}: no API key -- set {spec.key_env} or [providers.{provider}].api_key in the user config",
                provider=provider,
            )
        if spec.wire == "anthropic":
            return AnthropicProvider(endpoint, transport=self._transport)
        if spec.wire == "gemini":
            return GeminiProvider(endpoint, transport=self._transport)
        return OpenAICompatProvider(endpoint, transport=self._transport)

    async def aclose(self) -> None:
        built, self._built = self._built, {}
        for provider in built.values():
            await provider.aclose()
