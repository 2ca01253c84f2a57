"""`codefloor calibrate MODEL_ID`: measure a model on the Aider polyglot exercises, on the scale of
Aider's pass_rate_2, and make the result that model's coding score (docs/routing.md, "Measuring a
model"). stdout carries only the result (a table line, or with --json exactly one JSON object);
the plan, progress and notes go to stderr. Exit status: 0 measured (or nothing left to do),
1 refused / nothing could run, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from codefloor.cli.common import fail, positive_int_arg, token_count_arg, usd_arg

DEFAULT_MAX_TOKENS = 4096


def _languages(text: str) -> tuple[str, ...]:
    from codefloor.calibrate.exercises import LANGUAGES

    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [lang for lang in chosen if lang not in LANGUAGES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown language {unknown[0] if unknown else '(none)'}; "
                                         f"choose from {','.join(LANGUAGES)}")
    return chosen


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "calibrate",
        help="measure a model on the Aider polyglot exercises; the result becomes its coding score",
        description="Run the 225 Aider polyglot exercises (or a subset) through codefloor's router against "
        "exactly MODEL_ID, test every answer offline in a sandbox, and store the pass rate (after one retry, "
        "like Aider's pass_rate_2) as that model's coding score (source measured-locally).",
    )
    parser.add_argument("model_id", nargs="?", help="catalog id of the model (see `codefloor models --all`)")
    parser.add_argument("--languages", type=_languages, default=None, metavar="L1,L2",
                        help="only these (cpp,go,java,javascript,python,rust; default: all this machine runs)")
    parser.add_argument("--limit", type=positive_int_arg, default=None, metavar="N",
                        help="at most N exercises, sampled across the languages (a subset score says so)")
    parser.add_argument("--jobs", type=positive_int_arg, default=2, metavar="J", help="exercises at a time (default 2)")
    parser.add_argument("--budget-usd", type=usd_arg, default=None, metavar="X", help="stop before spending more than X")
    parser.add_argument("--max-tokens", type=token_count_arg, default=None, metavar="N",
                        help=f"longest answer per try (default {DEFAULT_MAX_TOKENS}, at most the model's limit)")
    parser.add_argument("--yes", action="store_true", help="start without asking")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.add_argument("--setup", action="store_true",
                        help="install what the test runners need once (jest for JavaScript, from npm) and exit")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from codefloor.calibrate import engine
    from codefloor.calibrate.runners import availability, setup_javascript
    from codefloor.calibrate.sandbox import isolation

    if args.setup:
        try:
            print(setup_javascript(), file=sys.stderr)
        except RuntimeError as exc:
            return fail(str(exc))
        _print_languages(availability())
        return 0
    if not args.model_id:
        return fail("give the MODEL_ID to measure (see `codefloor models --all`), or --setup")
    try:
        target = engine.pinned_target(args.model_id, max_tokens=args.max_tokens or DEFAULT_MAX_TOKENS)
    except engine.CalibrateError as exc:
        return _refuse(args, str(exc))
    max_tokens = target.max_tokens
    store = engine.results_dir(target.model_id, target.setting_key)
    the_plan = engine.plan(target.model_id, target.card, args.languages, args.limit, store, max_tokens)
    from codefloor.calibrate.exercises import LANGUAGES

    asked = args.languages or LANGUAGES
    runs = [lang for lang in asked if lang not in the_plan.skipped_languages]
    print(f"codefloor: languages this machine runs: {', '.join(runs) or 'none'}", file=sys.stderr)
    for lang, why in the_plan.skipped_languages.items():
        print(f"codefloor: {lang} is not measured on this machine: {why}", file=sys.stderr)
    for key, why in the_plan.skipped_exercises.items():
        print(f"codefloor: {key} is left out: {why}", file=sys.stderr)
    for what, how in isolation().items():
        if "NOT" in how:
            print(f"codefloor: sandbox {what}: {how}", file=sys.stderr)
    if not the_plan.exercises and not the_plan.done:
        return _refuse(args, "no exercise can run on this machine for the languages asked (see the notes above)")
    print(f"codefloor: {target.model_id} ({target.setting}): {len(the_plan.exercises)} exercise(s) to run, "
          f"{len(the_plan.done)} already done (resumed from {store})", file=sys.stderr)
    print(f"codefloor: estimated cost ${the_plan.estimated_cost_usd:.4f} and time {_duration(the_plan.estimated_seconds / args.jobs)}"
          f" ({the_plan.price_note})", file=sys.stderr)
    if args.budget_usd is not None:
        print(f"codefloor: budget ${args.budget_usd:g}: stops before starting an exercise that could exceed it",
              file=sys.stderr)
    if the_plan.exercises and not args.yes:
        refused = _confirm()
        if refused:
            target_close(target)
            return _refuse(args, refused)
    try:
        progress, stopped = asyncio.run(_run(target, the_plan, store, args, max_tokens))
    except KeyboardInterrupt:
        print(f"\ncodefloor: interrupted; results so far are kept in {store}: run the same command to resume",
              file=sys.stderr)
        return 130
    record = engine.summary(target, the_plan, store)
    where = engine.record_score(record)
    if stopped:
        print(f"codefloor: stopped at the budget (${progress.spent_usd:.4f} spent); the score covers what was done; "
              "run again with a larger --budget-usd to go on", file=sys.stderr)
    if where:
        low, high = record["interval95"]
        print(f"codefloor: {target.model_id} now routes on coding score {record['score']:g} (measured-locally, "
              f"{record['date']}, {record['passed']}/{record['attempted']} exercises"
              f"{', a SUBSET of 225' if record['subset'] else ''}; 95% interval {low:g}-{high:g}); saved in {where}",
              file=sys.stderr)
    if args.json:
        keys = ("model", "score", "passed", "attempted", "languages", "cost_usd", "skipped_languages")
        print(json.dumps({k: record[k] for k in keys}))
    else:
        languages = ", ".join(f"{k} {v['passed']}/{v['attempted']}" for k, v in record["languages"].items())
        print(f"{record['model']}\t{record['score']:g}\t{record['passed']}/{record['attempted']}\t{languages}\t"
              f"${record['cost_usd']:.4f}")
    return 0 if record["attempted"] else 1


async def _run(target, the_plan, store, args, max_tokens):
    from codefloor.calibrate import engine

    ask = engine.router_ask(target, max_tokens)

    def report(progress, outcome) -> None:
        remaining = progress.total - progress.done
        status = "passed" if outcome.passed else ("failed: " + outcome.error if outcome.error else "failed")
        rate = 100.0 * progress.passed / max(1, progress.done)
        print(f"codefloor: [{progress.done}/{progress.total}] {outcome.exercise} {status[:160]} | passed so far "
              f"{progress.passed} ({rate:.1f}%) | spent ${progress.spent_usd:.4f} | about "
              f"{_duration(progress.left_s(remaining))} left", file=sys.stderr, flush=True)

    try:
        return await engine.run_plan(the_plan, ask, store, jobs=args.jobs, budget_usd=args.budget_usd,
                                     on_progress=report)
    finally:
        await target.router.aclose()


def target_close(target) -> None:
    try:
        asyncio.run(target.router.aclose())
    except Exception:  # noqa: BLE001 -- closing idle clients; nothing to report
        pass


def _confirm() -> str | None:
    """None when the user says yes; else why not."""
    if not sys.stdin or not sys.stdin.isatty():
        return "not started: stdin is not a terminal, so nobody can confirm the cost above; pass --yes to start"
    try:
        answer = input("Start? [y/N] ").strip().lower()
    except EOFError:
        answer = ""
    return None if answer in ("y", "yes") else "not started (answer 'y' to start, or pass --yes)"


def _print_languages(problems: dict[str, str | None]) -> None:
    for lang, why in problems.items():
        print(f"codefloor: {lang}: {'runs here' if why is None else 'cannot run here: ' + why}", file=sys.stderr)


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _refuse(args: argparse.Namespace, message: str) -> int:
    if args.json:
        print(json.dumps({"error": "not_calibrated", "message": message}))
    return fail(message)
