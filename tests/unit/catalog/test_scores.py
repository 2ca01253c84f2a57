"""Run selection (settings, pinning) and the fit that maps other benchmarks onto the Aider scale."""

from __future__ import annotations

import math

import pytest

from codefloor.catalog.names import model_key
from codefloor.catalog.scores import MIN_FIT_POINTS, Fit, best_runs, choose_run, fit_onto_aider, linear_fit
from codefloor.catalog.sources import Run, aider_model, aider_setting


def run(model: str, date: str, value: float, setting: str = "default", benchmark: str = "aider-polyglot") -> Run:
    return Run(benchmark, model, model_key(model), model, date, value, setting)


def test_moving_alias_is_pinned_to_the_newest_run():
    runs = [run("deepseek/deepseek-chat", "2024-12-25", 48.4), run("deepseek/deepseek-chat", "2025-10-03", 70.2),
            run("deepseek/deepseek-chat", "2025-03-24", 55.1)]
    assert best_runs(runs)["deepseek-chat"].value == 70.2


def test_the_default_setting_wins_over_a_stronger_non_default_one():
    runs = [run("o3", "2025-06-25", 81.3, "reasoning_effort=high"), run("o3", "2025-06-25", 76.9)]
    assert choose_run(runs).value == 76.9
    gpt5 = [run("openai/gpt-5", "2025-08-23", 88.0, "reasoning_effort=high"),
            run("openai/gpt-5", "2025-08-25", 86.7, "reasoning_effort=medium"),
            run("openai/gpt-5", "2025-08-25", 81.3, "reasoning_effort=low")]
    assert choose_run(gpt5).setting == "reasoning_effort=medium"  # OpenAI's default effort
    claude = [run("claude-sonnet-4-20250514", "2025-05-24", 61.3, "thinking_tokens=32000"),
              run("claude-sonnet-4-20250514", "2025-05-24", 56.4, "thinking=off")]
    assert choose_run(claude).value == 56.4  # Anthropic's default: no extended thinking


def test_only_run_keeps_its_setting_and_ties_take_the_lower_score():
    assert choose_run([run("o4-mini", "2025-04-16", 72.0, "reasoning_effort=high")]).setting == "reasoning_effort=high"
    tie = [run("x", "2025-01-01", 50.0), run("x", "2025-01-01", 40.0)]
    assert choose_run(tie).value == 40.0  # never overstate


def test_dated_snapshots_share_a_card_and_the_newest_wins():
    runs = [run("gpt-4o-2024-08-06", "2024-12-30", 23.1), run("gpt-4o-2024-11-20", "2024-12-31", 18.2)]
    assert best_runs(runs)["gpt-4o"].key == "gpt-4o-20241120"


@pytest.mark.parametrize(
    ("entry", "command", "expected"),
    [
        ({"model": "o3 (high)", "reasoning_effort": "high"}, "aider --model o3", "reasoning_effort=high"),
        ({"model": "o3-mini (high)"}, "aider --model o3-mini --reasoning-effort high", "reasoning_effort=high"),
        ({"model": "claude (32k thinking)"}, "aider --model x --thinking-tokens 32k", "thinking_tokens=32768"),
        ({"model": "gemini flash (no think)", "thinking_tokens": 0}, "aider --model x", "thinking=off"),
        ({"model": "o4-mini (high)"}, "aider --model o4-mini", "reasoning_effort=high"),
        ({"model": "claude-sonnet-4 (no thinking)"}, "aider --model x", "thinking=off"),
        ({"model": "gpt-4.1"}, "aider --model gpt-4.1", "default"),
    ],
)
def test_aider_setting_is_read_from_fields_command_and_name(entry, command, expected):
    assert aider_setting(entry, command.split()) == expected


def test_architect_pairs_and_unattributable_runs_are_skipped():
    assert aider_model({"command": "aider --architect --model r1 --editor-model sonnet", "date": "2025-01-23"}) is None
    assert aider_model({"command": "aider --model o3", "edit_format": "architect", "editor_model": "gpt-4.1",
                        "date": "2025-06-27"}) is None
    assert aider_model({"command": "(via glhf.chat)", "date": "2024-10-05"}) is None
    model, _ = aider_model({"command": "aider --model openai/Qwen/Qwen2.5-Coder-32B-Instruct # via hyperbolic",
                            "date": "2024-12-22"})
    assert model == "openai/Qwen/Qwen2.5-Coder-32B-Instruct"


def test_linear_fit_recovers_an_exact_line():
    slope, intercept, r = linear_fit([(x, 1.5 * x - 4) for x in (10, 20, 35, 50, 70)])
    assert (round(slope, 9), round(intercept, 9), round(r, 9)) == (1.5, -4.0, 1.0)


def test_linear_fit_matches_the_textbook_formulas():
    points = [(1.0, 2.0), (2.0, 3.0), (3.0, 5.0), (4.0, 4.0)]
    # By hand: mean x 2.5, mean y 3.5, Sxx 5, Sxy 4, Syy 5 -> slope 0.8, intercept 1.5, r 0.8
    slope, intercept, r = linear_fit(points)
    assert math.isclose(slope, 0.8) and math.isclose(intercept, 1.5) and math.isclose(r, 0.8)


def test_linear_fit_refuses_degenerate_input():
    with pytest.raises(ValueError):
        linear_fit([(1.0, 2.0)])
    with pytest.raises(ValueError):
        linear_fit([(1.0, 2.0), (1.0, 3.0)])


def test_fit_pairs_models_measured_on_both_and_skips_moving_aliases():
    aider = {f"m{i}": run(f"m{i}", "2025-01-01", 2 * v) for i, v in enumerate((10, 20, 30, 40, 50))}
    other = {f"m{i}": run(f"m{i}", "2025-02-01", v, benchmark="swe") for i, v in enumerate((10, 20, 30, 40, 50))}
    aider["deepseek-chat"] = run("deepseek-chat", "2025-10-03", 70.0)
    other["deepseek-chat"] = run("deepseek-chat", "2025-02-01", 10.0, benchmark="swe")  # another version
    fit = fit_onto_aider("swe", aider, other)
    assert fit is not None and fit.n == 5 and "deepseek-chat" not in fit.models
    assert math.isclose(fit.slope, 2.0) and math.isclose(fit.intercept, 0.0, abs_tol=1e-9) and fit.usable


def test_fit_skips_pairs_with_conflicting_date_stamps():
    aider = {"gpt-4o": run("gpt-4o-2024-11-20", "2024-12-30", 18.2)}
    other = {"gpt-4o": run("gpt-4o-2024-08-06", "2025-07-20", 21.6, benchmark="swe")}
    assert fit_onto_aider("swe", aider, other) is None


def test_weak_or_small_fits_map_nothing_and_mapped_scores_are_clamped():
    weak = Fit("edit", 0.4, 0.0, 10, 0.4, ())
    small = Fit("evalplus", 5.0, -400.0, MIN_FIT_POINTS - 1, 0.99, ())
    assert not weak.usable and not small.usable
    pairs = (("a", 10.0, 5.0), ("b", 80.0, 95.0))
    good = Fit("swe", 1.1, 5.0, 13, 0.9, pairs)
    # kept within the Aider scores the fit was made on (5-95), and flagged when the line leaves them
    assert good.map(50.0) == 60.0 and good.map(99.0) == 95.0 and Fit("x", 1.0, -20.0, 9, 0.9, pairs).map(5.0) == 5.0
    assert good.extrapolated(99.0) and good.extrapolated(5.0) and not good.extrapolated(50.0)
