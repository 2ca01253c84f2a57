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
    EVALPLUS,
    LITELLM,
    LITELLM_PROVIDERS,
    SWEBENCH_BOARD,
    newest_openrouter_file,
    newest_swebench_file,
)

AIDER_FIELDS = ("model", "command", "date", "pass_rate_2", "edit_format", "editor_model", "reasoning_effort",
                "thinking_tokens")
LITELLM_FIELDS = ("litellm_provider", "mode", "input_cost_per_token", "output_cost_per_token", "max_input_tokens",
                  "max_output_tokens", "max_tokens", "deprecation_date", "supports_function_calling")
LITELLM_MODES = ("chat", "responses", "completion")
OPENROUTER_FIELDS = ("id", "hugging_face_id", "name", "context_length", "expiration_date")
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
        model["pricing"] = _pick(entry.get("pricing", {}), ("prompt", "completion"))
        model["top_provider"] = _pick(entry.get("top_provider") or {}, ("context_length", "max_completion_tokens"))
        # Only whether tools are supported is read.
        model["supported_parameters"] = [p for p in entry.get("supported_parameters", []) if p == "tools"]
        models.append(model)
    return {"data": models}


def trim_swebench(data: dict[str, Any]) -> dict[str, Any]:
    boards = [
        {"name": board["name"], "results": [_pick(r, SWEBENCH_FIELDS) for r in board["results"]]}
        for board in data["leaderboards"]
        if board["name"] == SWEBENCH_BOARD
    ]
    return {"leaderboards": boards}


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
    ]
    for name, trim in jobs:
        data = json.loads((src / name).read_text(encoding="utf-8"))
        (dst / name).write_text(_dump(trim(data)), encoding="utf-8")
        written.append(dst / name)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m codefloor.catalog.trim SOURCE_DIR DEST_DIR")
    for path in trim_all(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"{path}  {path.stat().st_size:,} bytes")
