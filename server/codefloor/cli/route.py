"""`codefloor route`: which model would serve a request at a floor, and why (nothing is sent).

Exit 0 with a decision; 1 with one actionable line on stderr when nothing is eligible or the config
or catalog is invalid; 2 with one line when an argument is bad.
"""

from __future__ import annotations

import argparse
import json
import sys

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
    from codefloor.selection import Health, NoEligibleModel, Request, TaskKind

    setup = load_setup(args.all_providers)
    task = TaskKind(args.task)
    prefs = folder_preferences(setup.config, args, for_completion=task is TaskKind.COMPLETION)
    request = Request(task=task, input_tokens=args.input_tokens, output_tokens=args.output_tokens)
    health = _completion_health(setup, prefs) if task is TaskKind.COMPLETION else Health()
    try:
        decision = setup.pool.decide(request, prefs, health)
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
    if task is TaskKind.COMPLETION:
        for line in _left_out_of_completions(setup.pool.explain(request, prefs, health)):
            print(f"  {line}")
    print(f"  {setup.catalog.describe()}")
    setup.warn_if_stale()
    return 0


def _completion_health(setup, prefs):
    """The routes too slow for completion.maxLatencyMs by what the ledger learned (no ledger: priors)."""
    import time

    from codefloor.latency import REPLAYED_ATTEMPTS, LatencyBook
    from codefloor.ledger import FILE_NAME, Ledger, LedgerError
    from codefloor.config import data_dir
    from codefloor.selection import Health

    book = LatencyBook(time.monotonic)
    path = data_dir() / FILE_NAME
    if path.is_file():  # only read: `route` must not create a ledger
        try:
            ledger = Ledger(path)
            try:
                book.replay(ledger.latencies("completion", REPLAYED_ATTEMPTS), time.time())
            finally:
                ledger.close()
        except LedgerError as exc:
            print(f"codefloor: {exc}; judging latency by the priors only", file=sys.stderr)
    if not prefs.max_latency_ms:
        return Health()
    return Health(slow_routes=book.slow_routes(setup.pool.candidates, prefs.max_latency_ms, take_retries=False))


def _left_out_of_completions(views) -> list[str]:
    """Models that would serve completions but for the completion rules (reasoning, latency), by rule."""
    groups: dict[str, list[str]] = {}
    for view in views:
        if view.why_not and all("low-effort score" in why or "completion.maxLatencyMs" in why for why in view.why_not):
            rule = "no low-effort score" if "low-effort score" in view.why_not[0] else "too slow"
            groups.setdefault(rule, []).append(f"{view.card.id} ({view.why_not[0]})" if rule == "too slow" else view.card.id)
    lines = []
    if "no low-effort score" in groups:
        names = groups["no low-effort score"]
        lines.append(f"left out of completions, scored reasoning with no low-effort score: {', '.join(names[:6])}"
                     + (f" and {len(names) - 6} more" if len(names) > 6 else ""))
    for entry in groups.get("too slow", [])[:4]:
        lines.append(f"left out of completions: {entry}")
    return lines
