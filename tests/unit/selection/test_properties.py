"""The engine against a brute-force oracle (oracle.py), on random pools, requests, settings and health."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codefloor.catalog.types import PROVIDER_NAMES
from codefloor.selection import Health, NoEligibleModel, Policy, Pool, TaskKind

from . import oracle
from .strategies import available_providers, cards, healths, observed_factors, preferences, requests

PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ids(candidates):
    return [(c.card.id, c.route.key) for c in candidates]


def check_against_oracle(pool, card_list, available, request, prefs, health, factors=None):
    want = oracle.expected(card_list, available, request, prefs, health, factors)
    all_eligible = oracle.eligible(card_list, available, request, prefs, health, factors)
    try:
        decision = pool.decide(request, prefs, health)
    except NoEligibleModel as exc:
        assert want == [], f"engine found nothing but the oracle has {ids(want)}"
        assert str(exc) and "\n" not in str(exc)
        return None
    assert want, f"engine chose {decision.chosen.card.id} but nothing is eligible"
    assert ids([decision.chosen, *decision.fallbacks]) == ids(want)
    assert decision.eligible_count == len(all_eligible)
    assert decision.considered_count == pool.for_request(request, prefs).considered

    def cost(c):
        return oracle.cost(c, request, factors)

    def score(c):
        return oracle.score(c.card, prefs)

    chosen, chosen_cost = decision.chosen, cost(decision.chosen)
    every = [decision.chosen, *decision.fallbacks]
    # the ROUTING.md invariants, stated on their own (not through the oracle's order)
    assert all(score(c) >= prefs.min_coding_score and c.score == score(c) for c in every)
    assert len(set(ids(every))) == len(every)
    assert set(ids(every)) <= set(ids(all_eligible))
    assert not any(
        score(e) >= score(chosen) and cost(e) <= chosen_cost and (score(e) > score(chosen) or cost(e) < chosen_cost)
        for e in all_eligible
    ), "chosen is dominated"
    assert abs(decision.expected_cost_usd - float(chosen_cost)) <= 1e-12 + 1e-9 * float(chosen_cost)
    if prefs.policy is Policy.CHEAPEST:
        assert chosen_cost == min(cost(e) for e in all_eligible)
        assert [cost(c) for c in every] == sorted(cost(c) for c in every)
    elif prefs.policy is Policy.STRONGEST:
        assert score(chosen) == max(score(e) for e in all_eligible)
        assert [score(c) for c in every] == sorted((score(c) for c in every), reverse=True)
    else:
        band = [e for e in all_eligible if score(e) >= max(score(x) for x in all_eligible) - 5]
        assert chosen_cost == min(cost(e) for e in band)
    assert decision.floor == prefs.min_coding_score and decision.policy is prefs.policy
    assert "\n" not in decision.reason and chosen.card.id in decision.reason
    # Latency: the reason names what the latency rule left out that would otherwise have been chosen.
    unhurried = oracle.expected(card_list, available, request, prefs,
                                Health(health.unavailable_routes, health.paid_routes_blocked), factors)
    if (request.task is TaskKind.COMPLETION and unhurried and unhurried[0].route.key in health.slow_routes
            and unhurried[0].route.key != chosen.route.key):
        other = unhurried[0]
        assert f"{other.card.id} via {other.route.provider} left out: {health.slow_routes[other.route.key]}" in decision.reason
    else:
        assert "left out" not in decision.reason
    return decision


@PROPERTY
@given(data=st.data(), card_list=cards(), available=available_providers(), request=requests(), prefs=preferences())
def test_decision_matches_oracle(data, card_list, available, request, prefs):
    health = data.draw(healths(card_list))
    factors = data.draw(observed_factors(card_list))
    pool = Pool.build(card_list, available, output_factors=factors)
    check_against_oracle(pool, card_list, available, request, prefs, health, factors)


@PROPERTY
@given(data=st.data(), card_list=cards(min_size=3, max_size=30, ties=True), available=available_providers(),
       request=requests(), prefs=preferences())
def test_decision_matches_oracle_when_ties_are_everywhere(data, card_list, available, request, prefs):
    """Equal costs and scores are where tie-break and pruning bugs hide."""
    check_against_oracle(Pool.build(card_list, available), card_list, available, request, prefs, data.draw(healths(card_list)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), card_list=cards(min_size=60, max_size=150), available=available_providers())
def test_one_large_pool_many_requests(data, card_list, available):
    """Large pools make the skyline pruning bite; one pool serving many requests exercises the caches."""
    pool = Pool.build(card_list, available)
    for _ in range(12):
        request, prefs = data.draw(requests()), data.draw(preferences())
        health = data.draw(healths(card_list))
        check_against_oracle(pool, card_list, available, request, prefs, health)


@PROPERTY
@given(card_list=cards(max_size=15), available=available_providers(), request=requests(), prefs=preferences(),
       seed=st.randoms(use_true_random=False))
def test_same_input_same_output_whatever_the_card_order(card_list, available, request, prefs, seed):
    shuffled = list(card_list)
    seed.shuffle(shuffled)

    def outcome(pool):
        try:
            d = pool.decide(request, prefs)
            return (ids([d.chosen, *d.fallbacks]), d.reason, d.eligible_count, d.expected_cost_usd)
        except NoEligibleModel as exc:
            return str(exc)

    first = Pool.build(card_list, available)
    assert outcome(first) == outcome(first) == outcome(Pool.build(shuffled, available))


@PROPERTY
@given(card_list=cards(max_size=15), available=available_providers(), request=requests(), prefs=preferences())
def test_explain_agrees_with_decide(card_list, available, request, prefs):
    pool = Pool.build(card_list, available)
    views = pool.explain(request, prefs)
    assert [v.card.id for v in views] == [c.id for c in pool.for_request(request, prefs).cards]
    eligible_models = {c.card.id for c in oracle.eligible(card_list, available, request, prefs, oracle.Health())}
    assert {v.card.id for v in views if v.eligible} == eligible_models
    assert all(bool(v.why_not) != v.eligible for v in views)
    chosen = [v for v in views if v.chosen]
    try:
        decision = pool.decide(request, prefs)
        assert [(v.card.id, v.route.key) for v in chosen] == [(decision.chosen.card.id, decision.chosen.route.key)]
    except NoEligibleModel:
        assert chosen == []


@PROPERTY
@given(card_list=cards(max_size=20), available=available_providers(), request=requests())
def test_pareto_ids_are_exactly_the_undominated_available_models(card_list, available, request):
    pool = Pool.build(card_list, available)
    best = {}
    for c in pool.candidates:
        cost = oracle.cost(c, request)
        best[c.card.id] = min(best.get(c.card.id, (c.score, cost)), (c.score, cost), key=lambda sc: sc[1])
    undominated = {
        m for m, (s, cost) in best.items()
        if not any(s2 >= s and c2 <= cost and (s2 > s or c2 < cost) for s2, c2 in best.values())
    }
    assert pool.pareto_ids(request) == undominated


@settings(max_examples=20)
@given(card_list=cards(min_size=1, max_size=3))
def test_duplicate_model_ids_are_refused(card_list):
    with pytest.raises(ValueError, match="appears twice"):
        Pool.build(card_list + card_list[:1], frozenset({"openai"}))


@settings(max_examples=20)
@given(card_list=cards(min_size=1, max_size=5))
def test_unscored_cards_are_not_routed(card_list):
    unscored = [c.model_copy(update={"coding_score": None}) for c in card_list]
    pool = Pool.build(unscored, frozenset(PROVIDER_NAMES))
    assert pool.considered == 0 and pool.cards == ()
