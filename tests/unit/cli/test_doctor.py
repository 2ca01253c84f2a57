"""`codefloor doctor`: what codefloor sees, by name, with what to do; never a key's value."""

from __future__ import annotations

import json

from tests.fakes.server import FakeServer

from .helpers import run_cli

ENV_SECRET = "sk-doctor-ENVSECRET-0123456789"
FILE_SECRET = "sk-ant-FILESECRET-9876543210"


def test_keys_are_named_by_where_they_were_found_and_never_shown(tmp_path):
    config = f'[embedded]\nenabled = false\n[providers.anthropic]\napi_key = "{FILE_SECRET}"\n'
    env = {"OPENAI_API_KEY": ENV_SECRET, "CODEFLOOR_OPENAI_BASE_URL": f"https://user:{ENV_SECRET}@proxy.example/v1"}
    text = run_cli(["doctor"], tmp_path, config=config, extra_env=env)
    as_json = run_cli(["doctor", "--json"], tmp_path, config=config, extra_env=env)
    for done in (text, as_json):
        assert ENV_SECRET not in done.stdout + done.stderr and FILE_SECRET not in done.stdout + done.stderr
        assert "OPENAI_API_KEY" in done.stdout and "[providers.anthropic].api_key" in done.stdout
    rows = {r["provider"]: r for r in json.loads(as_json.stdout)["providers"]}
    assert rows["openai"]["key_from"] == "OPENAI_API_KEY" and rows["gemini"]["key_from"] is None
    assert rows["openai"]["base_url"] == "https://proxy.example/v1"  # user:password stripped
    assert rows["openai"]["base_url_from"] == "environment CODEFLOOR_OPENAI_BASE_URL"
    assert text.returncode == 0, text.stdout  # keys found, nothing broken: no problem


def test_config_catalog_ledger_and_ollama_are_reported(tmp_path):
    with FakeServer("ollama") as ollama:
        ollama.pull("qwen2.5-coder:7b")
        done = run_cli(["doctor", "--json"], tmp_path, extra_env={"OLLAMA_HOST": f"127.0.0.1:{ollama.port}"})
    report = json.loads(done.stdout)
    assert report["config"]["read"] and report["config"]["path"].endswith("config.toml")
    assert report["ollama"]["answering"] and report["ollama"]["pulled"] == ["qwen2.5-coder:7b"]
    catalog = report["catalog"]
    assert catalog["as_of"] and catalog["origin"] == "bundled snapshot" and catalog["file"].endswith("catalog.json")
    assert catalog["models"] >= 40 and "aider-polyglot" in catalog["sources"]
    assert report["ledger"]["path"].endswith("usage.sqlite3") and report["ledger"]["exists"] is False
    down = json.loads(run_cli(["doctor", "--json"], tmp_path).stdout)
    assert not down["ollama"]["answering"]
    assert any(n["what"] == "ollama" and "OLLAMA_HOST" in n["fix"] for n in down["notes"])


def test_nothing_reachable_and_a_missing_model_file_are_problems_with_fixes(tmp_path):
    missing = tmp_path / "nope.gguf"
    done = run_cli(["doctor"], tmp_path, config=f'[embedded]\nmodel_path = "{missing}"\n')
    assert done.returncode == 1
    assert f"{missing}: no such file" in done.stdout and "fix:" in done.stdout
    assert "no provider can serve a request" in done.stdout


def test_a_folders_vscode_settings_are_applied_through_the_schema(tmp_path):
    folder = tmp_path / "w"
    (folder / ".vscode").mkdir(parents=True)
    (folder / ".vscode" / "settings.json").write_text(
        '{\n  // VS Code allows comments\n  "editor.tabSize": 2,\n  "codefloor.minCodingScore": 70,\n'
        '  "codefloor.completion.debounceMs": 300,\n  "codefloor.policy": "fastest",\n'
        '  "codefloor.openaiBaseUrl": "http://elsewhere.example/v1", /* refused */\n}\n', encoding="utf-8")
    config = '[embedded]\nenabled = false\n[defaults]\npolicy = "balanced"\nminCodingScore = 40\n'
    done = run_cli(["doctor", "--json", str(folder)], tmp_path, config=config, extra_env={"OPENAI_API_KEY": ENV_SECRET})
    report = json.loads(done.stdout)
    effective, source = report["folder"]["in_effect"], report["folder"]["source"]
    assert effective["minCodingScore"] == 70 and source["minCodingScore"] == ".vscode/settings.json"
    assert effective["policy"] == "balanced" and source["policy"] == "user config [defaults]"  # the bad value was refused
    assert effective["completion"]["debounceMs"] == 300 and source["localOnly"] == "default"
    problems = " ".join(p["problem"] for p in report["problems"])
    assert "'policy' = 'fastest'" in problems and "cannot set endpoints" in problems
    assert "elsewhere.example" not in done.stdout  # a refused endpoint is not echoed
    assert report["folder"]["routes_to"]["model"] and report["folder"]["routes_to"]["coding_score"] >= 70
    assert done.returncode == 1
    text = run_cli(["doctor", str(folder)], tmp_path, config=config, extra_env={"OPENAI_API_KEY": ENV_SECRET}).stdout
    assert "minCodingScore = 70  (.vscode/settings.json)" in text and "serves" in text


def test_a_folder_without_settings_gets_the_defaults(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    report = json.loads(run_cli(["doctor", "--json", str(folder)], tmp_path, extra_env={"OPENAI_API_KEY": ENV_SECRET}).stdout)
    assert report["folder"]["settings_file"] is None and report["folder"]["in_effect"]["minCodingScore"] == 50
