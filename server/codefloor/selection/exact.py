"""Exact request costs: prices as integers on one common binary scale.

Float costs round, so two models of the same true cost can compare unequal (or the other way
round), which would break tie rules and the hull-free pruning in index.py. Every float price
is a dyadic rational m / 2**e; multiplying all of them by 2**K (K = the largest e in the pool)
turns them into exact integers, and `input_tokens * pin + output_tokens * pout` into an exact
integer cost. Comparisons are exact; the float cost shown to users is computed separately.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable

_MICRO = 1_000_000  # prices are per million tokens


def _exponent(value: float) -> int:
    _, denominator = value.as_integer_ratio()
    return denominator.bit_length() - 1  # denominator is a power of two


@dataclass(frozen=True, slots=True)
class PriceScale:
    """Maps float prices (USD per million tokens) and caps (USD) onto one exact integer scale."""

    shift: int  # K: every price * 2**K is an integer

    @classmethod
    def for_prices(cls, prices: Iterable[float]) -> "PriceScale":
        return cls(max((_exponent(p) for p in prices), default=0))

    def price(self, value: float) -> int:
        numerator, denominator = value.as_integer_ratio()
        return numerator << (self.shift - (denominator.bit_length() - 1))

    def cap(self, usd: float | None) -> int | None:
        """The largest exact integer cost that is <= `usd` (None or +inf: no cap)."""
        if usd is None or math.isinf(usd):
            return None
        numerator, denominator = usd.as_integer_ratio()
        return (numerator * _MICRO << self.shift) // denominator


def exact_cost(input_tokens: int, output_tokens: int, input_price: float, output_price: float) -> Fraction:
    """The exact cost in millionths of a USD (slow; for explanations and diagnoses, not the fast path)."""
    return input_tokens * Fraction(input_price) + output_tokens * Fraction(output_price)


def over_cap(cost: Fraction, cap_usd: float | None) -> bool:
    """Same rule as PriceScale.cap: over when the exact cost exceeds the cap."""
    return cap_usd is not None and not math.isinf(cap_usd) and cost > Fraction(cap_usd) * _MICRO
