"""Measure the embedded SmolLM2-135M on the Aider polyglot exercises with `codefloor calibrate`.

    python benchmarks/calibrate/run.py [--limit N] [--max-tokens 512] [--jobs 2] [--data-dir D]
    python benchmarks/calibrate/run.py --write-source        # put the result into measured_locally.json
    python benchmarks/calibrate/run.py --check [--languages python,go]   # harness check, no model

The calibration runs in a private data dir (default benchmarks/calibrate/.data, git-ignored), so
neither your own catalog nor the test suite sees it until --write-source puts the figure into
server/codefloor/catalog/sources/measured_locally.json (then rebuild the bundled catalog with
`codefloor catalog build --out server/codefloor/catalog/data/catalog.json`). It is resumable: run the same command again to go on.

--check runs every exercise's reference solution (must pass) and stub (must fail) through the
real runners and sandbox, and prints per-language counts: the harness proving itself on all 225.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL = "smollm2-135m-instruct"
SOURCE = ROOT / "server" / "codefloor" / "catalog" / "sources" / "measured_locally.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--languages", default=None)
    parser.add_argument("--max-tokens", type=int, default=512)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "benchmarks" / "calibrate" / ".data")
    parser.add_argument("--write-source", action="store_true", help="record the stored result in measured_locally.json")
    parser.add_argument("--check", action="store_true", help="references pass, stubs fail (no model)")
    args = parser.parse_args()
    if args.check:
        return check(args.languages.split(",") if args.languages else None, args.jobs)
    env = dict(os.environ, CODEFLOOR_DATA_DIR=str(args.data_dir))
    if args.write_source:
        return write_source(args.data_dir, args.max_tokens, args.jobs)
    command = [sys.executable, "-m", "codefloor", "calibrate", MODEL, "--yes", "--json", "--max-tokens",
               str(args.max_tokens), "--jobs", str(args.jobs)]
    if args.limit:
        command += ["--limit", str(args.limit)]
    if args.languages:
        command += ["--languages", args.languages]
    print("$ CODEFLOOR_DATA_DIR=" + str(args.data_dir) + " " + " ".join(command[1:]), file=sys.stderr)
    started = time.monotonic()
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        print(f"calibrate failed (exit {done.returncode})", file=sys.stderr)
        return done.returncode
    result = json.loads(done.stdout)
    print(json.dumps(result, indent=2))
    print(f"wall time of this invocation: {seconds / 60:.1f} min", file=sys.stderr)
    return 0


def _record(data_dir: Path) -> dict:
    document = json.loads((data_dir / "calibrations.json").read_text(encoding="utf-8"))
    return document["models"][MODEL]


def write_source(data_dir: Path, max_tokens: int, jobs: int) -> int:
    record = _record(data_dir)
    results = Path(record["results_dir"])
    seconds = sum(json.loads(p.read_text())["seconds"] for p in results.glob("*.json"))
    entries = [e for e in json.loads(SOURCE.read_text(encoding="utf-8")) if e["id"] != MODEL]
    entries.append({
        "id": MODEL,
        "score": record["score"],
        "raw": {
            "passed": record["passed"],
            "problems": record["attempted"],
            "attempted": record["attempted"],
            "exercises_total": record["exercises_total"],
            "subset": record["subset"],
            "languages": record["languages"],
            "skipped_languages": record["skipped_languages"],
            "skipped_exercises": sorted(record["skipped_exercises"]),
            "interval95": record["interval95"],
            "setting": record["setting"],
            "exercise_seconds_total": round(seconds),
        },
        "benchmark": "aider-polyglot",
        "date": record["date"],
        # The build shows this as the card's score_setting: say what the figure covers.
        "command": (f"python benchmarks/calibrate/run.py --max-tokens {max_tokens} --jobs {jobs} "
                    f"({'SUBSET: ' if record['subset'] else ''}{record['attempted']} of {record['exercises_total']} "
                    f"exercises, {record['passed']} passed, 95% interval {record['interval95'][0]:g}-"
                    f"{record['interval95'][1]:g})"),
    })
    SOURCE.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    print(f"{SOURCE}: {MODEL} = {record['score']} ({record['passed']}/{record['attempted']}, "
          f"{'subset' if record['subset'] else 'all 225'}); now run `codefloor catalog build --out server/codefloor/catalog/data/catalog.json`", file=sys.stderr)
    return 0


def check(languages: list[str] | None, jobs: int) -> int:
    from codefloor.calibrate.exercises import load_all
    from codefloor.calibrate.protocol import run_tests
    from codefloor.calibrate.runners import RUNNERS

    todo = [e for e in load_all() if languages is None or e.language in languages]
    counts: dict[str, dict[str, int]] = {}
    bad: list[str] = []

    def one(exercise):
        if RUNNERS[exercise.language].problem():
            return exercise, "language", None, None
        if RUNNERS[exercise.language].exercise_problem(exercise):
            return exercise, "exercise", None, None
        return exercise, "ran", run_tests(exercise, exercise.reference, reference=True), run_tests(exercise, {})

    started = time.monotonic()
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        for exercise, state, reference, stub in pool.map(one, todo):
            c = counts.setdefault(exercise.language, {"reference_passed": 0, "stub_failed": 0, "ran": 0, "left_out": 0})
            if state != "ran":
                c["left_out"] += 1
                continue
            c["ran"] += 1
            c["reference_passed"] += reference.passed
            c["stub_failed"] += not stub.passed
            if not reference.passed or stub.passed:
                bad.append(exercise.key)
                print(f"{exercise.key}: reference {reference.returncode}, stub {stub.returncode}\n"
                      f"{reference.output[-1500:]}", file=sys.stderr)
    print(json.dumps({"counts": counts, "wrong": bad, "minutes": round((time.monotonic() - started) / 60, 1),
                      "date": dt.date.today().isoformat()}, indent=2))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
