"""Join keys: how one model's many spellings across the sources become one key.

`model_key` folds the spelling differences between the sources (provider prefixes, dots vs dashes,
`claude-4-opus` vs `claude-opus-4`, `2025-04-16` vs `20250416`). `card_key` also drops the date
stamp, so dated snapshots and their undated alias share one card; which snapshot's score wins is
decided in scores.py (the newest run). Curated tables hold the joins no rule can derive; each
entry is a fact about a name, never a score.
"""

from __future__ import annotations

import re

_DATE_DASHED = re.compile(r"(20\d\d)-(\d\d)-(\d\d)")
_DATE_SUFFIX = re.compile(r"-20\d{6}$")
_BEDROCK_PREFIX = re.compile(r"^(?:(?:global|us|eu|apac)\.)?(?:anthropic|meta|amazon|mistral)\.")
_CLAUDE_OLD_ORDER = re.compile(r"^claude-(\d(?:-\d)?)-(opus|sonnet|haiku)\b")


def model_key(name: str) -> str:
    """A spelling-insensitive key for a model id or display name (keeps the date stamp)."""
    text = name.strip().lower()
    if text.startswith("ollama/"):
        return ollama_card_key(text.removeprefix("ollama/")) or "ollama-" + text.removeprefix("ollama/")
    text = text.rsplit("/", 1)[-1].removeprefix("hf:")
    text = _BEDROCK_PREFIX.sub("", text)  # bedrock's `global.anthropic.claude-opus-4-7`
    text = _DATE_DASHED.sub(r"\1\2\3", text)
    text = re.sub(r"[\s_.]+", "-", text)
    text = _CLAUDE_OLD_ORDER.sub(r"claude-\2-\1", text)  # claude-4-opus -> claude-opus-4
    text = re.sub(r"^qwen-(\d)", r"qwen\1", text)  # OpenRouter's qwen-2.5-coder -> qwen2.5-coder
    text = text.removesuffix("-latest")
    return NAME_ALIASES.get(text, text)


def card_key(key: str) -> str:
    """The key without its date stamp: dated snapshots and the undated alias share one card."""
    return _DATE_SUFFIX.sub("", key)


def date_stamp(key: str) -> str | None:
    match = _DATE_SUFFIX.search(key)
    return match.group(0)[1:] if match else None


# Spellings that differ by more than punctuation (SWE-bench tags, EvalPlus display names).
NAME_ALIASES: dict[str, str] = {
    "llama-4-maverick-instruct": "llama-4-maverick-17b-128e-instruct",
    "llama-4-scout-instruct": "llama-4-scout-17b-16e-instruct",
    "devstral-small-2512": "labs-devstral-small-2512",
    "kimi-k2-instruct": "kimi-k2",  # Mistral's API name for Devstral Small 2
}

EVALPLUS_NAMES: dict[str, str] = {
    "GPT 4o (Aug 2024)": "gpt-4o-2024-08-06",
    "GPT 4o Mini (July 2024)": "gpt-4o-mini-2024-07-18",
    "O1 Mini (Sept 2024)": "o1-mini-2024-09-12",
    "O1 Preview (Sept 2024)": "o1-preview-2024-09-12",
    "Claude Sonnet 3.5 (June 2024)": "claude-3-5-sonnet-20240620",
    "claude-3-haiku (Mar 2024)": "claude-3-haiku-20240307",
    "claude-3-opus (Mar 2024)": "claude-3-opus-20240229",
    "GPT-4-Turbo (April 2024)": "gpt-4-turbo-2024-04-09",
    "Llama3.1-8B-instruct": "llama-3.1-8b-instruct",
    "Llama3-70B-instruct": "llama-3-70b-instruct",
    "Mistral Large (Mar 2024)": "mistral-large-2402",
    "Gemini 1.5 Pro 002": "gemini-1.5-pro-002",
    "Gemini 1.5 Flash 002": "gemini-1.5-flash-002",
}

# Aider's model aliases moved over time; (first date, target) pairs, oldest first.
AIDER_ALIASES: dict[str, tuple[tuple[str, str], ...]] = {
    "sonnet": (
        ("2024-06-20", "claude-3-5-sonnet-20240620"),
        ("2024-10-22", "claude-3-5-sonnet-20241022"),
        ("2025-02-24", "claude-3-7-sonnet-20250219"),
        ("2025-05-22", "claude-sonnet-4-20250514"),
    ),
    "opus": (("2024-03-04", "claude-3-opus-20240229"), ("2025-05-22", "claude-opus-4-20250514")),
    "haiku": (("2024-11-04", "claude-3-5-haiku-20241022"),),
    "r1": (("2025-01-20", "deepseek-reasoner"),),
    "deepseek": (("2024-05-01", "deepseek-chat"),),
    "4o": (("2024-05-13", "gpt-4o"),),
    "flash": (("2024-12-11", "gemini-2.0-flash-exp"),),
}


