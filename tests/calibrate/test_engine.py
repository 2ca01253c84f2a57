"""A calibration through codefloor's real router against a loopback fake provider (OpenAI wire):
answering with the reference solutions scores 100, with the stubs 0; garbage or a hang costs only
those exercises; results resume; the score reaches the catalog (models / route / server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from codefloor.calibrate import engine
from codefloor.calibrate.runners import RUNNERS
from tests.fakes.behaviour import hang, ok

MODEL = "gpt-4o-mini"  # a bundled card with an OpenAI route
IN_CI = os.environ.get("CI") == "true"


def _answer(exercise, files: dict[str, str]) -> str:
    return "".join(f"{path}\n```\n{content}\n```\n\n" for path, content in files.items())


def _reference_answer(exercise) -> str:
    return _answer(exercise, {p: exercise.reference.get(p, exercise.solution[p]) for p in exercise.solution})


@pytest.fixture
def env(tmp_path, fake_provider, monkeypatch):
    if RUNNERS["python"].problem():
        pytest.fail("python must run everywhere the tests run") if IN_CI else pytest.skip("no pytest")
    fake = fake_provider("openai", text="no code here")
    config = tmp_path / "config.toml"
    config.write_text("[embedded]\nenabled = false\n[providers.openai]\ntimeout_s = 1.5\n"
                      "[routing]\ncooldown_s = 0.2\nmax_cooldown_s = 0.5\n", encoding="utf-8")
    values = {
        "OPENAI_API_KEY": "sk-test-calibrate-0000000000", "CODEFLOOR_OPENAI_BASE_URL": fake.url + "/v1",
        "CODEFLOOR_CONFIG": str(config), "CODEFLOOR_DATA_DIR": str(tmp_path / "data"),
        "OLLAMA_HOST": "127.0.0.1:9",
    }
    for key in ("ANTHROPIC_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY", "DEEPSEEK_API_KEY", "MISTRAL_API_KEY",
                "XAI_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return dict(os.environ), fake


async def _calibrate(env, limit=3, budget=None):
    target = engine.pinned_target(MODEL, max_tokens=2048, env=env)
    store = engine.results_dir(MODEL, target.setting_key, env)
    the_plan = engine.plan(MODEL, target.card, ("python",), limit, store, target.max_tokens)
    try:
        progress, stopped = await engine.run_plan(the_plan, engine.router_ask(target, target.max_tokens), store,
                                                  jobs=1, budget_usd=budget)
    finally:
        await target.router.aclose()
    return target, the_plan, store, progress, stopped


def _plan_exercises(env, limit=3):
    target = engine.pinned_target(MODEL, max_tokens=2048, env=env)
    store = engine.results_dir(MODEL, target.setting_key, env)
    return engine.plan(MODEL, target.card, ("python",), limit, store, target.max_tokens).exercises


async def test_reference_answers_score_100_through_the_router(env):
    env, fake = env
    exercises = _plan_exercises(env)
    fake.script(*(ok(_reference_answer(e)) for e in exercises))
    target, the_plan, store, progress, stopped = await _calibrate(env)
    record = engine.summary(target, the_plan, store)
    assert (record["score"], record["passed"], record["attempted"]) == (100.0, 3, 3)
    assert record["languages"] == {"python": {"passed": 3, "attempted": 3}}
    assert record["subset"] is True and record["first_try_passed"] == 3
    assert len(fake.requests) == 3  # no second try when the first passes
    wire_name = target.card.route_for("openai").model_name
    assert all(r.body["model"] == wire_name for r in fake.requests)  # pinned: no other model asked
    prompt = json.dumps(fake.requests[0].body["messages"])
    assert exercises[0].solution and next(iter(exercises[0].solution)) in prompt


async def test_stub_answers_score_0_after_two_tries_each_with_the_test_output(env):
    env, fake = env
    exercises = _plan_exercises(env)
    fake.script(*(ok(_answer(e, e.solution)) for e in exercises for _ in range(2)))
    target, the_plan, store, progress, stopped = await _calibrate(env)
    record = engine.summary(target, the_plan, store)
    assert (record["score"], record["passed"], record["attempted"]) == (0.0, 0, 3)
    assert len(fake.requests) == 6
    retry = fake.requests[1].body["messages"]
    assert [m["role"] for m in retry] == ["system", "user", "assistant", "user"]
    assert "failed" in retry[-1]["content"] and ("Error" in retry[-1]["content"] or "error" in retry[-1]["content"])


async def test_garbage_and_a_hang_cost_only_those_exercises(env):
    env, fake = env
    first, second, third, fourth = _plan_exercises(env, limit=4)
    fake.script(ok(_reference_answer(first)),
                ok("I cannot help with that."), ok("```\nthis is not python(\n```"),  # garbage, twice
                hang(10),  # the provider times out (1.5 s): the exercise fails, the route cools down briefly
                ok(_reference_answer(fourth)))
    target, the_plan, store, progress, stopped = await _calibrate(env, limit=4)
    results = {json.loads(p.read_text())["exercise"]: json.loads(p.read_text()) for p in store.glob("*.json")}
    assert results[first.key]["passed"] and results[fourth.key]["passed"]
    assert not results[second.key]["passed"] and results[second.key]["well_formed"] == [False, True]
    assert not results[third.key]["passed"] and results[third.key]["tries"] == 0
    assert results[third.key]["error"].startswith("AllRoutesFailed")
    record = engine.summary(target, the_plan, store)
    assert (record["passed"], record["attempted"], record["score"]) == (2, 4, 50.0)


async def test_a_second_run_resumes_and_asks_nothing_again(env):
    env, fake = env
    exercises = _plan_exercises(env, limit=2)
    fake.script(*(ok(_reference_answer(e)) for e in exercises))
    await _calibrate(env, limit=2)
    assert _plan_exercises(env, limit=2) == []
    asked = len(fake.requests)
    await _calibrate(env, limit=2)
    assert len(fake.requests) == asked


async def test_the_budget_stops_before_spending_more(env):
    env, fake = env
    target, the_plan, store, progress, stopped = await _calibrate(env, budget=0.0)
    assert stopped and progress.done == 0 and fake.requests == []


def test_cli_json_prints_exactly_the_issue_object_and_the_score_is_routed_on(env, tmp_path):
    env, fake = env
    exercises = _plan_exercises(env, limit=2)
    fake.script(ok(_reference_answer(exercises[0])), ok("nothing"), ok("still nothing"))
    command = [sys.executable, "-m", "codefloor", "calibrate", MODEL, "--languages", "python", "--limit", "2",
               "--jobs", "1", "--yes", "--json"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert list(result) == ["model", "score", "passed", "attempted", "languages", "cost_usd", "skipped_languages"]
    assert (result["model"], result["score"], result["passed"], result["attempted"]) == (MODEL, 50.0, 1, 2)
    assert result["languages"] == {"python": {"passed": 1, "attempted": 2}}
    assert "estimated cost $" in done.stderr and "[2/2]" in done.stderr and "passed so far" in done.stderr
    assert "sk-test-calibrate" not in done.stdout + done.stderr
    models = subprocess.run([sys.executable, "-m", "codefloor", "models", "--json"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert models.returncode == 0, models.stderr
    card = next(m for m in json.loads(models.stdout) if m["id"] == MODEL)
    assert card["coding_score"] == 50.0 and card["score_source"] == "measured-locally"
    from codefloor.catalog.load import load_catalog

    measured = load_catalog().get(MODEL)  # the same environment (monkeypatched): the hook in load_catalog
    assert measured.score_source == "measured-locally" and measured.coding_score == 50.0
    assert "SUBSET: 2 of 225" in measured.score_setting and "95% interval" in measured.score_setting


def test_cli_refuses_without_yes_when_nobody_can_confirm(env):
    env, fake = env
    done = subprocess.run([sys.executable, "-m", "codefloor", "calibrate", MODEL, "--languages", "python", "--limit",
                           "1"], env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and "pass --yes" in done.stderr and fake.requests == []


def test_cli_names_an_unknown_model_and_how_to_add_it(env):
    env, _ = env
    done = subprocess.run([sys.executable, "-m", "codefloor", "calibrate", "no-such-model-xyz", "--yes"], env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and "not in the catalog" in done.stderr and "[[models]]" in done.stderr
