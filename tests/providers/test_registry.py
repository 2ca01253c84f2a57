"""ProviderSet: lazily built adapters, base URLs from env > config > default, keys never from elsewhere."""

from __future__ import annotations

import httpx
import pytest

from codefloor.config import ProviderConfig, UserConfig
from codefloor.providers import ProviderSet
from codefloor.providers import errors as e
from codefloor.providers.anthropic import AnthropicProvider
from codefloor.providers.gemini import GeminiProvider
from codefloor.providers.llamacpp import LlamaCppProvider
from codefloor.providers.openai_compat import OpenAICompatProvider
from tests.fakes.behaviour import status
from tests.providers.streams import CHAT, collect


class CountingTransport(httpx.AsyncHTTPTransport):
    """A real transport that counts requests: proves the injected transport is the one used."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return await super().handle_async_request(request)


@pytest.mark.parametrize("name, cls", [
    ("openai", OpenAICompatProvider), ("openrouter", OpenAICompatProvider), ("deepseek", OpenAICompatProvider),
    ("mistral", OpenAICompatProvider), ("xai", OpenAICompatProvider), ("ollama", OpenAICompatProvider),
    ("anthropic", AnthropicProvider), ("gemini", GeminiProvider), ("embedded", LlamaCppProvider),
])
async def test_each_provider_gets_its_adapter_once(name, cls):
    providers = ProviderSet(UserConfig(), {f"{name.upper()}_API_KEY": "k-123456789"})
    first = providers.get(name)
    assert isinstance(first, cls) and providers.get(name) is first and first.name == name
    await providers.aclose()


@pytest.mark.parametrize("name, variable", [("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY"),
                                            ("gemini", "GEMINI_API_KEY"), ("openrouter", "OPENROUTER_API_KEY")])
def test_missing_key_says_which_variable_to_set(name, variable):
    with pytest.raises(e.AuthError) as caught:
        ProviderSet(UserConfig(), {}).get(name)
    assert f"set {variable}" in str(caught.value) and f"[providers.{name}].api_key" in str(caught.value)


def test_unknown_provider_is_a_clear_error():
    with pytest.raises(e.BadRequest, match="unknown provider 'acme'"):
        ProviderSet(UserConfig(), {}).get("acme")


async def test_env_base_url_beats_config_and_the_injected_transport_is_used(fake_provider):
    fake, decoy = fake_provider("anthropic"), fake_provider("anthropic")
    config = UserConfig(providers={"anthropic": ProviderConfig(base_url=decoy.url)})
    transport = CountingTransport()
    env = {"ANTHROPIC_API_KEY": "plainkey-0123456789", "CODEFLOOR_ANTHROPIC_BASE_URL": fake.url}
    providers = ProviderSet(config, env, transport=transport)
    result = await collect(providers.get("anthropic").stream_chat("m", CHAT))
    await providers.aclose()
    assert result.text and len(fake.requests) == 1 and decoy.requests == []
    assert transport.sent == 1


async def test_config_base_url_and_key_are_used_without_env(fake_provider):
    fake = fake_provider("openai")
    config = UserConfig(providers={"deepseek": ProviderConfig(base_url=fake.url, api_key="cfgkey-abcdef123456")})
    providers = ProviderSet(config, {})
    await collect(providers.get("deepseek").stream_chat("deepseek-chat", CHAT))
    await providers.aclose()
    assert fake.last.path == "/chat/completions" and fake.last.headers["authorization"].endswith("3456")


async def test_a_key_without_a_known_shape_is_still_redacted(fake_provider):
    """resolve_endpoint registers the configured key, so an echo is removed even if no pattern matches."""
    key = "plainkey-zz9988776655"
    fake = fake_provider("openai")
    fake.script(status(500, f"key {key} is suspended"))
    providers = ProviderSet(UserConfig(), {"XAI_API_KEY": key, "CODEFLOOR_XAI_BASE_URL": fake.url})
    with pytest.raises(e.ServerError) as caught:
        await collect(providers.get("xai").stream_chat("grok", CHAT))
    await providers.aclose()
    assert key not in str(caught.value) and "suspended" in str(caught.value)


async def test_aclose_closes_every_client_and_a_closed_set_rebuilds():
    providers = ProviderSet(UserConfig(), {"OPENAI_API_KEY": "k-123456789", "GEMINI_API_KEY": "g-123456789"})
    built = [providers.get("openai"), providers.get("gemini")]
    await providers.aclose()
    assert all(p._client.is_closed for p in built)
    assert providers.get("openai") is not built[0]
    await providers.aclose()


@pytest.mark.parametrize("base_url", ["localhost:8080/v1", "http://[::1"])
async def test_a_broken_base_url_is_a_non_retryable_error_naming_the_setting(base_url):
    providers = ProviderSet(UserConfig(), {"OPENAI_API_KEY": "k-123456789", "CODEFLOOR_OPENAI_BASE_URL": base_url})
    with pytest.raises(e.BadRequest) as caught:
        await collect(providers.get("openai").stream_chat("m", CHAT))
    await providers.aclose()
    assert "CODEFLOOR_OPENAI_BASE_URL" in str(caught.value) and not caught.value.retryable
