"""Measured scores: the calibrations file in the user data dir and the one hook that puts them on cards.

`codefloor calibrate` writes `<data dir>/calibrations.json`:

    {"schema": 1, "models": {MODEL_ID: {score, passed, attempted, languages, skipped_languages,
      skipped_exercises, subset, exercises_total, interval95, date, setting, cost_usd, ...}}}

`apply_calibrations(cards)` (called once at the end of catalog.load.load_catalog) gives each
measured card that score with `score_source` "measured-locally", the date, and a setting line that
names the protocol, coverage (a subset says so), the 95% interval and the route measured.
A score the user set in [[models]] (`score_source` "user") is kept: the user's word wins.

Import-light on purpose (json, math, pathlib): the catalog loads it on every load.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Mapping

SOURCE = "measured-locally"
RAW_NAME = "aider-polyglot (measured locally)"
FILE_NAME = "calibrations.json"

_cache: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}


def calibrations_path(env: Mapping[str, str] | None = None) -> Path:
    from codefloor.config import data_dir

    return data_dir(env) / FILE_NAME


def wilson_interval(passed: int, attempted: int, z: float = 1.96) -> tuple[float, float]:
    """The binomial 95% interval of a pass rate, in percent (Wilson score interval: sensible at 0 and n)."""
    if attempted <= 0:
        return (0.0, 100.0)
    p = passed / attempted
    denominator = 1 + z * z / attempted
    centre = (p + z * z / (2 * attempted)) / denominator
    half = z * math.sqrt(p * (1 - p) / attempted + z * z / (4 * attempted * attempted)) / denominator
    return (round(max(0.0, centre - half) * 100, 1), round(min(1.0, centre + half) * 100, 1))


def read_calibrations(path: Path | None = None) -> dict[str, Any]:
    """model id -> calibration record; a missing or unreadable file means none (never raises)."""
    path = path or calibrations_path()
    try:
        stat = path.stat()
    except OSError:
        return {}
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(str(path))
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        models = json.loads(path.read_text(encoding="utf-8")).get("models", {})
        models = {k: v for k, v in models.items() if isinstance(v, dict) and _valid(v)}
    except (OSError, ValueError, AttributeError):
        models = {}
    _cache[str(path)] = (stamp, models)
    return models


def calibrations_stamp(path: Path | None = None) -> tuple[int, int] | None:
    """(mtime_ns, size) of the calibrations file, None when absent: for a catalog reloader that
    swaps the pool when something it depends on changed (a new calibration must count too)."""
    try:
        stat = (path or calibrations_path()).stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def _valid(record: dict[str, Any]) -> bool:
    score = record.get("score")
    return isinstance(score, (int, float)) and 0 <= score <= 100 and isinstance(record.get("attempted"), int)


def write_calibration(record: dict[str, Any], path: Path | None = None) -> Path:
    """Add or replace one model's record, atomically (a reader sees the old file or the new one)."""
    path = path or calibrations_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or not isinstance(document.get("models"), dict):
            document = {"schema": 1, "models": {}}
    except (OSError, ValueError):
        document = {"schema": 1, "models": {}}
    document["models"][record["model"]] = record
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


def setting_line(record: dict[str, Any]) -> str:
    """What the score covers, in one line (shown as the card's score_setting)."""
    languages = ", ".join(f"{lang} {v['passed']}/{v['attempted']}" for lang, v in sorted(record["languages"].items()))
    low, high = record.get("interval95", wilson_interval(record["passed"], record["attempted"]))
    coverage = f"{record['attempted']} of {record.get('exercises_total', 225)} exercises"
    if record.get("subset", True):
        coverage = "SUBSET: " + coverage
    return (f"aider-polyglot protocol (whole files, 2 tries), {coverage} ({languages}); 95% interval "
            f"{low:g}-{high:g}; {record.get('setting', '')}").rstrip("; ")


def apply_calibrations(cards: tuple, path: Path | None = None) -> tuple:
    """The cards with measured scores put on (see the module docstring). The one catalog hook."""
    measured = read_calibrations(path)
    if not measured:
        return cards
    out = []
    for card in cards:
        record = measured.get(card.id)
        if record is None or card.score_source == "user":
            out.append(card)
            continue
        raw = dict(card.raw_scores)
        raw[RAW_NAME] = float(record["score"])
        low, high = record.get("interval95") or wilson_interval(record["passed"], record["attempted"])
        update = {"coding_score": float(record["score"]), "score_source": SOURCE, "score_date": record.get("date"),
                  "score_setting": setting_line(record), "raw_scores": raw}
        if "score_interval" in type(card).model_fields:  # cards that carry their interval
            update.update(coding_score_low=float(low), coding_score_high=float(high), score_extrapolated=False,
                          score_interval=f"measured locally (codefloor calibrate), 95% binomial (Wilson) interval "
                                         f"over {record['attempted']} exercises")
        out.append(card.model_copy(update=update))
    return tuple(out)
