"""ModelCard.for_completion: what an inline completion may honestly run a model at."""

from __future__ import annotations

from codefloor.catalog.types import LowEffortScore, ModelCard, Route

LOW = LowEffortScore(coding_score=81.3, coding_score_low=75.7, coding_score_high=86.0, score_source="aider-polyglot",
                     score_date="2025-08-25", score_setting="reasoning_effort=low", score_interval="95% Wilson, 225 cases")


def card(**fields) -> ModelCard:
    base = {"id": "m", "display_name": "m", "coding_score": 86.7, "score_source": "aider-polyglot",
            "score_setting": "reasoning_effort=medium", "score_date": "2025-08-25", "context_window": 1000,
            "max_output_tokens": 100, "routes": (Route(provider="openai", model_name="m", input_price_per_mtok=1,
                                                        output_price_per_mtok=1),)}
    return ModelCard(**{**base, **fields})


def test_a_reasoning_card_completes_at_its_low_effort_score_and_setting():
    view = card(reasons=True, low_effort=LOW).for_completion()
    assert (view.coding_score, view.coding_score_low, view.score_setting, view.reasoning_effort) == (81.3, 75.7, "reasoning_effort=low", "low")
    assert view.score_interval == LOW.score_interval and view.completes


def test_a_reasoning_card_without_a_low_effort_score_does_not_complete():
    plain = card(reasons=True)
    assert plain.for_completion() is plain and not plain.completes


def test_a_card_scored_at_high_effort_needs_a_low_effort_score_even_if_it_does_not_reason_by_default():
    assert not card(reasons=False, score_setting="reasoning_effort=high").completes
    assert card(reasons=False, score_setting="default").completes
    assert card(reasons=False, score_setting="default").for_completion().coding_score == 86.7


def test_thinking_off_is_sent_as_effort_none():
    assert card(score_setting="thinking=off").reasoning_effort == "none"
