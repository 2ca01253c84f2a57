"""Hypothesis strategies for pools and requests: small value sets on purpose, so ties are common."""

from __future__ import annotations

from hypothesis import strategies as st

from codefloor.catalog.types import FIM, PROVIDER_NAMES, STREAMING, TOOLS, LowEffortScore, ModelCard, Route
from codefloor.selection import Health, Policy, Preferences, Request, ScoreConfidence, TaskKind

PROVIDERS = list(PROVIDER_NAMES)
PRICES = st.one_of(
    st.sampled_from([0.0, 0.1, 0.15, 0.2, 0.25, 0.6, 1.0, 1.25, 2.5, 3.0, 10.0, 15.0, 75.0]),
    st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False),
)
SCORES = st.one_of(
    st.sampled_from([3.0, 40.0, 50.0, 55.0, 60.0, 64.9, 65.0, 70.2, 80.0, 84.0, 88.0, 92.0]),
    st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False),
)
CONTEXTS = st.sampled_from([2048, 8192, 32_768, 128_000, 200_000, 1_048_576])
CAPABILITIES = st.frozensets(st.sampled_from([STREAMING, TOOLS, FIM]))


TIED_PRICES = st.sampled_from([0.0, 1.0, 2.0])
TIED_SCORES = st.sampled_from([50.0, 60.0, 70.0])


DATES = st.sampled_from(["2025-06-01", "2026-08-01", "2026-12-01", "2027-01-01"])
FACTORS = st.sampled_from([1.0, 0.5, 1.09, 3.27, 10.71])
SETTINGS = st.sampled_from([None, "default", "reasoning_effort=high", "reasoning_effort=low", "thinking=off",
                            "thinking_tokens=32000"])


@st.composite
def routes(draw, model_id: str, prices=PRICES) -> tuple[Route, ...]:
    providers = draw(st.lists(st.sampled_from(PROVIDERS), min_size=1, max_size=3, unique=True))
    made = []
    for p in providers:
        long = draw(st.integers(0, 3)) == 0
        made.append(Route(
            provider=p,
            model_name=f"{model_id}@{p}",
            input_price_per_mtok=draw(prices),
            output_price_per_mtok=draw(prices),
            supports_fim=draw(st.booleans()),
            context_window=draw(st.one_of(st.none(), CONTEXTS)),
            deprecation_date=draw(st.one_of(st.none(), st.none(), DATES)),
            long_context_tokens=draw(st.sampled_from([200_000, 272_000])) if long else None,
            long_input_price_per_mtok=draw(prices) if long else None,
            long_output_price_per_mtok=draw(prices) if long else None,
        ))
    # A duplicated route key (same provider and model name, another price): the pool keeps one.
    if draw(st.integers(0, 4)) == 0:
        made.append(made[0].model_copy(update={"input_price_per_mtok": draw(prices),
                                               "supports_fim": draw(st.booleans())}))
    return tuple(made)


@st.composite
def cards(draw, min_size: int = 0, max_size: int = 25, ties: bool = False) -> list[ModelCard]:
    """`ties=True`: three prices and three scores, so equal costs and equal scores are the rule."""
    scores, prices = (TIED_SCORES, TIED_PRICES) if ties else (SCORES, PRICES)
    ids = draw(st.lists(st.text("abcdefg", min_size=1, max_size=3), min_size=min_size, max_size=max_size, unique=True))
    made = []
    for model_id in ids:
        score = draw(st.one_of(st.none(), scores) if draw(st.integers(0, 9)) == 0 else scores)
        width = draw(st.one_of(st.none(), st.sampled_from([0.0, 5.0, 10.2]), st.floats(0, 30)))
        low = None if score is None or width is None else max(0.0, score - width)
        reasons = draw(st.integers(0, 2)) == 0  # a third reason by default; half of all cards have a low-effort score
        low_effort = None
        if draw(st.booleans()):
            low_score = draw(scores)
            low_low = draw(st.one_of(st.none(), st.floats(0, 1).map(lambda f: round(low_score * f, 1))))
            low_effort = LowEffortScore(coding_score=low_score, coding_score_low=low_low, score_source="aider-polyglot",
                                        score_date="2025-08-25", score_setting="reasoning_effort=low")
        made.append(ModelCard(
            id=model_id,
            display_name=model_id,
            coding_score=score,
            coding_score_low=low,
            coding_score_high=None if low is None else min(100.0, score + width),  # type: ignore[operator]
            score_source="aider-polyglot",
            context_window=draw(CONTEXTS),
            max_output_tokens=8192,
            capabilities=draw(CAPABILITIES),
            routes=draw(routes(model_id, prices)),
            output_token_factor=draw(FACTORS),
            score_setting=draw(SETTINGS),
            reasons=reasons,
            low_effort=low_effort,
        ))
    return made


def observed_factors(card_list: list[ModelCard]) -> st.SearchStrategy[dict[str, float]]:
    """The user's observed output-token factors for some models (from the ledger)."""
    ids = [c.id for c in card_list]
    if not ids:
        return st.just({})
    return st.dictionaries(st.sampled_from(ids), FACTORS, max_size=3)


def requests() -> st.SearchStrategy[Request]:
    return st.builds(
        Request,
        task=st.sampled_from(list(TaskKind)),
        input_tokens=st.one_of(st.sampled_from([0, 1, 500, 2000, 30_000, 200_000, 200_001, 272_001, 300_000]),
                               st.integers(0, 2_000_000)),
        output_tokens=st.one_of(st.sampled_from([0, 1, 64, 500, 4000]), st.integers(0, 100_000)),
        required_capabilities=st.one_of(st.just(frozenset()), CAPABILITIES),
    )


def preferences() -> st.SearchStrategy[Preferences]:
    return st.builds(
        Preferences,
        min_coding_score=SCORES,
        policy=st.sampled_from(list(Policy)),
        allowed_providers=st.one_of(st.none(), st.frozensets(st.sampled_from(PROVIDERS))),
        local_only=st.integers(0, 4).map(lambda n: n == 0),
        max_cost_per_request_usd=st.one_of(
            st.none(), st.none(), st.floats(min_value=0, max_value=0.5, allow_nan=False), st.sampled_from([0.0, 0.001, 0.01])
        ),
        max_fallbacks=st.integers(0, 6),
        score_confidence=st.sampled_from(list(ScoreConfidence)),
        today=st.one_of(st.none(), DATES),
    )


@st.composite
def healths(draw, pool_cards: list[ModelCard]) -> Health:
    keys = sorted({r.key for c in pool_cards for r in c.routes})
    unavailable = draw(st.frozensets(st.sampled_from(keys))) if keys and draw(st.booleans()) else frozenset()
    slow = draw(st.frozensets(st.sampled_from(keys))) if keys and draw(st.booleans()) else frozenset()
    return Health(unavailable_routes=unavailable, paid_routes_blocked=draw(st.integers(0, 5)) == 0,
                  slow_routes={key: f"first token {len(key)} s learned > 1 s budget" for key in slow})


def available_providers() -> st.SearchStrategy[frozenset[str]]:
    return st.one_of(st.just(frozenset(PROVIDERS)), st.frozensets(st.sampled_from(PROVIDERS)))
