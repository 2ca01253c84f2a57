"""The Pareto frontier printed into docs/routing.md."""

from __future__ import annotations

from codefloor.catalog import load_catalog
from codefloor.catalog.report import main, pareto_frontier, request_cost
from codefloor.catalog.types import ModelCard, Route


def card(model_id: str, score: float | None, price: float, provider: str = "openai") -> ModelCard:
    route = Route(provider=provider, model_name=model_id, input_price_per_mtok=price, output_price_per_mtok=price)
    return ModelCard(id=model_id, display_name=model_id, coding_score=score, context_window=1000,
                     max_output_tokens=100, routes=(route,))


def test_frontier_keeps_only_undominated_models_cheapest_first():
    cards = (card("cheap-weak", 20, 0.1), card("dominated", 15, 0.5), card("mid", 50, 1.0), card("tie-pricier", 50, 2.0),
             card("strong", 80, 5.0), card("unscored", None, 0.0), card("local", 10, 0.0, provider="ollama"))
    assert [p.card.id for p in pareto_frontier(cards, 1000, 1000, include_local=False)] == ["cheap-weak", "mid", "strong"]
    assert [p.card.id for p in pareto_frontier(cards, 1000, 1000)] == ["local", "cheap-weak", "mid", "strong"]


def test_no_scored_model_of_the_bundled_catalog_beats_the_frontier():
    cards = load_catalog().cards
    frontier = pareto_frontier(cards, 2000, 500)
    assert len(frontier) >= 3
    for c in cards:
        if c.coding_score is None:
            continue
        cost = min(request_cost(c, r, 2000, 500) for r in c.routes)
        assert any(p.score >= c.coding_score and p.cost_usd <= cost for p in frontier), c.id


def test_report_prints_markdown_tables(capsys):
    assert main(["--all"]) == 0
    out = capsys.readouterr().out
    assert "| model | coding score |" in out and "### Every model in the catalog" in out and "gpt-5" in out


def test_docs_routing_shows_the_current_frontier():
    from pathlib import Path

    from codefloor.catalog.report import REFERENCE_INPUT_TOKENS, REFERENCE_OUTPUT_TOKENS, report

    doc = (Path(__file__).resolve().parents[3] / "docs" / "routing.md").read_text(encoding="utf-8")
    current = report(load_catalog(), REFERENCE_INPUT_TOKENS, REFERENCE_OUTPUT_TOKENS).strip()
    assert current in doc, "paste the output of `python -m codefloor.catalog.report` into docs/routing.md"
