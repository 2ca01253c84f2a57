"""Choosing one run per model, and mapping other benchmarks onto the Aider polyglot scale.

Rules (each has a unit test):
- One run per card: prefer the setting the adapters use when they send no reasoning parameter
  (provider default; OpenAI's default effort is medium; Anthropic's default is no extended
  thinking), then the newest run, then the lower score (never overstate). The newest-run rule is
  what pins a moving alias such as `deepseek/deepseek-chat` to its latest measured version.
- A benchmark is mapped onto the Aider scale by a least-squares line over the cards that have both
  scores (moving aliases excluded: the two runs may be different versions). It is judged by its
  leave-one-out (LOO) error: each pair is predicted by the line fitted on the others. A fit is used
  only if it has at least MIN_FIT_POINTS pairs, Pearson r >= MIN_FIT_R, and its LOO RMSE beats the
  LOO RMSE of predicting the mean of the other Aider scores; otherwise it maps nothing.
- Intervals: a measured run of n cases gets the 95% Wilson interval of its pass rate; a mapped score
  gets +/- the fit's LOO RMSE (about 68% of held-out models fell that close, see Fit.loo_within);
  a raw value outside the range the fit was made on is flagged as extrapolated.
- Mapped scores are kept within the Aider scores of the fit's pairs (flagged extrapolated when the
  line leaves them) and rounded to 0.1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from codefloor.catalog.names import MOVING_ALIASES, card_key, date_stamp
from codefloor.catalog.sources import Run

MIN_FIT_POINTS = 5
MIN_FIT_R = 0.7
Z95 = 1.959964  # two-sided 95% normal quantile, for the Wilson interval of a measured pass rate
_DEFAULT_SETTINGS = ("default", "reasoning_effort=medium")


def setting_rank(setting: str) -> int:
    if setting in _DEFAULT_SETTINGS:
        return 0
    return 1 if setting == "thinking=off" else 2


def choose_run(runs: Iterable[Run]) -> Run:
    """The run whose score a card carries (see the module rules)."""
    return min(runs, key=lambda r: (setting_rank(r.setting), neg_date(r.date), r.value))


def neg_date(date: str) -> tuple[int, ...]:
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
    loo_errors: tuple[float, ...] = ()  # per pair: LOO prediction - aider score
    baseline_loo_rmse: float = math.inf  # LOO RMSE of predicting the mean of the others

    @property
    def loo_rmse(self) -> float:
        return math.sqrt(math.fsum(e * e for e in self.loo_errors) / len(self.loo_errors)) if self.loo_errors else math.inf

    @property
    def loo_max(self) -> float:
        return max((abs(e) for e in self.loo_errors), default=math.inf)

    @property
    def loo_within(self) -> float:
        """Share of pairs whose LOO prediction is within +/- LOO RMSE (the interval's coverage)."""
        rmse = self.loo_rmse
        return sum(abs(e) <= rmse for e in self.loo_errors) / len(self.loo_errors) if self.loo_errors else 0.0

    @property
    def raw_range(self) -> tuple[float, float]:
        return min(raw for _, raw, _ in self.pairs), max(raw for _, raw, _ in self.pairs)

    @property
    def aider_range(self) -> tuple[float, float]:
        return min(aider for _, _, aider in self.pairs), max(aider for _, _, aider in self.pairs)

    def extrapolated(self, value: float) -> bool:
        """Outside the raw range the fit was made on, or mapped beyond the Aider scores it was made on."""
        low, high = self.raw_range
        y_low, y_high = self.aider_range
        return not low <= value <= high or not y_low <= self.slope * value + self.intercept <= y_high

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(key for key, _, _ in self.pairs)

    @property
    def usable(self) -> bool:
        return (self.n >= MIN_FIT_POINTS and self.pearson_r >= MIN_FIT_R
                and self.loo_rmse < self.baseline_loo_rmse)

    def map(self, value: float) -> float:
        """The line, kept within the Aider scores of the pairs: a mapping never claims more (or less) than
        any model it was fitted on measured."""
        y_low, y_high = self.aider_range
        return round(min(y_high, max(y_low, self.slope * value + self.intercept)), 1)

    def as_dict(self) -> dict:
        return {
            "target": "aider-polyglot",
            "formula": "aider = slope * raw + intercept",
            "slope": round(self.slope, 4),
            "intercept": round(self.intercept, 4),
            "n": self.n,
            "pearson_r": round(self.pearson_r, 4),
            "loo_rmse": round(self.loo_rmse, 2),
            "loo_max_error": round(self.loo_max, 2),
            "loo_within_rmse": round(self.loo_within, 3),
            "baseline_loo_rmse": round(self.baseline_loo_rmse, 2),
            "raw_range": list(self.raw_range),
            "aider_range": list(self.aider_range),
            "used": self.usable,
            "pairs": {key: {"raw": raw, "aider": aider, "loo_error": round(err, 2)}
                      for (key, raw, aider), err in zip(self.pairs, self.loo_errors)},
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
    points = [(x, y) for _, x, y in pairs]
    try:
        slope, intercept, r = linear_fit(points)
    except ValueError:
        return None
    errors, baseline = leave_one_out(points)
    return Fit(benchmark, slope, intercept, len(pairs), r, tuple(pairs), errors, baseline)


def leave_one_out(points: list[tuple[float, float]]) -> tuple[tuple[float, ...], float]:
    """(per point: prediction from the line fitted without it - its y; LOO RMSE of the mean of the others)."""
    errors, baseline = [], []
    for i, (x, y) in enumerate(points):
        rest = points[:i] + points[i + 1:]
        baseline.append(math.fsum(b for _, b in rest) / len(rest) - y if rest else math.inf)
        try:
            slope, intercept, _ = linear_fit(rest)
        except ValueError:
            return (), math.inf
        errors.append(slope * x + intercept - y)
    return tuple(errors), math.sqrt(math.fsum(e * e for e in baseline) / len(baseline))


def wilson_interval(pass_rate: float, cases: int) -> tuple[float, float]:
    """95% Wilson score interval of a pass rate in % measured on `cases` cases, in %, rounded to 0.1."""
    p, n, z = pass_rate / 100.0, cases, Z95
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(100 * max(0.0, centre - half), 1), round(100 * min(1.0, centre + half), 1)
