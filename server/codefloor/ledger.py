"""Usage and cost ledger: one SQLite row per routed attempt, plus the daily spend the budget reads.

Stored at <data dir>/usage.sqlite3 (CODEFLOOR_DATA_DIR overrides the platform user data dir).
WAL journal: each record() is its own committed transaction, so a process killed with SIGKILL
leaves every earlier row readable, and the language server and `codefloor ask` can write at the
same time. A row holds numbers and names only: never a key, never prompt or answer text.

Writes are synchronous: one small committed INSERT with synchronous=NORMAL costs well under a
millisecond on this machine (benchmarks/ledger/run.py prints the figure), cheaper than a thread hop.
Everything runs on the caller's one event loop (the language server's, or the CLI's): no lock.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from codefloor.config import data_dir
from codefloor.results import Attempt

FILE_NAME = "usage.sqlite3"
CostSource = Literal["reported", "catalog"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    at_utc TEXT NOT NULL,          -- ISO 8601, UTC
    day_utc TEXT NOT NULL,         -- YYYY-MM-DD, UTC: what the daily budget sums over
    folder TEXT NOT NULL,
    task TEXT NOT NULL,
    model TEXT NOT NULL,
    route TEXT NOT NULL,
    provider TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    cost_source TEXT NOT NULL,     -- reported (by the provider) | catalog (tokens x route price)
    latency_ms REAL NOT NULL,
    outcome TEXT NOT NULL,         -- ok | error | cancelled
    error_kind TEXT                -- ProviderError subclass name
);
CREATE INDEX IF NOT EXISTS attempts_day ON attempts(day_utc);
"""


class Ledger:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Private from the start: it lists the user's folders and spend. SQLite gives its -wal and
        # -shm files the same mode.
        os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        # isolation_level=None: autocommit, every INSERT is durable on its own. check_same_thread=False:
        # the language server opens it on its start-up thread and then uses it on its loop only.
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=5.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # durable against a process crash in WAL mode
        self._db.executescript(_SCHEMA)

    @classmethod
    def open_default(cls, env: Mapping[str, str] | None = None) -> "Ledger":
        return cls(data_dir(env) / FILE_NAME)

    def record(
        self,
        attempt: Attempt,
        *,
        folder: str = "",
        task: str = "",
        cost_source: CostSource = "catalog",
        at: dt.datetime | None = None,
    ) -> None:
        when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        self._db.execute(
            "INSERT INTO attempts (at_utc, day_utc, folder, task, model, route, provider, input_tokens,"
            " output_tokens, cost_usd, cost_source, latency_ms, outcome, error_kind)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                when.isoformat(timespec="milliseconds"),
                when.date().isoformat(),
                folder,
                task,
                attempt.model_id,
                attempt.route_key,
                attempt.provider,
                attempt.input_tokens,
                attempt.output_tokens,
                attempt.cost_usd,
                cost_source,
                round(attempt.latency_ms, 3),
                attempt.outcome,
                attempt.error_kind,
            ),
        )

    def spend_today(self, today: dt.date | None = None) -> float:
        """USD spent on the given UTC day (default: today, UTC)."""
        day = (today or dt.datetime.now(dt.UTC).date()).isoformat()
        (total,) = self._db.execute("SELECT COALESCE(SUM(cost_usd), 0) FROM attempts WHERE day_utc = ?", (day,)).fetchone()
        return float(total)

    def observed_output_factors(self, expected_output_tokens: Mapping[str, int], min_requests: int = 20) -> dict[str, float]:
        """model -> output tokens it really returned per requested output token, over its successful attempts,
        for models with at least `min_requests` of them (the input selection's Pool.build(output_factors=) takes).

        `expected_output_tokens`: task -> the output tokens a request of that task asks for (Request.output_tokens).
        Rounded to 0.01 like the catalog's factors. A hook: the router does not feed it to the pool yet.
        """
        rows = self._db.execute(
            "SELECT model, task, COUNT(*), SUM(output_tokens) FROM attempts WHERE outcome = 'ok' GROUP BY model, task"
        ).fetchall()
        totals: dict[str, list[int]] = {}
        for model, task, count, tokens in rows:
            expected = expected_output_tokens.get(task)
            if not expected:
                continue
            total = totals.setdefault(model, [0, 0, 0])
            total[0] += count
            total[1] += int(tokens or 0)
            total[2] += count * expected
        return {model: max(0.01, round(tokens / wanted, 2)) for model, (count, tokens, wanted) in sorted(totals.items())
                if count >= min_requests and wanted > 0}

    def rows(self) -> list[dict]:
        """Every attempt, oldest first (for tests and exports)."""
        cursor = self._db.execute("SELECT * FROM attempts ORDER BY id")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def summary(self, since: dt.date | None = None) -> dict:
        """Spend, tokens and attempts since a UTC day (inclusive), grouped by day, folder and model."""
        where, params = ("WHERE day_utc >= ?", (since.isoformat(),)) if since else ("", ())

        def grouped(column: str) -> list[dict]:
            found = self._db.execute(
                f"SELECT {column}, COUNT(*), SUM(outcome = 'ok'), SUM(input_tokens), SUM(output_tokens), SUM(cost_usd)"
                f" FROM attempts {where} GROUP BY {column} ORDER BY {column}",
                params,
            ).fetchall()
            return [
                {
                    column.removesuffix("_utc"): key,
                    "attempts": n,
                    "ok": ok,
                    "input_tokens": tin,
                    "output_tokens": tout,
                    "cost_usd": round(cost, 6),
                }
                for key, n, ok, tin, tout, cost in found
            ]

        by_day = grouped("day_utc")
        return {
            "since": since.isoformat() if since else None,
            "total_usd": round(float(sum(d["cost_usd"] for d in by_day)), 6),
            "attempts": sum(d["attempts"] for d in by_day),
            "by_day": by_day,
            "by_folder": grouped("folder"),
            "by_model": grouped("model"),
        }

    def close(self) -> None:
        self._db.close()
