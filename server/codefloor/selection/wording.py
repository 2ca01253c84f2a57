"""How the engine words numbers and reasons for users (one line each)."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, Context, Decimal
from fractions import Fraction

from codefloor.selection.types import Candidate


def usd(value: float) -> str:
    """Two significant digits below a cent ($0.0011), else cents ($1.25); exact zero stays $0."""
    if value == 0:
        return "$0"
    if value >= 0.01:
        return f"${value:.2f}" if value >= 1 else f"${value:.3f}".rstrip("0")
    digits = 1 - math.floor(math.log10(value))
    return f"${value:.{digits}f}".rstrip("0")


def at_least(value: Fraction, digits: int = 6) -> str:
    """`value` rounded UP to `digits` significant digits, so a cap set to it admits `value`."""
    rounded = Context(prec=digits, rounding=ROUND_CEILING).divide(Decimal(value.numerator), Decimal(value.denominator))
    return format(rounded.normalize(), "f")


def score(value: float) -> str:
    return f"{value:g}" if value == round(value, 1) else f"{value:.1f}"


def floor_to_reach(value: float) -> str:
    """A floor the user can type that `value` still meets (rounded down to one decimal)."""
    return f"{math.floor(value * 10) / 10:g}"


def models(count: int) -> str:
    return f"{count} model" + ("" if count == 1 else "s")


def label(candidate: Candidate) -> str:
    """e.g. 'deepseek-chat via deepseek (70.2, aider-polyglot)'; computed once per candidate at build."""
    source = candidate.card.score_source or "unknown source"
    return f"{candidate.card.id} via {candidate.route.provider} ({score(candidate.score)}, {source})"


def describe(candidate_label: str, cost_usd: float) -> str:
    """e.g. 'deepseek-chat via deepseek (70.2, aider-polyglot) at $0.0011 for this request'."""
    return f"{candidate_label} at {usd(cost_usd)} for this request"
