"""Measured scores reach the catalog through the one hook in load_catalog: measured-locally, dated,
with coverage and interval; a user-set score wins; a broken file changes nothing."""

from __future__ import annotations

import json

import pytest

from codefloor.calibrate.scores import apply_calibrations, read_calibrations, wilson_interval, write_calibration
from codefloor.catalog.load import load_catalog
from codefloor.config import UserConfig

RECORD = {
    "model": "gpt-4o-mini", "score": 12.5, "passed": 5, "attempted": 40, "exercises_total": 225, "subset": True,
    "languages": {"python": {"passed": 3, "attempted": 20}, "go": {"passed": 2, "attempted": 20}},
    "interval95": [5.5, 26.1], "date": "2026-12-01", "setting": "route openai:gpt-4o-mini; max 4096 output tokens",
}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CODEFLOOR_DATA_DIR", str(tmp_path))
    return tmp_path


def test_wilson_interval_is_sensible_at_the_edges_and_in_the_middle():
    assert wilson_interval(0, 20) == (0.0, 16.1)
    assert wilson_interval(20, 20) == (83.9, 100.0)
    low, high = wilson_interval(112, 225)
    assert low < 49.8 < high and 12 < high - low < 14
    assert wilson_interval(0, 0) == (0.0, 100.0)


def test_a_calibration_becomes_the_cards_score_with_source_date_coverage_and_interval(data_dir):
    before = load_catalog().get("gpt-4o-mini")
    write_calibration(RECORD)
    card = load_catalog().get("gpt-4o-mini")
    assert (card.coding_score, card.score_source, card.score_date) == (12.5, "measured-locally", "2026-12-01")
    assert "SUBSET: 40 of 225 exercises (go 2/20, python 3/20)" in card.score_setting
    assert "95% interval 5.5-26.1" in card.score_setting and "route openai:gpt-4o-mini" in card.score_setting
    assert card.raw_scores["aider-polyglot (measured locally)"] == 12.5
    assert before.coding_score != 12.5 and card.raw_scores["aider-polyglot"] == before.raw_scores["aider-polyglot"]


def test_a_score_the_user_set_wins_over_a_calibration(data_dir):
    write_calibration(RECORD)
    config = UserConfig(models=[{"id": "gpt-4o-mini", "coding_score": 40}])
    card = load_catalog(config).get("gpt-4o-mini")
    assert (card.coding_score, card.score_source) == (40, "user")


def test_a_broken_or_out_of_range_file_changes_nothing(data_dir):
    path = data_dir / "calibrations.json"
    path.write_text("{not json")
    assert read_calibrations(path) == {}
    cards = load_catalog().cards
    path.write_text(json.dumps({"schema": 1, "models": {"gpt-4o-mini": dict(RECORD, score=140)}}))
    assert apply_calibrations(cards, path) is cards


def test_a_running_servers_catalog_follower_takes_up_a_new_calibration(data_dir):
    from codefloor.catalog.load import CatalogFollower

    follower = CatalogFollower(UserConfig(), env={"CODEFLOOR_DATA_DIR": str(data_dir)}, every_s=0.0)
    assert follower.current().get("gpt-4o-mini").score_source != "measured-locally"
    write_calibration(RECORD, data_dir / "calibrations.json")
    card = follower.current().get("gpt-4o-mini")
    assert (card.coding_score, card.score_source) == (12.5, "measured-locally")
