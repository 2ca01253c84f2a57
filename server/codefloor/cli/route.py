"""`codefloor route`: which model would serve a request at a floor, and why (nothing is sent).

Exit 0 with a decision; 1 with one actionable line on stderr when nothing is eligible or the config
or catalog is invalid; 2 with one line when an argument is bad.
"""

from __future__ import annotations

import argparse
import json

from codefloor.cli.common import add_score_confidence, card_score, fail, folder_preferences, for_cli, score_arg, token_count_arg


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "route",
        help="show which model would serve a request at a coding-score floor, and why",
        description="Run the selection engine on the catalog in use and your configured providers. "
        "Nothing is sent to any model.",
    )
    parser.add_argument("--min-coding-score", type=score_arg, default=None, metavar="X",
                        help="the floor, 0-100 (default: the user config's [defaults] minCodingScore, else 50)")
    parser.add_argument("--policy", choices=("cheapest", "strongest", "balanced"), default=None,
                        help="default: the user config's [defaults] policy, else cheapest")
    add_score_confidence(parser)
    parser.add_argument("--task", choices=("action", "completion"), default="action",
                        help="completion uses completion.minCodingScore from [defaults] when set")
    parser.add_argument("--input-tokens", type=token_count_arg, default=2000, metavar="N", help="default 2000")
    parser.add_argument("--output-tokens", type=token_count_arg, default=500, metavar="M", help="default 500")
    parser.add_argument("--all-providers", action="store_true",
                        help="treat every provider as configured (explore the whole catalog)")
    parser.add_argument("--json", action="store_true", help="print the decision as one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from codefloor.cli.pool_setup import load_setup
    from codefloor.selection import NoEligibleModel, Request, TaskKind

    setup = load_setup(args.all_providers)
    task = TaskKind(args.task)
    prefs = folder_preferences(setup.config, args, for_completion=task is TaskKind.COMPLETION)
    request = Request(task=task, input_tokens=args.input_tokens, output_tokens=args.output_tokens)
    try:
        decision = setup.pool.decide(request, prefs)
    except NoEligibleModel as exc:
        stale = setup.catalog.staleness()
        return fail(for_cli(f"{exc}") + (f" (note: {stale})" if stale else ""))

    chosen = decision.chosen
    card = chosen.card
    input_price, output_price = chosen.route.prices_for(request.input_tokens)
    factor_source = ("observed in your ledger" if chosen.output_factor is not None
                     else card.output_token_factor_source or "none")
    if args.json:
        print(json.dumps({
            "model": chosen.card.id,
            "display_name": chosen.card.display_name,
            "route": chosen.route.key,
            "provider": chosen.route.provider,
            "model_name": chosen.route.model_name,
            **card_score(card),
            "score_confidence": prefs.score_confidence.value,
            "score_compared": chosen.score,
            "input_price_per_mtok": input_price,
            "output_price_per_mtok": output_price,
            "price_source": "openrouter" if chosen.route.provider == "openrouter" else "litellm",
            "price_date": setup.catalog.sources.get("openrouter" if chosen.route.provider == "openrouter" else "litellm"),
            "context_window": chosen.context_window,
            "deprecation_date": chosen.route.deprecation_date,
            "list_cost_usd": chosen.list_cost_usd(request),
            "expected_cost_usd": decision.expected_cost_usd,
            "output_token_factor": chosen.factor,
            "output_token_factor_source": factor_source,
            "reason": decision.reason,
            "fallbacks": [c.card.id for c in decision.fallbacks],
            "fallback_routes": [c.route.key for c in decision.fallbacks],
            "eligible_count": decision.eligible_count,
            "considered_count": decision.considered_count,
            "floor": decision.floor,
            "policy": decision.policy.value,
            "task": task.value,
            "input_tokens": request.input_tokens,
            "output_tokens": request.output_tokens,
            "catalog": setup.catalog_json(),
        }, indent=2))
        setup.warn_if_stale()
        return 0
    source = ", ".join(x for x in (card.score_source, card.score_date) if x) or "source unknown"
    print(f"{card.id} via {chosen.route.key}")
    print(f"  coding score {card.score_summary()}; {source}")
    print(f"  ${input_price:g}/M in, ${output_price:g}/M out; list ${chosen.list_cost_usd(request):.6f}, expected "
          f"${decision.expected_cost_usd:.6f} for {request.input_tokens} in + {request.output_tokens} out tokens "
          f"(output x {chosen.factor:g}: {factor_source})")
    print(f"  {decision.reason}")
    fallbacks = ", ".join(f"{c.card.id} ({c.route.provider})" for c in decision.fallbacks) or "none"
    print(f"  fallbacks: {fallbacks}")
    print(f"  {decision.eligible_count} eligible of {decision.considered_count} considered (model, route) pairs")
    print(f"  {setup.catalog.describe()}")
    setup.warn_if_stale()
    return 0
