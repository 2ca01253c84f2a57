"""`codefloor models`: the catalog as the router sees it -- score and its source, prices, context,
the Pareto frontier (score up, cost down) and whether each model is reachable now.

Prices are those of the model's cheapest reachable route for a 2,000-in / 500-out request, else of
its cheapest paid route (availability.price_route); each route says why it cannot serve now (no
key, Ollama not answering, not pulled). Unscored models are listed last; they are not routed until
someone gives them a score.
"""

from __future__ import annotations

import argparse
import json

from codefloor.cli.common import card_score


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "models",
        help="list catalog models: score + source, prices, context, Pareto mark, availability",
        description="List the catalog with each model's coding score and where it comes from, prices per million "
        "tokens, context window, whether it is on the cost/score Pareto frontier (*) and whether it is available.",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list of models")
    parser.add_argument("--all-providers", action="store_true",
                        help="treat every provider as configured (explore the whole catalog)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from codefloor.cli.pool_setup import load_setup

    setup = load_setup(args.all_providers)
    rows = model_rows(setup)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print_table(rows, setup.pool.available_providers)
        print(f"{setup.catalog.describe()}; update: codefloor catalog update")
    setup.warn_if_stale()
    return 0


def model_rows(setup) -> list[dict]:
    from codefloor.availability import price_route, route_problem
    from codefloor.selection import Preferences, Request

    views = {v.card.id: v for v in setup.pool.explain(Request(), Preferences(min_coding_score=0))}
    reach = setup.reach
    rows = []
    for card in sorted(setup.catalog.cards, key=lambda c: (c.coding_score is None, -(c.coding_score or 0), c.id)):
        if not card.routes:
            continue
        view = views.get(card.id)
        route = view.route if view and view.available else price_route(card, reach)
        problems = {r.key: route_problem(r, reach) for r in card.routes}
        rows.append({
            "id": card.id,
            "display_name": card.display_name,
            **card_score(card),
            "raw_scores": card.raw_scores,
            "output_token_factor": card.output_token_factor,
            "output_token_factor_source": card.output_token_factor_source,
            "deprecation_date": card.deprecation_date,
            "input_price_per_mtok": route.input_price_per_mtok,
            "output_price_per_mtok": route.output_price_per_mtok,
            "price_route": route.key,
            "context_window": card.context_window,
            "available": any(problem is None for problem in problems.values()),
            "pareto": bool(view and view.pareto),
            "routes": [
                {
                    "key": r.key,
                    "provider": r.provider,
                    "model_name": r.model_name,
                    "input_price_per_mtok": r.input_price_per_mtok,
                    "output_price_per_mtok": r.output_price_per_mtok,
                    "supports_fim": r.supports_fim,
                    "context_window": r.context_window or card.context_window,
                    "deprecation_date": r.deprecation_date,
                    "long_context_tokens": r.long_context_tokens,
                    "available": problems[r.key] is None,
                    "unavailable": problems[r.key],  # why not, or None
                }
                for r in card.routes
            ],
        })
    return rows


def print_table(rows: list[dict], available_providers: frozenset[str]) -> None:
    header = ("P", "model", "score", "interval", "source (date)", "setting", "raw", "out x", "$/M in", "$/M out",
              "context", "available", "routes")
    table = [header]
    for row in rows:
        score = "-" if row["coding_score"] is None else f"{row['coding_score']:g}"
        low, high = row["coding_score_low"], row["coding_score_high"]
        interval = "-" if low is None or high is None else f"{low:g}-{high:g}" + (" extrap." if row["score_extrapolated"] else "")
        raw = ", ".join(f"{k} {v:g}" for k, v in row["raw_scores"].items()) or "-"
        source = f"{row['score_source']} ({row['score_date']})" if row["score_source"] else "unscored"
        table.append((
            "*" if row["pareto"] else "",
            row["id"],
            score,
            interval,
            source,
            row["score_setting"] or "-",
            raw,
            f"{row['output_token_factor']:g}",
            f"{row['input_price_per_mtok']:g}",
            f"{row['output_price_per_mtok']:g}",
            f"{row['context_window']:,}",
            "yes" if row["available"] else "no",
            ", ".join(r["provider"] + (f": {r['unavailable']}" if r["unavailable"] else "") for r in row["routes"]),
        ))
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    right = {2, 7, 8, 9, 10}
    for line in table:
        print("  ".join(cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(line, widths))).rstrip())
    shown = ", ".join(sorted(available_providers)) or "none (set a provider key, start Ollama or install codefloor[local])"
    print(f"\n{sum(r['available'] for r in rows)} of {len(rows)} models available; providers: {shown}")
    print("* = on the Pareto frontier of available models (no other is both stronger and cheaper for 2,000 in + 500 out tokens)")
    print("prices: the cheapest route you can reach, else the cheapest paid route; a route you cannot reach says why")
    print("interval: 95% binomial for a measured run; +/- leave-one-out RMSE of the fit for a mapped score; "
          "out x = output-token factor of the expected cost")
