"""The embedded-score harness must tell right from wrong code, or its number means nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[2] / "benchmarks" / "embedded_score"
sys.path.insert(0, str(HARNESS))

from humaneval import load_problems, passes, program_from_answer  # noqa: E402

PROBLEMS = load_problems()
ADD = next(p for p in PROBLEMS if p.entry_point == "has_close_elements")


def test_the_subset_is_the_first_forty_humaneval_problems():
    assert [p.task_id for p in PROBLEMS] == [f"HumanEval/{i}" for i in range(40)]


@pytest.mark.parametrize("problem", PROBLEMS[:5], ids=lambda p: p.task_id)
def test_reference_solutions_pass(problem):
    assert passes(problem, problem.prompt + problem.canonical_solution)


def test_a_wrong_function_fails_and_a_hanging_one_times_out():
    assert not passes(ADD, program_from_answer(ADD, "```python\ndef has_close_elements(numbers, threshold):\n    return False\n```"))
    hanging = "```python\ndef has_close_elements(numbers, threshold):\n    while True:\n        pass\n```"
    assert not passes(ADD, program_from_answer(ADD, hanging), timeout_s=1.0)


def test_a_whole_function_in_a_fence_with_chatter_is_extracted():
    answer = (
        "Here you go:\n```python\ndef has_close_elements(numbers, threshold):\n"
        "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n```\n"
        "This compares every pair."
    )
    assert passes(ADD, program_from_answer(ADD, answer))


def test_a_body_only_answer_continues_the_prompt():
    body = "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n"
    assert passes(ADD, program_from_answer(ADD, body))


def test_generated_code_cannot_see_the_benchmark_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-should-not-leak-0000")
    correct = "any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])"
    # Right answers only when the key is visible: passing would mean the sandbox leaks the environment.
    snoop = f"```python\nimport os\ndef has_close_elements(numbers, threshold):\n    return 'OPENAI_API_KEY' in os.environ and {correct}\n```"
    assert not passes(ADD, program_from_answer(ADD, snoop))
    assert passes(ADD, program_from_answer(ADD, snoop.replace("'OPENAI_API_KEY' in os.environ", "True")))


def test_the_canonical_run_prints_a_perfect_score():
    done = subprocess.run([sys.executable, str(HARNESS / "run.py"), "--canonical", "--limit", "3"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "3/3 HumanEval problems pass -> coding score 100.0" in done.stdout
