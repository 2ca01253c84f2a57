"""Reachability against a real loopback Ollama: only pulled models are routable."""

from __future__ import annotations

from codefloor.availability import build_pool, probe, reachable_cards
from codefloor.catalog.types import ModelCard, Route
from codefloor.config import UserConfig
from codefloor.selection import Preferences, Request
from tests.fakes.server import FakeServer


def _card(card_id: str, score: float, tag: str) -> ModelCard:
    return ModelCard(id=card_id, display_name=card_id, coding_score=score, score_source="user",
                     context_window=32768, max_output_tokens=4096,
                     routes=(Route(provider="ollama", model_name=tag, input_price_per_mtok=0, output_price_per_mtok=0),))


CARDS = (_card("big", 60, "gpt-oss:120b"), _card("coder", 45, "qwen2.5-coder:32b"), _card("plain", 30, "llama3"))


def test_only_pulled_ollama_models_are_routable():
    with FakeServer("ollama") as ollama:
        ollama.pull("qwen2.5-coder:32b", "llama3:latest")
        reach = probe(UserConfig(), {"OLLAMA_HOST": f"127.0.0.1:{ollama.port}"})
    assert "ollama" in reach.providers
    assert reach.ollama_models == frozenset({"qwen2.5-coder:32b", "llama3:latest"})
    cards = reachable_cards(CARDS, reach)
    routable = {c.id for c in cards if c.routes}
    assert routable == {"coder", "plain"}  # "llama3" means llama3:latest, as in Ollama
    pool = build_pool(cards, UserConfig(), reach.providers)
    # Without the filter the free 60-point gpt-oss:120b would win and then 404.
    assert pool.decide(Request(), Preferences(min_coding_score=40)).chosen.card.id == "coder"


def test_ollama_that_does_not_answer_is_not_available():
    with FakeServer("ollama") as ollama:
        port = ollama.port
    reach = probe(UserConfig(), {"OLLAMA_HOST": f"127.0.0.1:{port}"})
    assert "ollama" not in reach.providers and reach.ollama_models is None
    assert reachable_cards(CARDS, reach) == CARDS


def test_all_providers_pretends_everything_is_pulled():
    reach = probe(UserConfig(), {}, all_providers=True)
    assert {"ollama", "embedded", "openai"} <= reach.providers
    assert reachable_cards(CARDS, reach) == CARDS
