"""The floor table of docs/routing.md: floor -> model chosen with `estimate` -> with `conservative` -> cost.

    python benchmarks/catalog/floor_table.py [--today YYYY-MM-DD] [--input-tokens 2000] [--output-tokens 500]

Runs the selection engine on the bundled catalog with every hosted provider treated as configured
(like `codefloor route --all-providers`, without local Ollama/embedded routes), policy cheapest, for a
typical code action. `--today` judges deprecations (default: the catalog's as-of date, so the table is
reproducible). Prints markdown.
"""

from __future__ import annotations

import argparse

from codefloor.catalog import PROVIDER_NAMES, load_catalog
from codefloor.catalog.types import LOCAL_PROVIDERS
from codefloor.selection import NoEligibleModel, Pool, Preferences, Request, ScoreConfidence

FLOORS = (30, 40, 50, 60, 65, 70, 75, 80, 85, 90, 95)


def cell(pool: Pool, request: Request, prefs: Preferences) -> tuple[str, str]:
    try:
        decision = pool.decide(request, prefs)
    except NoEligibleModel:
        return "nothing eligible", "—"
    chosen = decision.chosen
    card = chosen.card
    return (f"{card.id} via {chosen.route.provider} ({card.score_summary().split(' (')[0]}, {card.score_source})",
            f"${decision.expected_cost_usd:.5f} (list ${chosen.list_cost_usd(request):.5f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", default=None)
    parser.add_argument("--input-tokens", type=int, default=2000)
    parser.add_argument("--output-tokens", type=int, default=500)
    args = parser.parse_args(argv)
    catalog = load_catalog()
    today = args.today or catalog.as_of
    hosted = frozenset(PROVIDER_NAMES) - LOCAL_PROVIDERS
    pool = Pool.build(catalog.cards, hosted)
    request = Request(input_tokens=args.input_tokens, output_tokens=args.output_tokens)
    print(f"Catalog as of {catalog.as_of}; deprecations judged on {today}; every hosted provider configured; "
          f"policy cheapest; {request.input_tokens} input + {request.output_tokens} output tokens.\n")
    print("| floor | chosen with `estimate` | expected cost | chosen with `conservative` | expected cost |")
    print("|---:|---|---:|---|---:|")
    for floor in FLOORS:
        row = []
        for confidence in (ScoreConfidence.ESTIMATE, ScoreConfidence.CONSERVATIVE):
            prefs = Preferences(min_coding_score=floor, score_confidence=confidence, today=today)
            row += cell(pool, request, prefs)
        print(f"| {floor} | " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
