"""Decision latency of the selection engine vs a naive filter-and-sort, in the same process.

    python benchmarks/selection_bench.py [--requests 3000] [--sizes 10,100,1000,10000]

Pools: the bundled catalog's scored cards, topped up with seeded synthetic cards (scores 0-100,
prices log-uniform and rising with score, 1-3 routes each, realistic context windows) up to each
size. Every provider counts as configured. Workload (seeded, the same for both): floors 20-85,
policies 60% cheapest / 20% strongest / 20% balanced, input 200-100k and output 20-4k tokens
(log-uniform), 10% of requests need FIM, two folders (no narrowing; OpenAI + Anthropic only).
One warm-up pass builds the
lazily cached structures (reported as "warm-up"); then every request is timed on its own.
The naive baseline filters the whole pool and sorts it per request (what LiteLLM-style routers do).
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from codefloor.catalog.load import load_catalog  # noqa: E402
from codefloor.catalog.types import FIM, PROVIDER_NAMES, STREAMING, TOOLS, ModelCard, Route  # noqa: E402
from codefloor.selection import NoEligibleModel, Policy, Pool, Preferences, Request  # noqa: E402

REMOTE = ("openai", "anthropic", "gemini", "deepseek", "mistral", "xai", "openrouter")
CONTEXTS = (32_768, 128_000, 131_072, 200_000, 262_144, 1_048_576)


def synthetic_cards(count: int, rng: random.Random) -> list[ModelCard]:
    cards = []
    for i in range(count):
        score = round(rng.uniform(0, 100), 1)
        base = math.exp(rng.uniform(-3, 1.5) + score / 40)  # stronger models tend to cost more
        routes = []
        for provider in rng.sample(REMOTE, rng.randint(1, 3)):
            pin = round(base * rng.uniform(0.8, 1.3), 3)
            routes.append(Route(provider=provider, model_name=f"syn-{i}", input_price_per_mtok=pin,
                                output_price_per_mtok=round(pin * rng.choice((2, 3, 4, 5, 8)), 3),
                                supports_fim=rng.random() < 0.2))
        cards.append(ModelCard(id=f"syn-{i:05d}", display_name=f"Synthetic {i}", coding_score=score,
                               score_source="synthetic", context_window=rng.choice(CONTEXTS), max_output_tokens=8192,
                               capabilities=frozenset({STREAMING, TOOLS}), routes=tuple(routes)))
    return cards


def pool_cards(size: int, rng: random.Random) -> list[ModelCard]:
    real = sorted((c for c in load_catalog().cards if c.coding_score is not None and c.routes), key=lambda c: c.id)
    return real[:size] + synthetic_cards(max(0, size - len(real)), rng)


def workload(count: int, rng: random.Random, cap: float | None = None) -> list[tuple[Request, Preferences]]:
    folders = (None, frozenset({"openai", "anthropic"}))
    prefs_cache: dict[tuple, Preferences] = {}
    items = []
    for _ in range(count):
        policy = rng.choices(list(Policy), weights=(60, 20, 20))[0]
        allowed = rng.choices(folders, weights=(80, 20))[0]
        floor = float(rng.randint(20, 85))
        key = (floor, policy, allowed)
        prefs = prefs_cache.setdefault(key, Preferences(min_coding_score=floor, policy=policy, allowed_providers=allowed,
                                                        max_cost_per_request_usd=cap))
        request = Request(
            input_tokens=int(math.exp(rng.uniform(math.log(200), math.log(100_000)))),
            output_tokens=int(math.exp(rng.uniform(math.log(20), math.log(4_000)))),
            required_capabilities=frozenset({FIM}) if rng.random() < 0.1 else frozenset(),
        )
        items.append((request, prefs))
    return items


def naive_decide(cards: list[ModelCard], request: Request, prefs: Preferences) -> tuple[str, str] | None:
    """Filter everything, sort everything: the baseline the engine must beat."""
    need = request.input_tokens + request.output_tokens
    rows = []
    for card in cards:
        if card.coding_score is None or card.coding_score < prefs.min_coding_score:
            continue
        for route in card.routes:
            if (route.context_window or card.context_window) < need:
                continue
            if prefs.allowed_providers is not None and route.provider not in prefs.allowed_providers:
                continue
            if FIM in request.required_capabilities and not route.supports_fim:
                continue
            pin, pout = route.prices_for(request.input_tokens)  # long-context tier above its threshold
            cost = request.input_tokens * pin + request.output_tokens * card.output_token_factor * pout
            if prefs.max_cost_per_request_usd is not None and cost > prefs.max_cost_per_request_usd * 1e6:
                continue
            rows.append((cost, -card.coding_score, card.id, route.key))
    if not rows:
        return None
    if prefs.policy is Policy.CHEAPEST:
        rows.sort()
    elif prefs.policy is Policy.STRONGEST:
        rows.sort(key=lambda r: (r[1], r[0], r[2], r[3]))
    else:
        band = -min(r[1] for r in rows) - 5.0
        rows.sort(key=lambda r: (-r[1] < band, r[0], r[1], r[2], r[3]))
    return rows[0][2], rows[0][3]


def timed(fn, items) -> tuple[list[float], list]:
    """Each call timed alone, with the garbage collector paused as timeit does (same for both sides)."""
    times, results = [], []
    clock = time.perf_counter_ns
    gc.disable()
    try:
        for request, prefs in items:
            start = clock()
            try:
                result = fn(request, prefs)
            except NoEligibleModel:
                result = None
            times.append((clock() - start) / 1000)
            results.append(result)
    finally:
        gc.enable()
    return times, results


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--sizes", default="10,100,1000,10000")
    parser.add_argument("--cap", type=float, default=None,
                        help="set maxCostPerRequestUsd on every request (counting eligible models is then linear)")
    args = parser.parse_args()
    cap = f"; maxCostPerRequestUsd = {args.cap:g}" if args.cap is not None else ""
    print(f"Python {sys.version.split()[0]}; {args.requests} requests per pool{cap}; times in microseconds per decision\n")
    header = ("models", "candidates", "build ms", "warm-up ms", "engine p50", "engine p99", "naive p50", "naive p99",
              "naive/engine p50", "agree")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" for _ in header) + "|")
    for size in (int(s) for s in args.sizes.split(",")):
        rng = random.Random(size)
        cards = pool_cards(size, rng)
        items = workload(args.requests, rng, args.cap)
        start = time.perf_counter()
        pool = Pool.build(cards, frozenset(PROVIDER_NAMES))
        build_ms = (time.perf_counter() - start) * 1000

        def engine(request, prefs):
            decision = pool.decide(request, prefs)
            return decision.chosen.card.id, decision.chosen.route.key

        start = time.perf_counter()
        timed(engine, items)  # warm-up: builds the per-filter / per-bucket structures once
        warm_ms = (time.perf_counter() - start) * 1000
        engine_times, engine_results = timed(engine, items)
        # The baseline is slow at 10k: time a slice of the same workload there.
        naive_items = items[: max(200, args.requests * 1000 // max(size, 1000))]
        naive_times, naive_results = timed(lambda r, p: naive_decide(cards, r, p), naive_items)
        agree = sum(a == b for a, b in zip(engine_results, naive_results))
        e50, e99 = percentile(engine_times, 0.5), percentile(engine_times, 0.99)
        n50, n99 = percentile(naive_times, 0.5), percentile(naive_times, 0.99)
        print(f"| {size:,} | {pool.considered:,} | {build_ms:.1f} | {warm_ms:.0f} | {e50:.1f} | {e99:.1f} | "
              f"{n50:.1f} | {n99:.1f} | {n50 / e50:.1f}x | {agree}/{len(naive_items)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
