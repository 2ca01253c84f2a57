"""Print the cost/score Pareto frontier of the catalog as markdown (the table in docs/routing.md).

    python -m codefloor.catalog.report [--input-tokens 2000] [--output-tokens 500] [--all]

Every route counts as reachable (like `codefloor route --all-providers`). A model is on the frontier
when no other model is at least as strong and cheaper for the reference request; each model is
priced by its cheapest route.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from codefloor.catalog.load import Catalog, load_catalog
from codefloor.catalog.types import ModelCard, Route

# The defaults of selection.Request: a typical code action.
REFERENCE_INPUT_TOKENS = 2000
REFERENCE_OUTPUT_TOKENS = 500


@dataclass(frozen=True)
class Point:
    card: ModelCard
    route: Route
    cost_usd: float

    @property
    def score(self) -> float:
        return self.card.coding_score or 0.0


def request_cost(card: ModelCard, route: Route, input_tokens: int, output_tokens: int) -> float:
    """Expected cost of the request: the selection engine's one cost rule (output x the card's factor)."""
    from codefloor.selection.types import Candidate, Request

    return Candidate(card, route).expected_cost_usd(Request(input_tokens=input_tokens, output_tokens=output_tokens))


def pareto_frontier(cards: tuple[ModelCard, ...], input_tokens: int, output_tokens: int,
                    include_local: bool = True) -> list[Point]:
    """Cheapest first; each point strictly stronger than every cheaper-or-equal one."""
    points = []
    for card in cards:
        routes = [r for r in card.routes if include_local or not r.is_local]
        if card.coding_score is None or not routes:
            continue
        route = min(routes, key=lambda r: (request_cost(card, r, input_tokens, output_tokens), r.key))
        points.append(Point(card, route, request_cost(card, route, input_tokens, output_tokens)))
    points.sort(key=lambda p: (p.cost_usd, -p.score, p.card.id))
    frontier: list[Point] = []
    for point in points:
        if not frontier or point.score > frontier[-1].score:
            frontier.append(point)
    return frontier


def markdown_table(frontier: list[Point]) -> str:
    lines = [
        "| model | coding score | interval | score source (date) | cheapest route | $/M in | $/M out | output x "
        "| expected USD per request |",
        "|---|---:|---|---|---|---:|---:|---:|---:|",
    ]
    for p in frontier:
        interval = (f"{p.card.coding_score_low:g}-{p.card.coding_score_high:g}"
                    if p.card.coding_score_low is not None and p.card.coding_score_high is not None else "—")
        lines.append(
            f"| {p.card.id} | {p.score:.1f} | {interval} | {p.card.score_source} ({p.card.score_date}) | {p.route.key} "
            f"| {p.route.input_price_per_mtok:g} | {p.route.output_price_per_mtok:g} | {p.card.output_token_factor:g} "
            f"| {p.cost_usd:.6f} |"
        )
    return "\n".join(lines)


def models_table(cards: tuple[ModelCard, ...]) -> str:
    """Every card: score with its source, date and setting, and each route's price."""
    lines = ["| model | coding score | source | date | setting | routes ($/M in / out) |", "|---|---:|---|---|---|---|"]
    for card in sorted(cards, key=lambda c: (-(c.coding_score or -1), c.id)):
        score = "—" if card.coding_score is None else f"{card.coding_score:.1f}"
        routes = ", ".join(f"{r.key} {r.input_price_per_mtok:g}/{r.output_price_per_mtok:g}" for r in card.routes)
        lines.append(f"| {card.id} | {score} | {card.score_source or '—'} | {card.score_date or '—'} "
                     f"| {card.score_setting or '—'} | {routes} |")
    return "\n".join(lines)


def report(catalog: Catalog, input_tokens: int, output_tokens: int, all_models: bool = False) -> str:
    parts = [f"Catalog as of {catalog.as_of}; reference request: {input_tokens} input + {output_tokens} output tokens.", ""]
    for title, local in (("Hosted routes only", False), ("Including local routes (Ollama, embedded)", True)):
        parts += [f"### {title}", "", markdown_table(pareto_frontier(catalog.cards, input_tokens, output_tokens, local)), ""]
    if all_models:
        parts += ["### Every model in the catalog", "", models_table(catalog.cards), ""]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codefloor.catalog.report", description=__doc__.splitlines()[0])
    parser.add_argument("--input-tokens", type=int, default=REFERENCE_INPUT_TOKENS)
    parser.add_argument("--output-tokens", type=int, default=REFERENCE_OUTPUT_TOKENS)
    parser.add_argument("--all", action="store_true", help="also list every model with its score source and routes")
    args = parser.parse_args(argv)
    print(report(load_catalog(), args.input_tokens, args.output_tokens, args.all), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
