"""`codefloor models`: the catalog with scores, prices, Pareto marks and availability."""

from __future__ import annotations

import json

from .helpers import run_cli

REQUIRED = {"id", "coding_score", "score_source", "score_date", "input_price_per_mtok", "output_price_per_mtok",
            "context_window", "available", "pareto", "routes", "coding_score_low", "coding_score_high", "score_interval",
            "score_setting", "raw_scores", "output_token_factor", "output_token_factor_source"}


def test_json_lists_every_model_with_the_required_fields(tmp_path):
    result = run_cli(["models", "--json", "--all-providers"], tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) >= 40 and all(REQUIRED <= row.keys() for row in rows)
    scored = [r for r in rows if r["coding_score"] is not None]
    assert all(r["available"] for r in rows) and all(r["score_source"] for r in scored)
    # Pareto marks: exactly the scored models no other model beats on both score and 2,000/500 cost.
    def cost(r):
        return min(2000 * x["input_price_per_mtok"] + 500 * r["output_token_factor"] * x["output_price_per_mtok"]
                   for x in r["routes"])
    undominated = {
        r["id"] for r in scored
        if not any(o["coding_score"] >= r["coding_score"] and cost(o) <= cost(r)
                   and (o["coding_score"] > r["coding_score"] or cost(o) < cost(r)) for o in scored)
    }
    assert {r["id"] for r in rows if r["pareto"]} == undominated


def test_without_keys_nothing_remote_is_available(tmp_path):
    rows = json.loads(run_cli(["models", "--json"], tmp_path).stdout)
    assert not any(r["available"] or r["pareto"] for r in rows)
    with_key = json.loads(run_cli(["models", "--json"], tmp_path, extra_env={"OPENAI_API_KEY": "sk-x"}).stdout)
    available = {r["id"] for r in with_key if r["available"]}
    assert available and all(any(x["provider"] == "openai" for x in r["routes"]) for r in with_key if r["id"] in available)


def test_table_shows_scores_sources_and_marks(tmp_path):
    result = run_cli(["models", "--all-providers"], tmp_path)
    assert result.returncode == 0, result.stderr
    header, *body = result.stdout.splitlines()
    assert header.split()[:5] == ["P", "model", "score", "interval", "source"]
    assert any(line.startswith("*") for line in body) and "aider-polyglot" in result.stdout
    assert "aider-polyglot (community, unmerged PR 5066)" in result.stdout and "extrap." in result.stdout


def test_an_invalid_user_model_names_file_model_and_field(tmp_path):
    config = '[embedded]\nenabled = false\n[[models]]\nid = "gpt-5"\ncoding_score = 300\n'
    result = run_cli(["models"], tmp_path, config=config)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "config.toml" in line and "gpt-5" in line and "coding_score" in line
