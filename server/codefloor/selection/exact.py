"""Exact request costs: prices as integers on one common decimal scale.

Float costs round, so two models of the same true cost can compare unequal (or the other way
round), which would break tie rules and the pruning in index.py. And a user who caps a request
at $0.00109 means the decimal 0.00109, as the catalog means $0.27/M by 0.27. So every price and
cap is read as the decimal it is written as (its shortest repr), a rational whose denominator
divides 10**d; one common multiplier turns all prices into integers, and
`input_tokens * pin + output_tokens * pout` into an exact integer cost. Comparisons are exact;
the float cost shown to users is computed separately.

This module holds the ONE cost rule: `candidate_prices` (the route's prices for this request's size,
long-context tier applied, output price x the candidate's output-token factor) and `exact_cost`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from codefloor.selection.types import Candidate, Request

_MICRO = 1_000_000  # prices are per million tokens


def decimal(value: float) -> Fraction:
    """The decimal a float is written as: 0.27 -> 27/100 (not the binary 0.2700000000000000177...)."""
    return Fraction(repr(float(value)))


@dataclass(frozen=True, slots=True)
class PriceScale:
    """Maps float prices (USD per million tokens) and caps (USD) onto one exact integer scale."""

    multiplier: int  # every price * multiplier is an integer

    @classmethod
    def for_prices(cls, prices: Iterable[float | Fraction]) -> "PriceScale":
        multiplier = 1
        for price in prices:
            denominator = _exact(price).denominator
            multiplier = multiplier * denominator // math.gcd(multiplier, denominator)
        return cls(multiplier)

    def price(self, value: float | Fraction) -> int:
        exact = _exact(value) * self.multiplier
        assert exact.denominator == 1, "price outside the scale it was built for"
        return exact.numerator

    def cap(self, usd: float | None) -> int | None:
        """The largest exact integer cost that is <= `usd` (None or +inf: no cap)."""
        if usd is None or math.isinf(usd):
            return None
        return math.floor(decimal(usd) * _MICRO * self.multiplier)


def _exact(value: float | Fraction) -> Fraction:
    return value if isinstance(value, Fraction) else decimal(value)


def candidate_prices(candidate: "Candidate", input_tokens: int, with_factor: bool = True) -> tuple[Fraction, Fraction]:
    """(input, effective output) exact USD per million tokens of `candidate` for a request of `input_tokens`."""
    pin, pout = candidate.route.prices_for(input_tokens)
    factor = decimal(candidate.factor) if with_factor else Fraction(1)
    return decimal(pin), decimal(pout) * factor


def float_cost_usd(candidate: "Candidate", request: "Request", with_factor: bool = True) -> float:
    """The same rule as exact_cost, in float USD: what users are shown (fast; never used to rank)."""
    pin, pout = candidate.route.prices_for(request.input_tokens)
    factor = candidate.factor if with_factor else 1.0
    return (request.input_tokens * pin + request.output_tokens * pout * factor) / 1_000_000


def exact_cost(candidate: "Candidate", request: "Request", with_factor: bool = True) -> Fraction:
    """The exact expected cost of `request` on `candidate`, in millionths of a USD."""
    pin, pout = candidate_prices(candidate, request.input_tokens, with_factor)
    return request.input_tokens * pin + request.output_tokens * pout


def over_cap(cost: Fraction, cap_usd: float | None) -> bool:
    """Same rule as PriceScale.cap: over when the exact cost exceeds the cap."""
    return cap_usd is not None and not math.isinf(cap_usd) and cost > decimal(cap_usd) * _MICRO
