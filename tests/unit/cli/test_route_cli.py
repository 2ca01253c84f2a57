"""`codefloor route` end to end: the decision, its arithmetic, defaults, and one-line failures."""

from __future__ import annotations

import json
from datetime import date

import pytest

from .helpers import run_cli


def models_json(tmp_path, *flags):
    result = run_cli(["models", "--json", *flags], tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_cheapest_decision_is_the_true_minimum_over_the_catalog(tmp_path):
    result = run_cli(["route", "--min-coding-score", "60", "--input-tokens", "3000", "--output-tokens", "700",
                      "--all-providers", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["coding_score"] >= 60
    factor = decision["output_token_factor"]
    assert decision["expected_cost_usd"] == pytest.approx(
        (3000 * decision["input_price_per_mtok"] + 700 * factor * decision["output_price_per_mtok"]) / 1e6, rel=1e-12
    )
    assert decision["list_cost_usd"] == pytest.approx(
        (3000 * decision["input_price_per_mtok"] + 700 * decision["output_price_per_mtok"]) / 1e6, rel=1e-12
    )
    assert decision["output_token_factor_source"] and decision["price_date"]
    assert decision["coding_score_low"] <= decision["coding_score"] <= decision["coding_score_high"]
    # Independent check from `models --json`: the cheapest route of any model scoring >= 60 that fits.
    costs = [
        (3000 * r["input_price_per_mtok"] + 700 * m["output_token_factor"] * r["output_price_per_mtok"]) / 1e6
        for m in models_json(tmp_path, "--all-providers")
        if m["coding_score"] is not None and m["coding_score"] >= 60
        for r in m["routes"]
        if r["context_window"] >= 3700 and (not r["deprecation_date"] or r["deprecation_date"] >= date.today().isoformat())
    ]
    assert decision["expected_cost_usd"] == pytest.approx(min(costs), rel=1e-12)
    assert decision["eligible_count"] == len(costs)
    assert decision["considered_count"] >= decision["eligible_count"]
    assert len(decision["fallbacks"]) == 4 and all(isinstance(f, str) for f in decision["fallbacks"])
    assert decision["model"] in decision["reason"] and decision["reason"].startswith("cheapest of")
    assert decision["route"] == f"{decision['provider']}:{decision['model_name']}"
    for key in ("score_source", "floor", "policy", "task"):
        assert key in decision


def test_strongest_picks_the_top_score(tmp_path):
    result = run_cli(["route", "--min-coding-score", "0", "--policy", "strongest", "--all-providers", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    top = max(m["coding_score"] for m in models_json(tmp_path, "--all-providers") if m["coding_score"] is not None)
    assert json.loads(result.stdout)["coding_score"] == top


def test_human_output_names_model_reason_and_fallbacks(tmp_path):
    result = run_cli(["route", "--min-coding-score", "50", "--all-providers", "--task", "completion"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "cheapest of" in result.stdout and "fallbacks:" in result.stdout and "eligible of" in result.stdout


def test_default_floor_comes_from_the_user_config(tmp_path):
    config = "[embedded]\nenabled = false\n[defaults]\nminCodingScore = 70\npolicy = \"strongest\"\n"
    result = run_cli(["route", "--all-providers", "--json"], tmp_path, config=config)
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert (decision["floor"], decision["policy"]) == (70, "strongest")
    without = run_cli(["route", "--all-providers", "--json"], tmp_path)
    assert json.loads(without.stdout)["floor"] == 50  # the FolderSettings default


@pytest.mark.parametrize("value", ["abc", "-5", "101", "NaN", "inf"])
def test_bad_floor_is_one_actionable_line(tmp_path, value):
    result = run_cli(["route", f"--min-coding-score={value}", "--all-providers"], tmp_path)
    assert result.returncode != 0 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "0 to 100" in lines[0], result.stderr


@pytest.mark.parametrize("value", ["abc", "-5", "1.5"])
def test_bad_token_count_is_one_line(tmp_path, value):
    result = run_cli(["route", f"--input-tokens={value}"], tmp_path)
    assert result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1 and "tokens" in result.stderr


def test_bad_policy_is_one_line(tmp_path):
    result = run_cli(["route", "--policy", "fastest"], tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "cheapest" in line and "fastest" in line


def test_nothing_reaches_the_floor(tmp_path):
    result = run_cli(["route", "--min-coding-score", "99.5", "--all-providers"], tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    # The command line's own words: the flag, not the editor setting's name.
    assert "reaches 99.5" in line and "lower --min-coding-score to" in line and "minCodingScore" not in line


def test_no_provider_configured(tmp_path):
    result = run_cli(["route", "--min-coding-score", "10"], tmp_path)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "no provider is configured" in line and "API_KEY" in line


def test_a_key_in_the_environment_makes_its_models_available_and_stays_secret(tmp_path):
    secret = "sk-test-do-not-print-0123456789"
    result = run_cli(["route", "--min-coding-score", "70", "--json"], tmp_path, extra_env={"DEEPSEEK_API_KEY": secret})
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["provider"] == "deepseek" and decision["coding_score"] >= 70
    assert secret not in result.stdout + result.stderr
    missing = run_cli(["route", "--min-coding-score", "90"], tmp_path, extra_env={"DEEPSEEK_API_KEY": secret})
    (line,) = missing.stderr.strip().splitlines()
    assert "strongest available is deepseek" in line and "set " in line and secret not in line


def test_an_invalid_user_config_is_one_line_naming_the_file(tmp_path):
    result = run_cli(["route"], tmp_path, config="[budget]\ndaily_usd = -1\n")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "config.toml" in line and "daily_usd" in line