def resolve_aider_alias(name: str, run_date: str) -> str:
    """The model an aider alias (`sonnet`, `r1`, ...) meant on the date of the run."""
    targets = AIDER_ALIASES.get(name)
    if not targets:
        return name
    current = targets[0][1]
    for since, target in targets:
        if since <= run_date:
            current = target
    return current


# Aliases whose target changes over time: their score is the newest run's, and they are not used
# to fit one benchmark onto another (the two sources may have measured different versions).
MOVING_ALIASES = frozenset({"deepseek-chat", "deepseek-reasoner", "chatgpt-4o", "codestral", "mistral-large"})


# Ollama tags codefloor knows: tag -> (card key, native context window, native FIM via /api/generate suffix).
OLLAMA_MODELS: dict[str, tuple[str, int, bool]] = {
    "qwen2.5-coder:32b": ("qwen2-5-coder-32b-instruct", 32768, True),
    "qwen2.5-coder:14b": ("qwen2-5-coder-14b-instruct", 32768, True),
    "qwen2.5-coder:7b": ("qwen2-5-coder-7b-instruct", 32768, True),
    "qwen2.5-coder:3b": ("qwen2-5-coder-3b-instruct", 32768, True),
    "qwen2.5-coder:1.5b": ("qwen2-5-coder-1-5b-instruct", 32768, True),
    "qwen2.5-coder:0.5b": ("qwen2-5-coder-0-5b-instruct", 32768, True),
    "codestral:22b": ("codestral-22b-v0-1", 32768, True),
    "deepseek-coder:33b": ("deepseek-coder-33b-instruct", 16384, True),
    "deepseek-coder:6.7b": ("deepseek-coder-6-7b-instruct", 16384, True),
    "deepseek-coder:1.3b": ("deepseek-coder-1-3b-instruct", 16384, True),
    "codellama:70b": ("codellama-70b-instruct", 4096, False),
    "codegemma:7b": ("codegemma-7b-it", 8192, False),
    "starcoder2:15b-instruct": ("starcoder2-15b-instruct-v0-1", 16384, False),
    "opencoder:8b": ("opencoder-8b-instruct", 8192, False),
    "codeqwen:7b": ("codeqwen1-5-7b-chat", 65536, False),
    "yi-coder:9b": ("yi-coder-9b-chat", 131072, False),
    "gpt-oss:120b": ("gpt-oss-120b", 131072, False),
    "qwen3:32b": ("qwen3-32b", 40960, False),
    "gemma3:27b": ("gemma-3-27b-it", 131072, False),
    "llama3.1:8b": ("llama-3-1-8b-instruct", 131072, False),
}
# Tags without a size resolve to Ollama's default size.
_OLLAMA_DEFAULT_TAG = {"codestral": "codestral:22b", "yi-coder": "yi-coder:9b", "codeqwen": "codeqwen:7b",
                       "qwen2.5-coder": "qwen2.5-coder:7b", "deepseek-coder": "deepseek-coder:1.3b"}


def ollama_base_tag(tag: str) -> str:
    """`qwen2.5-coder:7b-instruct-q8_0` -> `qwen2.5-coder:7b`; `codestral` -> `codestral:22b`."""
    name, _, variant = tag.lower().partition(":")
    if not variant:
        return _OLLAMA_DEFAULT_TAG.get(name, name)
    size = variant.split("-")[0]
    base = f"{name}:{size}"
    if f"{base}-instruct" in OLLAMA_MODELS and "instruct" in variant:
        return f"{base}-instruct"
    return base


def ollama_card_key(tag: str) -> str | None:
    entry = OLLAMA_MODELS.get(ollama_base_tag(tag))
    return entry[0] if entry else None


# Routes with a native fill-in-the-middle endpoint: (provider, card key prefix).
FIM_ROUTES = (
    ("mistral", "codestral"),  # /v1/fim/completions
    ("deepseek", "deepseek-chat"),  # beta /completions with suffix
)


def direct_route_has_fim(provider: str, key: str) -> bool:
    return any(provider == p and key.startswith(prefix) for p, prefix in FIM_ROUTES)
