"""Aider's polyglot protocol ("whole" edit format), so a result lands on the pass_rate_2 scale.

Per exercise: the model reads the instructions and the stub solution files and answers with whole
files (the file name alone on a line, then a fenced block with the complete content). The tests
run; on failure the model gets ONE more try that shows the first lines of the test output. The
exercise passes if the tests pass after at most two tries. Test files are never taken from the model.

`attempt_exercise` takes the model as a plain async function (messages -> Reply), so the same code
runs through the router (calibrate/engine.py) and in tests.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Awaitable, Callable

from codefloor.actions.lines import split_lines
from codefloor.calibrate import sandbox
from codefloor.calibrate.exercises import Exercise, write_exercise
from codefloor.calibrate.runners import RUNNERS, base_env

TRIES = 2
FEEDBACK_LINES = 50  # Aider's harness shows the model the first 50 lines of the test output
FEEDBACK_CHARS = 6000  # and we also cap their length, for models with a small context window
FENCE_LANG = {"python": "python", "javascript": "javascript", "go": "go", "rust": "rust", "cpp": "cpp", "java": "java"}

SYSTEM_PROMPT = (
    "Act as an expert software developer. Take requests for changes to the supplied code and make them.\n"
    "Return every file you change in full, in exactly this format:\n\n"
    "path/of/the/file.ext\n```\nthe complete new content of the file\n```\n\n"
    "The file name goes alone on the line before the opening fence. Never skip or abbreviate any part "
    "of a file: write all of it, including the parts you keep. Only change the files you were given."
)


@dataclass(frozen=True)
class Reply:
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


Ask = Callable[[list[tuple[str, str]]], Awaitable[Reply]]  # [(role, content)] -> Reply; raises on failure


@dataclass
class Outcome:
    exercise: str  # "language/name"
    passed: bool
    tries: int  # model answers used (0 when the model never answered)
    tests_passed_on: int | None  # 1 or 2, None = failed
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    error: str | None = None  # why the model gave no usable answer, if so
    test_output: str = ""  # the last test output, truncated
    well_formed: list[bool] = field(default_factory=list)  # per answer: did it contain a file we asked for

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


def first_prompt(exercise: Exercise) -> str:
    files = ", ".join(exercise.solution)
    parts = [
        exercise.instructions.strip(),
        "####",
        f"Use the above instructions to modify the supplied files: {files}\n"
        "Keep the names of existing functions, classes and types: the tests use them. "
        "Use only the language's standard library; do not add packages or dependencies.",
    ]
    fence = FENCE_LANG.get(exercise.language, "")
    for path, content in exercise.solution.items():
        parts.append(f"{path}\n```{fence}\n{content.rstrip()}\n```")
    return "\n\n".join(parts) + "\n"


def retry_prompt(exercise: Exercise, test_output: str) -> str:
    lines = split_lines(test_output)[:FEEDBACK_LINES]
    shown = "\n".join(lines)[:FEEDBACK_CHARS]
    return (f"{shown}\n####\n\nThe tests above failed. The tests are correct: do not change them. "
            f"Fix the code in {', '.join(exercise.solution)} so that they pass, and answer with the whole files again.")


_NAME_DECORATION = re.compile(r"^[\s#*`>:]+|[\s*`:]+$")


def parse_files(answer: str, exercise: Exercise) -> dict[str, str]:
    """The solution files in a whole-file answer: a fenced block counts for the file named on the
    line before it (exact path, else the same base name); with one solution file, an unnamed block
    or one whose name we do not know is that file. Other files, and test files, are ignored."""
    lines = split_lines(answer)
    wanted = list(exercise.solution)
    by_base = {PurePosixPath(p).name: p for p in wanted}
    found: dict[str, str] = {}
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("```"):
            i += 1
            continue
        name = _NAME_DECORATION.sub("", lines[i - 1]) if i > 0 else ""
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith("```"):
            end += 1
        body = "\n".join(lines[i + 1:end]) + "\n"
        path = name if name in wanted else by_base.get(PurePosixPath(name).name) if name else None
        if path is None and len(wanted) == 1 and name not in exercise.tests and PurePosixPath(name).name not in {
                PurePosixPath(t).name for t in exercise.tests}:
            path = wanted[0]
        if path is not None and path not in exercise.tests:
            found[path] = body
        i = end + 1
    return found


def run_tests(exercise: Exercise, solution: dict[str, str], *, reference: bool = False) -> sandbox.RunResult:
    """The exercise's own tests on `solution` (path -> content over the stubs), in a fresh
    temporary directory, through the language's runner and the sandbox. Only the solution files
    are taken from `solution`, unless it is the .meta reference (which may add helper files)."""
    runner = RUNNERS[exercise.language]
    with tempfile.TemporaryDirectory(prefix=f"codefloor-{exercise.language}-") as tmp:
        workdir = Path(tmp) / exercise.name  # the C++ CMakeLists names the target after its directory
        workdir.mkdir()
        write_exercise(exercise, workdir, solution, only_solution_files=not reference)
        runner.prepare(exercise, workdir)
        env = base_env(workdir) | runner.env(workdir)
        result = sandbox.run(runner.command(workdir), workdir, runner.limits, env)
        output = result.output.replace(str(workdir) + "/", "").replace(str(workdir), exercise.name)
    return sandbox.RunResult(result.returncode, output, result.seconds)


async def attempt_exercise(exercise: Exercise, ask: Ask, tries: int = TRIES) -> Outcome:
    """Up to `tries` answers from the model, the tests after each; never raises for what the model
    or the tests do (a failed request fails the exercise and says why)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    outcome = Outcome(exercise.key, passed=False, tries=0, tests_passed_on=None)
    messages = [("system", SYSTEM_PROMPT), ("user", first_prompt(exercise))]
    solution: dict[str, str] = {}
    for attempt in range(1, tries + 1):
        try:
            reply = await ask(messages)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 -- any failure of the model costs this exercise only
            outcome.error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:500]
            break
        outcome.tries = attempt
        outcome.input_tokens += reply.input_tokens
        outcome.output_tokens += reply.output_tokens
        outcome.cost_usd += reply.cost_usd
        files = parse_files(reply.text, exercise)
        outcome.well_formed.append(bool(files))
        solution.update(files)
        result = await asyncio.to_thread(run_tests, exercise, solution)
        outcome.test_output = result.output[-4000:]
        if result.passed:
            outcome.passed, outcome.tests_passed_on = True, attempt
            break
        messages += [("assistant", reply.text), ("user", retry_prompt(exercise, result.output))]
    outcome.seconds = round(loop.time() - started, 2)
    return outcome
