"""Choosing one run per model, and mapping other benchmarks onto the Aider polyglot scale.

Rules (each has a unit test):
- One run per card: prefer the setting the adapters use when they send no reasoning parameter
  (provider default; OpenAI's default effort is medium; Anthropic's default is no extended
  thinking), then the newest run, then the lower score (never overstate). The newest-run rule is
  what pins a moving alias such as `deepseek/deepseek-chat` to its latest measured version.
- A benchmark is mapped onto the Aider scale by a least-squares line over the cards that have both
  scores (moving aliases excluded: the two runs may be different versions). A fit is used only if
  it has at least MIN_FIT_POINTS pairs and Pearson r >= MIN_FIT_R; otherwise it maps nothing.
- Mapped scores are clamped to 0-100 and rounded to 0.1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from codefloor.catalog.names import MOVING_ALIASES, card_key, date_stamp
from codefloor.catalog.sources import Run

MIN_FIT_POINTS = 5
MIN_FIT_R = 0.7
_DEFAULT_SETTINGS = ("default", "reasoning_effort=medium")


def setting_rank(setting: str) -> int:
    if setting in _DEFAULT_SETTINGS:
        return 0
    return 1 if setting == "thinking=off" else 2


def choose_run(runs: Iterable[Run]) -> Run:
    """The run whose score a card carries (see the module rules)."""
    return min(runs, key=lambda r: (setting_rank(r.setting), _neg_date(r.date), r.value))


def _neg_date(date: str) -> tuple[int, ...]:
    return tuple(-int(part) for part in date.split("-"))


def best_runs(runs: Iterable[Run]) -> dict[str, Run]:
    """card key -> the chosen run of one benchmark."""
    grouped: dict[str, list[Run]] = {}
    for run in runs:
        grouped.setdefault(card_key(run.key), []).append(run)
    return {key: choose_run(group) for key, group in grouped.items()}


@dataclass(frozen=True)
class Fit:
    """aider = slope * other + intercept, over `models`."""

    benchmark: str
    slope: float
    intercept: float
    n: int
    pearson_r: float
    pairs: tuple[tuple[str, float, float], ...]  # (join key, raw value, aider score)

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(key for key, _, _ in self.pairs)

    @property
    def usable(self) -> bool:
        return self.n >= MIN_FIT_POINTS and self.pearson_r >= MIN_FIT_R

    def map(self, value: float) -> float:
        return round(min(100.0, max(0.0, self.slope * value + self.intercept)), 1)

    def as_dict(self) -> dict:
        return {
            "target": "aider-polyglot",
            "formula": "aider = slope * raw + intercept",
            "slope": round(self.slope, 4),
            "intercept": round(self.intercept, 4),
            "n": self.n,
            "pearson_r": round(self.pearson_r, 4),
            "used": self.usable,
            "pairs": {key: {"raw": raw, "aider": aider} for key, raw, aider in self.pairs},
        }


def linear_fit(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Least-squares (slope, intercept, pearson r) of y on x."""
    n = len(points)
    if n < 2:
        raise ValueError("a fit needs at least two points")
    mean_x = math.fsum(x for x, _ in points) / n
    mean_y = math.fsum(y for _, y in points) / n
    sxx = math.fsum((x - mean_x) ** 2 for x, _ in points)
    syy = math.fsum((y - mean_y) ** 2 for _, y in points)
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in points)
    if sxx == 0 or syy == 0:
        raise ValueError("a fit needs points that vary in both scores")
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x, sxy / math.sqrt(sxx * syy)


def same_version(a: Run, b: Run) -> bool:
    """Two runs measured the same model version: no moving alias, and no conflicting date stamps."""
    if card_key(a.key) in MOVING_ALIASES:
        return False
    stamp_a, stamp_b = date_stamp(a.key), date_stamp(b.key)
    return stamp_a is None or stamp_b is None or stamp_a == stamp_b


def fit_onto_aider(benchmark: str, aider: dict[str, Run], other: dict[str, Run]) -> Fit | None:
    pairs = sorted(
        (key, other[key].value, aider[key].value)
        for key in aider.keys() & other.keys()
        if same_version(aider[key], other[key])
    )
    if len(pairs) < 2:
        return None
    try:
        slope, intercept, r = linear_fit([(x, y) for _, x, y in pairs])
    except ValueError:
        return None
    return Fit(benchmark, slope, intercept, len(pairs), r, tuple(pairs))
