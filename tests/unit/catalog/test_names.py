"""Name normalisation and aliases: how the sources' spellings meet."""

from __future__ import annotations

import pytest

from codefloor.catalog.names import card_key, model_key, ollama_base_tag, ollama_card_key, resolve_aider_alias


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("anthropic/claude-sonnet-4.5", "claude-sonnet-4-5"),  # OpenRouter dots vs Anthropic dashes
        ("claude-4-opus-20250514", "claude-opus-4-20250514"),  # SWE-bench's old word order
        ("gpt-4o-20241120", "openai/gpt-4o-2024-11-20"),  # compact vs dashed date stamp
        ("openrouter/openai/gpt-oss-120b", "gpt-oss-120b"),  # routing prefixes
        ("qwen/qwen-2.5-coder-32b-instruct", "openai/Qwen/Qwen2.5-Coder-32B-Instruct"),
        ("openai/hf:Qwen/Qwen2.5-Coder-32B-Instruct", "Qwen2.5-Coder-32B-Instruct"),
        ("mistral/codestral-latest", "codestral"),
        ("Kimi-K2-Instruct", "moonshotai/kimi-k2"),  # curated alias
    ],
)
def test_spellings_of_one_model_share_a_key(a, b):
    assert model_key(a) == model_key(b)


@pytest.mark.parametrize(("a", "b"), [("gpt-4.1", "gpt-4.1-mini"), ("deepseek-chat", "deepseek-reasoner"),
                                      ("claude-sonnet-4", "claude-sonnet-4-5"), ("gemini-2.5-pro", "gemini-2.5-flash")])
def test_different_models_keep_different_keys(a, b):
    assert card_key(model_key(a)) != card_key(model_key(b))


def test_card_key_drops_only_a_full_date_stamp():
    assert card_key(model_key("claude-sonnet-4-5-20250929")) == "claude-sonnet-4-5"
    assert card_key(model_key("o3-2025-04-16")) == "o3"
    # Mistral's YYMM versions and DeepSeek's MMDD revisions are different models, not snapshots.
    assert card_key(model_key("mistral-large-2411")) == "mistral-large-2411"
    assert card_key(model_key("deepseek-r1-0528")) == "deepseek-r1-0528"


def test_aider_aliases_resolve_at_the_run_date():
    assert resolve_aider_alias("sonnet", "2025-02-24") == "claude-3-7-sonnet-20250219"
    assert resolve_aider_alias("sonnet", "2024-11-01") == "claude-3-5-sonnet-20241022"
    assert resolve_aider_alias("sonnet", "2025-06-01") == "claude-sonnet-4-20250514"
    assert resolve_aider_alias("r1", "2025-01-23") == "deepseek-reasoner"
    assert resolve_aider_alias("gpt-4.1", "2025-04-14") == "gpt-4.1"  # not an alias


def test_ollama_tags_fold_quantisation_and_default_sizes():
    assert ollama_base_tag("qwen2.5-coder:7b-instruct-q8_0") == "qwen2.5-coder:7b"
    assert ollama_base_tag("codestral") == "codestral:22b"
    assert ollama_card_key("qwen2.5-coder:32b") == model_key("Qwen2.5-Coder-32B-Instruct")
    assert model_key("ollama/qwen2.5-coder:14b") == model_key("Qwen2.5-Coder-14B-Instruct")
    assert ollama_card_key("tulu3") is None
