"""The build's join rules on a small synthetic source folder, and the bundled snapshot itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from codefloor.catalog.build import BUNDLED_CATALOG, BUNDLED_SOURCES, build, catalog_document, read_sources, render
from codefloor.catalog.sources import SourceError

PER_TOKEN = 1e-6  # $1 per million tokens


def polyglot(model: str, date: str, score: float, **extra) -> dict:
    return {"model": extra.pop("display", model), "command": f"aider --model {model}", "date": date,
            "pass_rate_2": score, **extra}


def litellm(provider: str, inp: float, out: float, **extra) -> dict:
    return {"litellm_provider": provider, "mode": "chat", "input_cost_per_token": inp * PER_TOKEN,
            "output_cost_per_token": out * PER_TOKEN, "max_input_tokens": 100000, "max_output_tokens": 8000, **extra}


def openrouter(slug: str, inp: float, out: float, **extra) -> dict:
    return {"id": slug, "name": f"Vendor: {slug}", "context_length": 200000, "hugging_face_id": extra.pop("hf", ""),
            "pricing": {"prompt": str(inp * PER_TOKEN), "completion": str(out * PER_TOKEN)},
            "top_provider": {"max_completion_tokens": 16000}, "supported_parameters": ["tools"], **extra}


# Five models measured on both Aider polyglot and SWE-bench bash-only, exactly aider = 2 * swe - 10.
FIT_MODELS = {"alpha-1": 20.0, "alpha-2": 25.0, "alpha-3": 30.0, "alpha-4": 40.0, "alpha-5": 45.0}


def write_sources(folder: Path, *, measured: list | None = None) -> Path:
    runs = [polyglot(m, "2025-05-01", 2 * swe - 10) for m, swe in FIT_MODELS.items()]
    runs += [
        polyglot("deepseek/deepseek-chat", "2024-12-25", 48.4),
        polyglot("deepseek/deepseek-chat", "2025-10-03", 70.2),
        polyglot("claude-opus-3-9-20250101", "2025-01-01", 60.0),
        polyglot("gone-model", "2025-01-01", 61.0),
        polyglot("responses-only", "2025-01-01", 62.0),
        polyglot("free-exp", "2025-01-01", 63.0),
        polyglot("gemini/gemini-exp-1206", "2024-12-22", 38.2),
        polyglot("deepseek/deepseek-v3.2-exp", "2025-10-03", 70.0),
        polyglot("r1", "2025-01-20", 56.9, display="DeepSeek R1"),
        {"model": "pair", "command": "aider --architect --model r1 --editor-model sonnet", "date": "2025-01-23",
         "pass_rate_2": 99.0, "edit_format": "architect", "editor_model": "sonnet"},
    ]
    (folder / "aider_polyglot_leaderboard.yml").write_text(yaml.safe_dump(runs))
    (folder / "aider_edit_leaderboard.yml").write_text(yaml.safe_dump([polyglot("edit-only", "2024-06-01", 70.0)]))
    swe = [{"name": m, "date": "2025-08-01", "resolved": v, "tags": [f"Model: {m}"]} for m, v in FIT_MODELS.items()]
    swe.append({"name": "Beta (medium reasoning)", "date": "2025-11-01", "resolved": 50.0, "tags": ["Model: beta-9"]})
    swe.append({"name": "Unpriced", "date": "2025-11-01", "resolved": 40.0, "tags": ["Model: nowhere-1"]})
    (folder / "swebench_leaderboards_2025-12-10.json").write_text(
        json.dumps({"leaderboards": [{"name": "bash-only", "results": swe}, {"name": "Verified", "results": []}]}))
    (folder / "evalplus_results.json").write_text(json.dumps({"Tiny": {"pass@1": {"humaneval+": 10.0}}}))
    prices = {f"{m}": litellm("openai", 1.0, 2.0) for m in FIT_MODELS}
    prices |= {
        "deepseek/deepseek-chat": litellm("deepseek", 0.28, 0.42),
        "claude-opus-3-9-20250101": litellm("anthropic", 1.0, 1.0, deprecation_date="2026-01-01"),
        "claude-3-9-opus-20250101": litellm("anthropic", 1.0, 1.0),  # a second spelling of the same snapshot
        "responses-only": litellm("openai", 1.0, 1.0, mode="responses"),
        "free-exp": litellm("gemini", 0.0, 0.0),
        "gemini-exp-1206": litellm("gemini", 0.3, 2.5),  # retired experiment, still priced in LiteLLM
        "deepseek-reasoner": litellm("deepseek", 0.5, 2.0),
        "beta-9": litellm("anthropic", 3.0, 15.0),
        "openrouter/beta-9": litellm("openrouter", 9.0, 9.0),  # not first party: ignored
        "last_updated": "2026-07-24T18:23:43",
    }
    (folder / "litellm_model_prices_and_context_window.json").write_text(json.dumps(prices))
    listing = [
        openrouter("vendor/beta-9", 3.5, 16.0),
        openrouter("deepseek/deepseek-chat", 0.3, 1.0),
        openrouter("vendor/gone-model", 1.0, 1.0, expiration_date="2026-02-01"),
        openrouter("vendor/responses-only", 1.2, 1.2),
        openrouter("vendor/free-exp:free", 0.0, 0.0),
        openrouter("deepseek/deepseek-v3.2-exp", 0.27, 0.41),
        openrouter("openrouter/auto", -1, -1),
    ]
    (folder / "openrouter_models_2026-08-01.json").write_text(json.dumps({"data": listing}))
    if measured is not None:
        (folder / "measured_locally.json").write_text(json.dumps(measured))
    return folder


@pytest.fixture
def catalog(tmp_path) -> dict:
    return catalog_document(read_sources(write_sources(tmp_path)))


def card(document: dict, model_id: str) -> dict:
    found = [m for m in document["models"] if m["id"] == model_id]
    assert found, f"{model_id} not in {[m['id'] for m in document['models']]}"
    return found[0]


def ids(document: dict) -> set[str]:
    return {m["id"] for m in document["models"]}


def test_as_of_defaults_to_the_newest_source_date(catalog):
    assert catalog["as_of"] == "2026-08-01"
    assert catalog["sources"]["litellm"] == "2026-07-24" and catalog["sources"]["aider-polyglot"] == "2025-10-03"


def test_moving_alias_takes_the_newest_run_and_the_first_party_price_comes_first(catalog):
    chat = card(catalog, "deepseek-chat")
    assert chat["coding_score"] == 70.2 and chat["score_date"] == "2025-10-03"
    assert [(r["provider"], r["input_price_per_mtok"]) for r in chat["routes"]] == [("deepseek", 0.28), ("openrouter", 0.3)]
    assert chat["routes"][0]["supports_fim"] and "fim" in chat["capabilities"]


def test_aider_alias_r1_lands_on_deepseek_reasoner_and_architect_pairs_score_nothing(catalog):
    reasoner = card(catalog, "deepseek-reasoner")
    assert reasoner["coding_score"] == 56.9 and reasoner["score_source"] == "aider-polyglot"


def test_deprecated_and_expired_routes_are_dropped(catalog):
    assert "claude-opus-3-9" not in ids(catalog)  # deprecated under one spelling -> that snapshot is deprecated
    assert "gone-model" not in ids(catalog)  # OpenRouter expiration_date before as-of


def test_a_later_as_of_keeps_what_is_not_yet_deprecated(tmp_path):
    document = catalog_document(read_sources(write_sources(tmp_path)), as_of="2025-12-31")
    assert {"claude-opus-3-9", "gone-model"} <= ids(document)
    assert card(document, "gone-model")["deprecation_date"] == "2026-02-01"


def test_responses_only_and_zero_priced_direct_entries_give_no_direct_route(catalog):
    assert [r["provider"] for r in card(catalog, "responses-only")["routes"]] == ["openrouter"]
    assert "free-exp" not in ids(catalog)  # free tier is not a price; the :free variant is not a route


def test_experimental_releases_need_a_current_openrouter_listing(catalog):
    assert "gemini-exp-1206" not in ids(catalog)
    assert card(catalog, "deepseek-v3.2-exp")["routes"][0]["model_name"] == "deepseek/deepseek-v3.2-exp"


def test_mapped_score_uses_the_recorded_fit(catalog):
    fit = catalog["fits"]["swe-bench-bash-only"]
    assert (fit["slope"], fit["intercept"], fit["n"], fit["pearson_r"], fit["used"]) == (2.0, -10.0, 5, 1.0, True)
    beta = card(catalog, "beta-9")
    # 2 * 50 - 10 = 90, but the fit's pairs span raw 20-45 and Aider 30-80: kept at 80 and flagged
    assert beta["coding_score"] == 80.0 and beta["score_source"] == "swe-bench-bash-only (mapped)"
    assert beta["score_extrapolated"] and "extrapolated" in beta["score_interval"]
    assert fit["loo_rmse"] == 0.0 and (beta["coding_score_low"], beta["coding_score_high"]) == (80.0, 80.0)
    assert beta["raw_scores"] == {"swe-bench-bash-only": 50.0} and beta["score_setting"] == "reasoning_effort=medium"
    assert [(r["provider"], r["input_price_per_mtok"]) for r in beta["routes"]] == [("anthropic", 3.0), ("openrouter", 3.5)]


def test_no_score_is_invented(catalog):
    assert "nowhere-1" not in ids(catalog)  # scored, but no route
    assert "edit-only" not in ids(catalog)  # only a benchmark without a usable fit, and no route
    assert catalog["fits"].get("evalplus") is None  # no pairs at all
    embedded = card(catalog, "smollm2-135m-instruct")
    assert embedded["coding_score"] is None and embedded["routes"][0]["provider"] == "embedded"
    assert embedded["context_window"] == 8192


def test_ollama_coder_models_are_local_free_and_fim_capable(catalog):
    qwen = card(catalog, "qwen2.5-coder-7b")
    assert [{k: v for k, v in r.items() if v is not None} for r in qwen["routes"]] == [{"provider": "ollama", "model_name": "qwen2.5-coder:7b", "input_price_per_mtok": 0.0,
                               "output_price_per_mtok": 0.0, "supports_fim": True, "context_window": 32768}]
    assert qwen["coding_score"] is None and "fim" in qwen["capabilities"]


def test_measured_locally_scores_the_embedded_model(tmp_path):
    measured = [{"id": "smollm2-135m-instruct", "score": 1.3, "raw": 3.0, "benchmark": "humaneval-mini",
                 "date": "2026-11-26", "command": "python benchmarks/embedded_quality.py"}]
    document = catalog_document(read_sources(write_sources(tmp_path, measured=measured)))
    embedded = card(document, "smollm2-135m-instruct")
    # HumanEval has no fitted map onto the Aider scale: kept as a raw score, never shown as a coding score.
    assert embedded["coding_score"] is None and embedded["score_source"] is None
    assert embedded["raw_scores"] == {"humaneval-mini": 3.0}
    assert document["sources"]["measured-locally"] == "2026-11-26"
    assert document["as_of"] == "2026-08-01"  # our measurement date does not move the deprecation cut


def test_measurement_raw_may_be_a_pass_count(tmp_path):
    measured = [{"id": "smollm2-135m-instruct", "score": 5.0, "raw": {"passed": 2, "problems": 40, "model_file": "x.gguf"},
                 "benchmark": "humaneval-first40-pass@1", "date": "2026-11-26", "command": "python run.py"}]
    embedded = card(catalog_document(read_sources(write_sources(tmp_path, measured=measured))), "smollm2-135m-instruct")
    assert embedded["raw_scores"] == {"humaneval-first40-pass@1": 5.0} and embedded["coding_score"] is None


def test_a_local_polyglot_measurement_is_a_coding_score_with_its_sampling_interval(tmp_path):
    measured = [{"id": "smollm2-135m-instruct", "score": 4.0, "raw": {"passed": 9, "problems": 225},
                 "benchmark": "aider-polyglot (codefloor calibrate)", "date": "2026-12-01", "command": "codefloor calibrate"}]
    embedded = card(catalog_document(read_sources(write_sources(tmp_path, measured=measured))), "smollm2-135m-instruct")
    assert (embedded["coding_score"], embedded["score_source"]) == (4.0, "measured-locally")
    # 95% Wilson interval of 9/225
    assert (embedded["coding_score_low"], embedded["coding_score_high"]) == (2.1, 7.4)
    assert "225 cases" in embedded["score_interval"]


def test_bad_measurement_file_is_reported_with_its_path(tmp_path):
    write_sources(tmp_path, measured=[{"id": "x", "score": 140, "raw": 1, "benchmark": "b", "date": "d", "command": "c"}])
    with pytest.raises(SourceError, match=r"measured_locally\.json.*outside 0-100"):
        read_sources(tmp_path)


def test_missing_source_file_names_it(tmp_path):
    write_sources(tmp_path)
    (tmp_path / "evalplus_results.json").unlink()
    with pytest.raises(SourceError, match="evalplus_results.json: missing"):
        read_sources(tmp_path)


# --- the bundled snapshot -------------------------------------------------------------------------


def test_build_is_deterministic_and_the_committed_snapshot_is_current(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    build(BUNDLED_SOURCES, first)
    build(BUNDLED_SOURCES, second)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == BUNDLED_CATALOG.read_bytes(), "run `codefloor catalog build --out server/codefloor/catalog/data/catalog.json` and commit the result"


def test_render_is_stable_under_reordering(catalog):
    shuffled = dict(reversed(list(catalog.items())))
    assert render(json.loads(render(catalog))) == render(shuffled)


def test_bundled_snapshot_meets_the_coverage_targets():
    document = json.loads(BUNDLED_CATALOG.read_text())
    as_of = document["as_of"]
    live = [m for m in document["models"] if not m["deprecation_date"] or m["deprecation_date"] >= as_of]
    usable = [m for m in live if m["coding_score"] is not None and m["routes"]]
    assert len(usable) >= 40
    providers = {r["provider"] for m in usable for r in m["routes"]}
    assert len(providers) >= 6
    by_id = {m["id"]: m for m in usable}
    assert any(i.startswith("gpt-5") for i in by_id)
    assert any(i.startswith("claude-") and ("-4" in i) for i in by_id)
    assert any(i.startswith("gemini-2.5") for i in by_id)
    assert any(r["provider"] == "deepseek" for m in usable for r in m["routes"])
    assert any(r["provider"] == "mistral" for m in usable for r in m["routes"])
    assert any(m["open_weights"] and m["routes"][0]["provider"] == "openrouter" for m in usable)
    assert any(r["provider"] == "ollama" for m in usable for r in m["routes"])
    assert any(r["provider"] == "embedded" for m in document["models"] for r in m["routes"])
    for model in usable:
        assert model["score_source"] and model["score_date"], model["id"]
    fit = document["fits"]["swe-bench-bash-only"]
    assert fit["used"] and fit["n"] >= 10 and fit["pearson_r"] >= 0.8


def test_trimmed_copies_build_the_same_catalog_as_the_originals(tmp_path):
    from codefloor.catalog.trim import trim_all

    (tmp_path / "full").mkdir()
    original = write_sources(tmp_path / "full")
    # Fields the build never reads, which the trim must drop without changing the result.
    listing = json.loads((original / "openrouter_models_2026-08-01.json").read_text())
    for model in listing["data"]:
        model["description"] = "long text " * 50
        model["supported_parameters"] = ["temperature", "tools", "reasoning"]
    (original / "openrouter_models_2026-08-01.json").write_text(json.dumps(listing))
    trimmed = tmp_path / "trimmed"
    trim_all(original, trimmed)
    assert "long text" not in (trimmed / "openrouter_models_2026-08-01.json").read_text()
    assert render(catalog_document(read_sources(trimmed))) == render(catalog_document(read_sources(original)))


def test_a_reasoning_card_carries_its_lowest_effort_run_as_the_completion_score(tmp_path):
    folder = write_sources(tmp_path)
    runs = yaml.safe_load((folder / "aider_polyglot_leaderboard.yml").read_text())
    runs += [polyglot("alpha-1", "2025-05-02", 31.0, reasoning_effort="medium"),
             polyglot("alpha-1", "2025-05-02", 22.0, reasoning_effort="low"),
             polyglot("alpha-2", "2025-05-03", 33.0, reasoning_effort="medium"),
             polyglot("alpha-2", "2025-05-03", 28.0, reasoning_effort="minimal"),
             polyglot("alpha-2", "2025-05-04", 21.0, reasoning_effort="low")]
    (folder / "aider_polyglot_leaderboard.yml").write_text(yaml.safe_dump(runs))
    document = catalog_document(read_sources(folder))
    one = card(document, "alpha-1")
    assert one["score_setting"] == "reasoning_effort=medium" and one["coding_score"] == 31.0  # the default-effort run scores it
    assert one["low_effort"]["coding_score"] == 22.0 and one["low_effort"]["score_setting"] == "reasoning_effort=low"
    assert one["low_effort"]["score_date"] == "2025-05-02" and one["low_effort"]["score_source"] == "aider-polyglot"
    assert one["low_effort"]["coding_score_low"] < 22.0 < one["low_effort"]["coding_score_high"]
    assert "225 cases" in one["low_effort"]["score_interval"]
    assert card(document, "alpha-2")["low_effort"]["score_setting"] == "reasoning_effort=minimal"  # less effort wins
    assert card(document, "alpha-3")["low_effort"] is None
    assert card(document, "deepseek-chat")["reasons"] is False


def test_the_bundled_snapshot_knows_gpt_5_reasons_and_its_low_effort_score():
    gpt5 = card(json.loads(BUNDLED_CATALOG.read_text()), "gpt-5")
    assert gpt5["reasons"] is True and gpt5["score_setting"] == "reasoning_effort=medium"
    low = gpt5["low_effort"]
    assert (low["coding_score"], low["score_setting"], low["score_date"]) == (81.3, "reasoning_effort=low", "2025-08-25")
