"""What the completion spend figures cost to read from a busy ledger (codefloor/completion_spend.py).

    python benchmarks/ledger/completion_spend.py [--hours-a-day 8] [--per-hour 1200] [--reads 200]

Fills a ledger with a busy week of one folder's completions (--per-hour completion attempts for
--hours-a-day hours on each of 7 days; default: one every 3 s, 8 h a day = 67,200 rows), plus as
many action rows in another folder, then times:

- rolling_hour(): read before every completion of a folder with completion.maxCostPerHourUsd,
  on the server's event loop (the current hour holds --per-hour rows);
- hour_of_use(): the cost per hour of use over the week, read in full in a thread at most every
  10 minutes per folder;
- HourOfUse.extended(): that figure brought up to date after a completion, on the loop (the rows
  newer than the last one it counted: here one);
- the baseline, in the same process: one committed ledger INSERT (what every attempt costs already).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from codefloor.completion_spend import TASK, hour_of_use, rolling_hour
from codefloor.ledger import Ledger
from codefloor.results import Attempt

ATTEMPT = Attempt("gpt-5-nano", "openai:gpt-5-nano", "openai", "ok", 700, 40, 0.00005, 180.0)
FOLDER = "file:///work/busy"


def timed(n: int, call) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours-a-day", type=int, default=8)
    parser.add_argument("--per-hour", type=int, default=1200)
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    now = dt.datetime.now(dt.UTC)
    step = dt.timedelta(seconds=3600 / args.per_hour)
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(Path(folder) / "usage.sqlite3")
        ledger._db.execute("BEGIN")  # one transaction for the fill, not one fsync per row
        rows = 0
        for day in range(7):
            start = now - dt.timedelta(days=day, hours=args.hours_a_day)
            for i in range(args.hours_a_day * args.per_hour):
                at = start + i * step
                ledger.record(ATTEMPT, folder=FOLDER, task="completion", at=at)
                ledger.record(ATTEMPT, folder="file:///work/other", task="action", at=at)
                rows += 2
        ledger._db.execute("COMMIT")
        hourly = timed(args.reads, lambda: rolling_hour(ledger, FOLDER, 1.0, now))
        weekly = timed(max(args.reads // 20, 5), lambda: hour_of_use(ledger, FOLDER, now))
        writes = timed(args.reads, lambda: ledger.record(ATTEMPT, folder=FOLDER, task="action"))
        hour, use = rolling_hour(ledger, FOLDER, 1.0, now), hour_of_use(ledger, FOLDER, now)
        ledger.record(ATTEMPT, folder=FOLDER, task="completion", at=now + step)
        extend = timed(args.reads, lambda: use.extended(ledger.task_rows(TASK, FOLDER, use.newest or use.since)))
        brought, full = use.extended(ledger.task_rows(TASK, FOLDER, use.newest)), hour_of_use(ledger, FOLDER, now)
        assert brought.attempts == full.attempts and abs(brought.use_s - full.use_s) < 0.01, (brought, full)
        ledger.close()
    hour_ms, week_ms, extend_ms, write_ms = (statistics.median(s) * 1e3 for s in (hourly, weekly, extend, writes))
    print(f"ledger: {rows} rows, {use.attempts} completion attempts of {FOLDER} in the week, {hour.attempts} in the last hour")
    print(f"rolling_hour() (every completion, on the loop): median {hour_ms:.3f} ms over {len(hourly)} reads")
    print(f"hour_of_use()  (a week, in a thread, <= 1/10 min): median {week_ms:.1f} ms over {len(weekly)} reads -> {use.describe()}")
    print(f"extended()     (after a completion, on the loop): median {extend_ms:.3f} ms over {len(extend)} reads")
    print(f"baseline ledger write (committed INSERT):       median {write_ms:.3f} ms")
    print(f"ratios to one write: rolling_hour {hour_ms / write_ms:.1f}x, hour_of_use {week_ms / write_ms:.0f}x, "
          f"extended {extend_ms / write_ms:.1f}x")


if __name__ == "__main__":
    main()
