"""Copy the public source files into catalog/sources/, trimmed to the entries and fields the build reads.

The trimmed files keep the originals' structure, so catalog.build reads either. Re-run after
refreshing the originals:

    python -m codefloor.catalog.trim /path/to/full/sources server/codefloor/catalog/sources
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from codefloor.catalog.sources import (
    AIDER_EDIT,
    AIDER_POLYGLOT,
    AIDER_UNMERGED,
    EVALPLUS,
    LITELLM,
    LITELLM_PROVIDERS,
    SWEBENCH_BOARD,
    newest_openrouter_file,
    newest_swebench_file,
)

AIDER_FIELDS = ("model", "command", "date", "pass_rate_2", "edit_format", "editor_model", "reasoning_effort",
                "thinking_tokens", "total_cost", "test_cases", "prompt_tokens", "completion_tokens")
UNMERGED_FIELDS = ("ref", "sha", "file", "date", "model", "command", "pass_rate_2", "total_cost", "test_cases",
                   "edit_format", "prompt_tokens", "completion_tokens")
LITELLM_FIELDS = ("litellm_provider", "mode", "input_cost_per_token", "output_cost_per_token", "max_input_tokens",
                  "max_output_tokens", "max_tokens", "deprecation_date", "supports_function_calling", "supports_reasoning",
                  "input_cost_per_token_above_200k_tokens", "output_cost_per_token_above_200k_tokens")
LITELLM_MODES = ("chat", "responses", "completion")
OPENROUTER_FIELDS = ("id", "canonical_slug", "hugging_face_id", "name", "created", "context_length", "expiration_date")
# Only these parameters are read: tool calling, and whether the model reasons.
OPENROUTER_PARAMETERS = ("tools", "reasoning")
SWEBENCH_FIELDS = ("name", "date", "resolved", "tags", "os_model")


def _pick(entry: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: entry[k] for k in fields if k in entry}


def trim_aider(text: str) -> str:
    import yaml

    runs = [_pick(run, AIDER_FIELDS) for run in yaml.safe_load(text)]
    return yaml.safe_dump(runs, sort_keys=False, allow_unicode=True, width=200)


def trim_litellm(data: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {"last_updated": data.get("last_updated")}
    for key, entry in data.items():
        if isinstance(entry, dict) and entry.get("litellm_provider") in LITELLM_PROVIDERS and entry.get("mode") in LITELLM_MODES:
            kept[key] = _pick(entry, LITELLM_FIELDS)
    return kept


def trim_openrouter(data: dict[str, Any]) -> dict[str, Any]:
    models = []
    for entry in data["data"]:
        model = _pick(entry, OPENROUTER_FIELDS)
        pricing = entry.get("pricing", {})
        model["pricing"] = _pick(pricing, ("prompt", "completion"))
        if pricing.get("overrides"):  # long-context tiers: {min_prompt_tokens, prompt, completion, ...}
            model["pricing"]["overrides"] = [_pick(o, ("min_prompt_tokens", "prompt", "completion"))
                                             for o in pricing["overrides"]]
        model["top_provider"] = _pick(entry.get("top_provider") or {}, ("context_length", "max_completion_tokens"))
        model["supported_parameters"] = [p for p in entry.get("supported_parameters", []) if p in OPENROUTER_PARAMETERS]
        if entry.get("reasoning"):
            model["reasoning"] = _pick(entry["reasoning"], ("mandatory", "default_enabled"))
        coding = ((entry.get("benchmarks") or {}).get("artificial_analysis") or {}).get("coding_index")
        if coding is not None:  # Artificial Analysis coding index: mapped onto the Aider scale by the build
            model["benchmarks"] = {"artificial_analysis": {"coding_index": coding}}
        models.append(model)
    return {"data": models}


def trim_swebench(data: dict[str, Any]) -> dict[str, Any]:
    boards = [
        {"name": board["name"], "results": [_pick(r, SWEBENCH_FIELDS) for r in board["results"]]}
        for board in data["leaderboards"]
        if board["name"] == SWEBENCH_BOARD
    ]
    return {"leaderboards": boards}


def trim_unmerged(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_pick(run, UNMERGED_FIELDS) for run in data]


def trim_evalplus(data: dict[str, Any]) -> dict[str, Any]:
    return {name: _pick(entry, ("pass@1", "size")) for name, entry in data.items()}


def _dump(obj: Any) -> str:
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def trim_all(src: Path, dst: Path) -> list[Path]:
    dst.mkdir(parents=True, exist_ok=True)
    written = []
    for name in (AIDER_POLYGLOT, AIDER_EDIT):
        (dst / name).write_text(trim_aider((src / name).read_text(encoding="utf-8")), encoding="utf-8")
        written.append(dst / name)
    jobs = [
        (LITELLM, trim_litellm),
        (newest_openrouter_file(src).name, trim_openrouter),
        (newest_swebench_file(src).name, trim_swebench),
        (EVALPLUS, trim_evalplus),
        (AIDER_UNMERGED, trim_unmerged),
    ]
    for name, trim in jobs:
        if name == AIDER_UNMERGED and not (src / name).exists():
            continue  # optional: community runs
        data = json.loads((src / name).read_text(encoding="utf-8"))
        (dst / name).write_text(_dump(trim(data)), encoding="utf-8")
        written.append(dst / name)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m codefloor.catalog.trim SOURCE_DIR DEST_DIR")
    for path in trim_all(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"{path}  {path.stat().st_size:,} bytes")
