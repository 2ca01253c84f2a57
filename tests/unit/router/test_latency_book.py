"""latency.LatencyBook's rules, on the injected clock: weights, censored measurements, priors, retries."""

from __future__ import annotations

import pytest

from codefloor import latency
from codefloor.latency import ALPHA, HALF_LIFE_S, PRIOR_FIRST_TOKEN_MS, RETRY_AFTER_S, RETRY_MAX_S, RETRY_WINDOW_S, LatencyBook
from codefloor.selection import Candidate

from .scripted import FakeClock, card


def candidate(card_id="remote", provider="openai", reasons=False) -> Candidate:
    made = card(card_id, 70, provider, 1, 1).model_copy(update={"reasons": reasons})
    return Candidate(made, made.routes[0])


def test_recent_measurements_weigh_more_by_count_and_by_age():
    clock = FakeClock()
    book = LatencyBook(clock)
    book.observe("r", first_ms=1000, total_ms=2000)
    book.observe("r", first_ms=2000, total_ms=3000)  # at once: moves by ALPHA
    assert book.learned["r"].first_ms == pytest.approx(1000 + ALPHA * 1000)
    clock.now += 10 * HALF_LIFE_S  # long silence: the next measurement all but replaces the average
    book.observe("r", first_ms=100)
    assert book.learned["r"].first_ms == pytest.approx(100, abs=2)
    assert book.learned["r"].total_ms == pytest.approx(2000 + ALPHA * 1000)  # no total given: kept


def test_a_censored_measurement_counts_only_above_what_is_known():
    book = LatencyBook(FakeClock())
    book.observe("r", at_least_ms=3000)  # first news: at least 3 s
    assert book.learned["r"].first_ms == 3000
    book.observe("r", at_least_ms=500)  # cancelled after 0.5 s without a token: says nothing
    assert book.learned["r"].first_ms == 3000 and book.learned["r"].count == 1


def test_priors_by_kind_until_a_route_is_measured():
    book = LatencyBook(FakeClock())
    assert book.estimate(candidate(provider="ollama")) == (PRIOR_FIRST_TOKEN_MS["local"], False)
    assert book.estimate(candidate()) == (PRIOR_FIRST_TOKEN_MS["remote"], False)
    assert book.estimate(candidate(reasons=True)) == (PRIOR_FIRST_TOKEN_MS["reasoning"], False)
    book.observe("openai:remote-wire", first_ms=120)
    assert book.estimate(candidate()) == (120, True)


def test_a_slow_route_is_retried_with_a_doubling_wait_until_a_fast_answer_brings_it_back():
    clock = FakeClock()
    book = LatencyBook(clock)
    slow = candidate()
    book.observe(slow.route.key, first_ms=3000)

    def out() -> bool:
        return slow.route.key in book.slow_routes([slow], 1500, take_retries=True)

    assert out()
    assert "first token 3.0 s learned > 1.5 s budget" in book.slow_routes([slow], 1500, take_retries=False)[slow.route.key]
    waits = []
    for _ in range(6):
        start = clock.now
        while out():
            clock.now += 1
        waits.append(clock.now - start)
        book.observe(slow.route.key, first_ms=3000)  # the retry: still slow
    assert waits[0] == pytest.approx(RETRY_AFTER_S, abs=1)
    assert waits[1:] == pytest.approx([min(RETRY_AFTER_S * 2 ** i, RETRY_MAX_S) for i in range(1, 6)], abs=1)
    clock.now += RETRY_MAX_S
    assert not out()  # let in again ...
    assert not out()  # ... until measured
    clock.now += RETRY_WINDOW_S
    assert out()  # or for a window at most
    clock.now += RETRY_MAX_S
    assert not out()
    book.observe(slow.route.key, first_ms=90)  # fast after a quarter of an hour: back at once
    assert not out() and book.slow_routes([slow], 1500, take_retries=False) == {}


def test_explain_does_not_use_up_a_retry():
    clock = FakeClock()
    book = LatencyBook(clock)
    slow = candidate()
    book.observe(slow.route.key, first_ms=3000)
    clock.now += RETRY_AFTER_S
    for _ in range(3):
        assert slow.route.key in book.slow_routes([slow], 1500, take_retries=False)
    assert book.slow_routes([slow], 1500, take_retries=True) == {}


def test_replayed_rows_are_placed_on_the_book_clock():
    clock = FakeClock()
    book = LatencyBook(clock)
    wall = 1_800_000_000.0
    book.replay([(wall - 30, "a", None, 3200.0, "error", "ProviderTimeout"), (wall - 20, "b", 150.0, 400.0, "ok", None),
                 (wall - 10, "c", None, 12.0, "error", "ServerError")], wall)
    assert book.learned["a"].first_ms == 3200 and book.learned["b"].first_ms == 150 and "c" not in book.learned
    assert book.learned["b"].at == pytest.approx(clock.now - 20)
    assert latency.kind(candidate(provider="embedded")) == "local"
