"""HumanEval scoring pieces: the prompt, pulling code out of a chat answer, running the tests.

Generated code runs in a separate Python process with a timeout (and an empty environment and
temporary working directory), never in the benchmark's own process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROBLEMS_FILE = HERE / "humaneval_first40.jsonl"

SYSTEM_PROMPT = "You are a Python expert. Reply with one complete Python code block."
_FENCE = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)(?:```|\Z)", re.S)


@dataclass(frozen=True)
class Problem:
    task_id: str
    prompt: str
    entry_point: str
    canonical_solution: str
    test: str


def load_problems(path: Path = PROBLEMS_FILE) -> list[Problem]:
    with path.open(encoding="utf-8") as lines:
        return [Problem(**json.loads(line)) for line in lines if line.strip()]


def user_prompt(problem: Problem) -> str:
    return (
        "Complete this Python function. Return the whole function in a ```python block.\n\n"
        f"```python\n{problem.prompt}```"
    )


def program_from_answer(problem: Problem, answer: str) -> str:
    """The program to test: the answer's code block if it defines the function (after the
    prompt's imports and helpers), otherwise the block read as the body continuing the prompt."""
    match = _FENCE.search(answer)
    code = match.group(1) if match else answer
    if re.search(rf"^\s*def\s+{re.escape(problem.entry_point)}\s*\(", code, re.M):
        return f"{problem.prompt}\n    pass\n\n{code}"  # the answer's def replaces the prompt's stub
    return problem.prompt + code


def passes(problem: Problem, program: str, timeout_s: float = 10.0) -> bool:
    """Run the program plus HumanEval's check() in a fresh interpreter; pass = exit status 0."""
    source = f"{program}\n\n{problem.test}\n\ncheck({problem.entry_point})\n"
    with tempfile.TemporaryDirectory() as workdir:
        try:
            done = subprocess.run(
                [sys.executable, "-I", "-c", source],
                cwd=workdir,
                env={"PATH": os.defpath},
                capture_output=True,
                timeout=timeout_s,
            )
        except subprocess.TimeoutExpired:
            return False
    return done.returncode == 0
