"""Output-token factors: how many output tokens a model really emits per visible output token.

Reasoning models emit hidden reasoning tokens that are billed as output, so list price x requested
output underestimates what a request costs. The factor of a card is measured from its Aider polyglot
run at the scored setting (the same 225 tasks for every model, so token use is comparable):

- output tokens per case: `completion_tokens / test_cases` where the run recorded tokens; else
  estimated from its `total_cost / test_cases` at the card's first-party list price, with input
  tokens per case set to the median of the runs that recorded them:
  `(cost_per_case - PROMPT * input_price) / output_price`, used only when that output part is at
  least MIN_OUTPUT_SHARE of the cost (else the estimate is mostly noise and the default applies);
- factor = output tokens per case / BASELINE, where BASELINE is the median output tokens per case of
  the non-reasoning runs that recorded tokens (a non-reasoning model's factor is about 1 by design);
- cards without a usable run get the documented default of their kind: the median factor of the
  measured reasoning cards, or of the measured non-reasoning cards.

Factors are rounded to 0.01 (the selection engine compares exact decimal costs).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from codefloor.catalog.sources import Run
from codefloor.catalog.types import Route


MIN_OUTPUT_SHARE = 0.25  # a cost-based estimate is used only if output is at least this share of the cost


@dataclass(frozen=True)
class Usage:
    """Output tokens per case of one card's run, and how they were obtained."""

    run: Run
    output_tokens: float
    recorded: bool  # True: the run recorded its tokens; False: estimated from its cost
    reasoning: bool


def prompt_tokens_per_case(runs: list[Run]) -> float | None:
    values = [r.prompt_tokens_per_case for r in runs if r.prompt_tokens_per_case]
    return statistics.median(values) if values else None


def run_usage(run: Run | None, route: Route | None, prompt_per_case: float | None, reasoning: bool) -> Usage | None:
    if run is None or not run.benchmark.startswith("aider-polyglot"):
        return None
    if run.completion_tokens_per_case:
        return Usage(run, run.completion_tokens_per_case, True, reasoning)
    if run.cost_per_case and route and route.output_price_per_mtok > 0 and prompt_per_case:
        output_usd = run.cost_per_case * 1e6 - prompt_per_case * route.input_price_per_mtok
        # When the estimated input dominates the cost, the remainder is noise (caching, price changes).
        if output_usd >= MIN_OUTPUT_SHARE * run.cost_per_case * 1e6:
            return Usage(run, output_usd / route.output_price_per_mtok, False, reasoning)
    return None


@dataclass(frozen=True)
class Factors:
    prompt_per_case: float | None
    baseline: float | None  # median output tokens per case of non-reasoning runs that recorded tokens
    default_reasoning: float
    default_plain: float
    measured_reasoning: int
    measured_plain: int

    @classmethod
    def measure(cls, usages: list[Usage], prompt_per_case: float | None) -> "Factors":
        plain_recorded = [u.output_tokens for u in usages if u.recorded and not u.reasoning]
        baseline = statistics.median(plain_recorded) if plain_recorded else None
        if baseline is None:
            return cls(prompt_per_case, None, 1.0, 1.0, 0, 0)
        reasoning = [round(u.output_tokens / baseline, 2) for u in usages if u.reasoning]
        plain = [round(u.output_tokens / baseline, 2) for u in usages if not u.reasoning]
        return cls(prompt_per_case, baseline, round(statistics.median(reasoning), 2) if reasoning else 1.0,
                   round(statistics.median(plain), 2) if plain else 1.0, len(reasoning), len(plain))

    def for_card(self, usage: Usage | None, reasoning: bool) -> tuple[float, str]:
        if usage is not None and self.baseline:
            factor = max(0.01, round(usage.output_tokens / self.baseline, 2))
            how = "recorded completion tokens" if usage.recorded else "cost per case at list price"
            return factor, (f"measured: {usage.run.label} run '{usage.run.display}' ({usage.run.date}), "
                            f"{usage.output_tokens:,.0f} output tokens per case from {how}, "
                            f"/ {self.baseline:,.0f} (median of non-reasoning runs)")
        if reasoning:
            return self.default_reasoning, (f"default for reasoning models: median of {self.measured_reasoning} "
                                            "measured reasoning models (aider-polyglot runs)")
        return self.default_plain, (f"default for non-reasoning models: median of {self.measured_plain} "
                                    "measured non-reasoning models (aider-polyglot runs)")

    def as_dict(self) -> dict:
        return {
            "formula": "factor = output tokens per aider-polyglot case / baseline",
            "baseline_output_tokens_per_case": round(self.baseline, 1) if self.baseline else None,
            "prompt_tokens_per_case": round(self.prompt_per_case, 1) if self.prompt_per_case else None,
            "default_reasoning": self.default_reasoning,
            "default_non_reasoning": self.default_plain,
            "measured_reasoning_models": self.measured_reasoning,
            "measured_non_reasoning_models": self.measured_plain,
        }
