"""Readers for the public source files: each turns one file into plain records (no joining here).

The same readers read the full originals and the trimmed copies bundled in catalog/sources/.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from codefloor.catalog.names import EVALPLUS_NAMES, date_stamp, model_key, resolve_aider_alias

AIDER_POLYGLOT = "aider_polyglot_leaderboard.yml"
AIDER_EDIT = "aider_edit_leaderboard.yml"
AIDER_UNMERGED = "aider_unmerged_pr_runs.json"
LITELLM = "litellm_model_prices_and_context_window.json"
EVALPLUS = "evalplus_results.json"
MEASURED = "measured_locally.json"
SWEBENCH_BOARD = "bash-only"
POLYGLOT_CASES = 225
# EvalPlus results carry no dates; this is the date of the results.json commit (see SOURCE.md).
EVALPLUS_DATE = "2024-12-26"
EVALPLUS_METRIC = "humaneval+"

# LiteLLM provider -> codefloor provider, for first-party (direct) prices.
LITELLM_PROVIDERS = {"openai": "openai", "anthropic": "anthropic", "gemini": "gemini", "deepseek": "deepseek",
                     "mistral": "mistral", "xai": "xai"}


class SourceError(Exception):
    """A source file is missing or not in the expected shape; the message names the file."""


@dataclass(frozen=True)
class Run:
    """One benchmark result for one model at one setting."""

    benchmark: str
    model: str  # the model id as the source spells it
    key: str  # names.model_key(model)
    display: str
    date: str
    value: float
    setting: str  # "default", "reasoning_effort=high", "thinking_tokens=32000", "thinking=off"
    source: str = ""  # the label shown with a score from this run; "" = the benchmark's name
    cases: int | None = None  # number of test cases (Aider: 225), for the sampling error
    cost_per_case: float | None = None  # USD per case, as the run recorded it (Aider total_cost / test_cases)
    prompt_tokens_per_case: float | None = None
    completion_tokens_per_case: float | None = None

    @property
    def label(self) -> str:
        return self.source or self.benchmark


@dataclass(frozen=True)
class PriceEntry:
    """A LiteLLM entry of a first-party provider."""

    provider: str
    wire_name: str
    key: str
    mode: str
    input_per_token: float
    output_per_token: float
    context_window: int | None
    max_output_tokens: int | None
    deprecation_date: str | None
    tools: bool
    reasoning: bool = False
    long_context: tuple[int, float, float] | None = None  # (above this many input tokens, input, output per token)


@dataclass(frozen=True)
class OpenRouterEntry:
    id: str
    keys: tuple[str, ...]  # from the slug and the Hugging Face id
    name: str
    input_per_token: float
    output_per_token: float
    context_window: int | None
    max_output_tokens: int | None
    expiration_date: str | None
    tools: bool
    created: str | None = None  # YYYY-MM-DD the listing entry appeared: the version a fixed slug serves
    reasoning: bool | None = None  # reasons by default: True (mandatory or default_enabled), False, None = not said
    long_context: tuple[int, float, float] | None = None  # (min prompt tokens, input, output per token)
    coding_index: float | None = None  # Artificial Analysis coding index, as OpenRouter lists it


@dataclass(frozen=True)
class Measurement:
    """One of our own measurements (catalog/sources/measured_locally.json; format in sources/SOURCE.md)."""

    id: str
    score: float  # on the Aider polyglot scale, 0-100
    raw: float
    benchmark: str
    date: str
    command: str
    cases: int | None = None  # raw {"problems": n}: the number of cases, for the sampling error


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(f"{path}: missing source file") from None
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: cannot read: {exc}") from None


def _optional_list(path: Path, expected: str) -> list[Any]:
    """An optional source that holds a JSON list: a missing file is an empty list."""
    if not path.exists():
        return []
    data = _read_json(path)
    if not isinstance(data, list):
        raise SourceError(f"{path}: expected a list of {expected}")
    return data


def _dated_file(folder: Path, prefix: str) -> Path:
    files = sorted(folder.glob(f"{prefix}_????-??-??.json"))
    if not files:
        raise SourceError(f"{folder}: no {prefix}_YYYY-MM-DD.json file")
    return files[-1]


def newest_openrouter_file(folder: Path) -> Path:
    return _dated_file(folder, "openrouter_models")


def newest_swebench_file(folder: Path) -> Path:
    return _dated_file(folder, "swebench_leaderboards")


def file_date(path: Path) -> str:
    return re.search(r"\d{4}-\d\d-\d\d", path.name).group(0)  # type: ignore[union-attr]


# --- Aider leaderboards -------------------------------------------------------------------------

_EFFORT_IN_NAME = re.compile(r"\((?:[^)]*\s)?(low|medium|high)\)")
_THINK_IN_NAME = re.compile(r"\((\d+)k think")


def aider_setting(run: dict[str, Any], argv: list[str]) -> str:
    """The reasoning setting of a run, from its fields, its command line, then its display name."""
    effort = run.get("reasoning_effort") or _flag(argv, "--reasoning-effort")
    if effort:
        return f"reasoning_effort={effort}"
    tokens = run.get("thinking_tokens", _flag(argv, "--thinking-tokens"))
    if tokens is not None:
        count = _token_count(str(tokens))
        return "thinking=off" if count == 0 else f"thinking_tokens={count}"
    name = str(run.get("model", "")).lower()
    if "no think" in name:
        return "thinking=off"
    if match := _THINK_IN_NAME.search(name):
        return f"thinking_tokens={int(match.group(1)) * 1024}"
    if match := _EFFORT_IN_NAME.search(name):
        return f"reasoning_effort={match.group(1)}"
    return "default"


def _token_count(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * 1024) if text.endswith("k") else int(float(text))


def _flag(argv: list[str], flag: str) -> str | None:
    return argv[argv.index(flag) + 1] if flag in argv and argv.index(flag) + 1 < len(argv) else None


def aider_model(run: dict[str, Any]) -> tuple[str, list[str]] | None:
    """The `--model` of a run (aliases resolved at the run's date), or None for runs we cannot attribute.

    Architect runs pair two models, so their score belongs to neither.
    """
    command = str(run.get("command") or "").split(" #")[0]
    try:
        argv = shlex.split(command)
    except ValueError:
        return None
    model = _flag(argv, "--model")
    if model is None or "--architect" in argv or run.get("editor_model") or run.get("edit_format") == "architect":
        return None
    return resolve_aider_alias(model, str(run["date"])), argv


def _per_case(run: dict[str, Any], field: str) -> float | None:
    cases = run.get("test_cases")
    value = run.get(field)
    try:
        return float(value) / int(cases) if value and cases and float(value) > 0 else None
    except (TypeError, ValueError):
        return None


def aider_record(run: dict[str, Any], benchmark: str, source: str = "") -> Run | None:
    found = aider_model(run)
    if found is None or run.get("pass_rate_2") is None:
        return None
    model, argv = found
    cases = run.get("test_cases")
    return Run(benchmark, model, model_key(model), str(run["model"]), str(run["date"]), float(run["pass_rate_2"]),
               aider_setting(run, argv), source, int(cases) if cases else None, _per_case(run, "total_cost"),
               _per_case(run, "prompt_tokens"), _per_case(run, "completion_tokens"))


def read_aider(path: Path, benchmark: str) -> list[Run]:
    try:
        import yaml
    except ImportError:  # pragma: no cover - the [catalog] extra
        raise SourceError("reading the aider leaderboards needs PyYAML: pip install 'codefloor[catalog]'") from None
    try:
        runs = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(f"{path}: missing source file") from None
    except (OSError, yaml.YAMLError) as exc:
        raise SourceError(f"{path}: cannot read: {exc}") from None
    return [record for run in runs if (record := aider_record(run, benchmark))]


_PR_NUMBER = re.compile(r"refs/pull/(\d+)/")


def read_aider_unmerged(path: Path) -> list[Run]:
    """Community polyglot runs submitted to Aider as pull requests that were never merged (optional file).

    Each keeps a source label that says so, e.g. `aider-polyglot (community, unmerged PR 5066)`. Only
    runs of the full polyglot set (225 cases) count, whatever file of the PR they were added to.
    """
    records = []
    for run in _optional_list(path, "runs with ref, model, command, date, pass_rate_2"):
        match = _PR_NUMBER.search(str(run.get("ref", "")))
        if not match or run.get("test_cases") != POLYGLOT_CASES:
            continue
        # `--model X reasoning high` (no dashes) is how PR 4444 wrote its setting.
        command = re.sub(r"\sreasoning (low|medium|high)\b", r" --reasoning-effort \1", str(run.get("command", "")))
        label = f"aider-polyglot (community, unmerged PR {match.group(1)})"
        if record := aider_record({**run, "command": command}, "aider-polyglot", label):
            records.append(record)
    return records


# --- SWE-bench bash-only, EvalPlus -----------------------------------------------------------------

_SWE_EFFORT = re.compile(r"\b(low|medium|high)\b")


def read_swebench(path: Path) -> list[Run]:
    data = _read_json(path)
    boards = [b for b in data.get("leaderboards", []) if b.get("name") == SWEBENCH_BOARD]
    if not boards:
        raise SourceError(f"{path}: no '{SWEBENCH_BOARD}' leaderboard")
    records = []
    for result in boards[0]["results"]:
        tags = [t.removeprefix("Model: ") for t in result.get("tags", []) if t.startswith("Model: ")]
        if not tags:
            continue
        effort = _SWE_EFFORT.search(result["name"].lower())
        setting = f"reasoning_effort={effort.group(1)}" if effort else "default"
        records.append(Run("swe-bench-bash-only", tags[0], swebench_key(tags[0], result["name"]), result["name"],
                           result["date"], float(result["resolved"]), setting, "swe-bench-bash-only"))
    return records


_NAME_DATE = re.compile(r"\((20\d\d)-(\d\d)-(\d\d)\)")


def swebench_key(tag: str, name: str) -> str:
    """The key of the snapshot a result measured: a Gemini tag without a date, named with one, is that
    date's preview (`gemini-2.5-pro` named "Gemini 2.5 Pro (2025-05-06)" is gemini-2.5-pro-preview-05-06).

    Google names previews by month-day; the GA under the bare name came later, so the bare tag would
    lend the preview's result to the GA.
    """
    key = model_key(tag)
    match = _NAME_DATE.search(name)
    if match and key.startswith("gemini-") and date_stamp(key) is None and "-preview" not in key:
        return f"{key}-preview-{match.group(2)}-{match.group(3)}"
    return key


def read_evalplus(path: Path) -> list[Run]:
    records = []
    for name, entry in _read_json(path).items():
        value = (entry.get("pass@1") or {}).get(EVALPLUS_METRIC)
        if value is None:
            continue
        model = EVALPLUS_NAMES.get(name, name)
        records.append(Run("evalplus", model, model_key(model), name, EVALPLUS_DATE, float(value), "default"))
    return records


# --- Prices --------------------------------------------------------------------------------------


def read_litellm(path: Path) -> tuple[list[PriceEntry], str | None]:
    data = _read_json(path)
    entries = []
    for key, entry in data.items():
        if not isinstance(entry, dict) or entry.get("litellm_provider") not in LITELLM_PROVIDERS:
            continue
        if entry.get("input_cost_per_token") is None or entry.get("output_cost_per_token") is None:
            continue
        provider = LITELLM_PROVIDERS[entry["litellm_provider"]]
        wire = key.removeprefix(f"{entry['litellm_provider']}/")
        entries.append(PriceEntry(
            provider, wire, model_key(wire), str(entry.get("mode")), float(entry["input_cost_per_token"]),
            float(entry["output_cost_per_token"]), _int(entry.get("max_input_tokens")),
            _int(entry.get("max_output_tokens") or entry.get("max_tokens")), entry.get("deprecation_date"),
            bool(entry.get("supports_function_calling")), bool(entry.get("supports_reasoning")),
            _litellm_long_tier(entry),
        ))
    updated = data.get("last_updated")
    return entries, (str(updated)[:10] if updated else None)


LONG_CONTEXT_TOKENS = 200_000  # LiteLLM's `*_above_200k_tokens` tier


def _litellm_long_tier(entry: dict[str, Any]) -> tuple[int, float, float] | None:
    above_in = entry.get("input_cost_per_token_above_200k_tokens")
    above_out = entry.get("output_cost_per_token_above_200k_tokens")
    if above_in is None and above_out is None:
        return None
    return (LONG_CONTEXT_TOKENS, float(above_in if above_in is not None else entry["input_cost_per_token"]),
            float(above_out if above_out is not None else entry["output_cost_per_token"]))


def _openrouter_long_tier(pricing: dict[str, Any]) -> tuple[int, float, float] | None:
    """The first prompt-size override (OpenRouter's long-context tier), if any."""
    tiers = []
    for override in pricing.get("overrides") or []:
        try:
            tiers.append((int(override["min_prompt_tokens"]), float(override.get("prompt", pricing["prompt"])),
                          float(override.get("completion", pricing["completion"]))))
        except (KeyError, TypeError, ValueError):
            continue
    return min(tiers) if tiers else None


def _created(value: Any) -> str | None:
    try:
        return datetime.fromtimestamp(int(value), tz=timezone.utc).date().isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _reasons_by_default(reasoning: dict[str, Any]) -> bool | None:
    if reasoning.get("mandatory") or reasoning.get("default_enabled"):
        return True
    return False if reasoning.get("default_enabled") is False else None


def read_openrouter(path: Path) -> list[OpenRouterEntry]:
    entries = []
    for model in _read_json(path).get("data", []):
        slug = model["id"]
        pricing = model.get("pricing") or {}
        try:
            prompt, completion = float(pricing["prompt"]), float(pricing["completion"])
        except (KeyError, TypeError, ValueError):
            continue
        if ":" in slug or slug.startswith("~") or prompt < 0 or completion < 0:
            continue  # variants (:free, :thinking), moving "~latest" pointers, routers priced -1
        keys = [model_key(slug)]
        if model.get("hugging_face_id"):
            keys.append(model_key(model["hugging_face_id"]))
        top = model.get("top_provider") or {}
        reasoning = model.get("reasoning") or {}
        coding = ((model.get("benchmarks") or {}).get("artificial_analysis") or {}).get("coding_index")
        parameters = model.get("supported_parameters") or []
        entries.append(OpenRouterEntry(
            slug, tuple(dict.fromkeys(keys)), str(model.get("name") or slug), prompt, completion,
            # What the route serves: the top provider's window (the model's own may be larger).
            _int(top.get("context_length") or model.get("context_length")), _int(top.get("max_completion_tokens")),
            model.get("expiration_date"), "tools" in parameters, _created(model.get("created")),
            _reasons_by_default(reasoning), _openrouter_long_tier(pricing),
            float(coding) if isinstance(coding, (int, float)) else None,
        ))
    return entries


AA_CODING = "aa-coding-index"


def openrouter_coding_runs(entries: list[OpenRouterEntry], listing_date: str) -> list[Run]:
    """The Artificial Analysis coding index of each listed model, dated by the listing it came in (keyed by
    the Hugging Face id when there is one, as the open-weight benchmarks spell it)."""
    return [Run(AA_CODING, e.id, e.keys[-1], e.name, listing_date, e.coding_index, "default", AA_CODING)
            for e in entries if e.coding_index is not None]


def read_measured(path: Path) -> list[Measurement]:
    """Our own measurements; a missing file means none yet."""
    out = []
    for i, item in enumerate(_optional_list(path, "{id, score, raw, benchmark, date, command}")):
        try:
            raw = item["raw"]
            cases = int(raw["problems"]) if isinstance(raw, dict) and raw.get("problems") else None
            out.append(Measurement(str(item["id"]), float(item["score"]), _raw_value(item), str(item["benchmark"]),
                                   str(item["date"]), str(item["command"]), cases))
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceError(f"{path}: entry {i}: {exc!r} (fields: id, score, raw, benchmark, date, command)") from None
        if not 0 <= out[-1].score <= 100:
            raise SourceError(f"{path}: entry {i} ({out[-1].id}): score {out[-1].score} is outside 0-100")
    return out


def _raw_value(item: dict[str, Any]) -> float:
    """`raw` is the raw measurement: a number, or {passed, problems, ...} (a pass rate in %)."""
    raw = item["raw"]
    if isinstance(raw, dict):
        if "passed" in raw and "problems" in raw and float(raw["problems"]) > 0:
            return round(100.0 * float(raw["passed"]) / float(raw["problems"]), 4)
        return float(item["score"])
    return float(raw)


def _int(value: Any) -> int | None:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
