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


def test_an_unreachable_ollama_route_does_not_make_a_model_look_free(tmp_path):
    """No keys, Ollama not answering: a model whose $0 route is that Ollama shows its paid price."""
    rows = {r["id"]: r for r in json.loads(run_cli(["models", "--json"], tmp_path).stdout)}
    oss = rows["gpt-oss-120b"]
    paid = next(r for r in oss["routes"] if r["provider"] == "openrouter")
    assert (oss["input_price_per_mtok"], oss["output_price_per_mtok"]) == (paid["input_price_per_mtok"], paid["output_price_per_mtok"])
    assert oss["price_route"] == paid["key"] and oss["output_price_per_mtok"] > 0
    assert {r["provider"]: r["unavailable"] for r in oss["routes"]} == {"openrouter": "no key", "ollama": "Ollama not answering"}
    table = run_cli(["models"], tmp_path).stdout
    (line,) = [row for row in table.splitlines() if row.split()[:1] == ["gpt-oss-120b"] or " gpt-oss-120b " in row]
    assert "ollama: Ollama not answering" in line and "openrouter: no key" in line


def test_with_ollama_answering_models_not_pulled_stay_listed_with_the_pull_command(tmp_path):
    from tests.fakes.server import FakeServer

    everything = json.loads(run_cli(["models", "--json", "--all-providers"], tmp_path).stdout)
    with FakeServer("ollama") as ollama:
        ollama.pull("qwen2.5-coder:7b")
        result = run_cli(["models", "--json"], tmp_path, extra_env={"OLLAMA_HOST": f"127.0.0.1:{ollama.port}"})
        table = run_cli(["models"], tmp_path, extra_env={"OLLAMA_HOST": f"127.0.0.1:{ollama.port}"}).stdout
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {r["id"] for r in everything}  # nothing vanishes
    assert rows["qwen2.5-coder-7b"]["available"]
    oss = next(r for r in rows["gpt-oss-120b"]["routes"] if r["provider"] == "ollama")
    assert not oss["available"] and oss["unavailable"] == f"not pulled (`ollama pull {oss['model_name']}`)"
    assert not rows["gpt-oss-120b"]["available"] and rows["gpt-oss-120b"]["output_price_per_mtok"] > 0
    assert f"ollama: not pulled (`ollama pull {oss['model_name']}`)" in table
