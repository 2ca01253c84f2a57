"""Run every reliability scenario (tests/reliability/scenarios_*.py) and print one table.

    python benchmarks/reliability/run.py [--scale 1.0] [--markdown] [--only faults,load]

scale 1.0 is the full run (>= 1,000 fault-injected requests, 5 load waves of 200, 10 SIGKILLs,
...); .ci/run uses a bounded scale. Each row says what was tried, how many times, what was
observed and how much was lost (crashes + partial/stale edits applied + keys leaked +
wrong-floor results + records missing). Exits 1 if anything was lost. Run from anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
import time
import traceback
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.reliability.report import Row, render_markdown, render_text, total_lost  # noqa: E402


def scenario_modules(only: list[str]) -> list[str]:
    names = sorted(p.stem for p in (REPO_ROOT / "tests" / "reliability").glob("scenarios_*.py"))
    return [n for n in names if not only or any(word in n for word in only)]


def run_module(name: str, scale: float) -> tuple[list[Row], float]:
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"tests.reliability.{name}")
        rows = asyncio.run(module.scenarios(scale))
    except Exception as exc:  # a scenario that breaks is a finding, not a reason to stop the others
        traceback.print_exc()
        rows = [Row(name.removeprefix("scenarios_"), "scenario raised", 0, f"{type(exc).__name__}: {exc}", 1)]
    return rows, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the full run; CI uses less")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table (docs/reliability.md)")
    parser.add_argument("--only", default="", help="comma-separated parts of scenario module names")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be > 0")
    # pytest-lsp re-logs every window/logMessage the server sends; without a handler Python prints
    # the warnings (the failures the faults were injected to cause) before the table. The table
    # counts them; the log line adds nothing.
    logging.getLogger("pytest_lsp").addHandler(logging.NullHandler())
    rows: list[Row] = []
    started = time.perf_counter()
    for name in scenario_modules([w for w in args.only.split(",") if w]):
        module_rows, seconds = run_module(name, args.scale)
        print(f"{name}: {len(module_rows)} rows, {seconds:.1f} s", file=sys.stderr, flush=True)
        rows += module_rows
    print(render_markdown(rows) if args.markdown else render_text(rows))
    lost = total_lost(rows)
    print(f"\nscale {args.scale:g}: {len(rows)} rows, {sum(r.tried for r in rows)} tried, lost {lost}, "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
