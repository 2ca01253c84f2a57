"""Usage and cost ledger: one SQLite row per routed attempt, plus the daily spend the budget reads.

Stored at <data dir>/usage.sqlite3 (CODEFLOOR_DATA_DIR overrides the platform user data dir).
WAL journal: each record() is its own committed transaction, so a process killed with SIGKILL
leaves every earlier row readable, and the language server and `codefloor ask` can write at the
same time. A row holds numbers and names only: never a key, never prompt or answer text.

Before a paid attempt, reserve() writes a "pending" row holding what the attempt CAN cost (its
max_tokens at the route's price), in one transaction with the budget check: the write proves the
attempt can be recorded before it is paid for (a full disk or read-only ledger refuses it up
front), and every process using the ledger counts it at once (two editor windows share one
budget). record() then turns that row into the attempt's real numbers. A pending row older than
RESERVATION_TTL_S belongs to a process that died mid-call and no longer counts.

Writes are synchronous: one small committed INSERT with synchronous=NORMAL costs well under a
millisecond on this machine (benchmarks/ledger/run.py prints the figure), cheaper than a thread hop.
Everything runs on the caller's one event loop (the language server's, or the CLI's): no lock.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from codefloor.config import data_dir
from codefloor.private import private_dir, private_file
from codefloor.errors import SetupError
from codefloor.results import Attempt

FILE_NAME = "usage.sqlite3"
RESERVATION_TTL_S = 600.0  # longer than any request: the read timeout is per chunk, answers take minutes at most
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
    outcome TEXT NOT NULL,         -- ok | error | cancelled | pending (reserved: cost_usd is the most it can cost)
    error_kind TEXT,               -- ProviderError subclass name
    first_token_ms REAL            -- until the first useful chunk; NULL = none came, the model loaded during it, or an older ledger
);
CREATE INDEX IF NOT EXISTS attempts_day ON attempts(day_utc);
CREATE INDEX IF NOT EXISTS attempts_task_folder_at ON attempts(task, folder, at_utc);  -- completion_spend.py reads
"""
# Columns added after the first release, with their definitions: opening an older ledger adds them
# (ALTER TABLE ... ADD COLUMN keeps every row; old rows read NULL), so old ledgers keep working.
_ADDED_COLUMNS = {"first_token_ms": "REAL"}


class LedgerError(SetupError):
    """The ledger file cannot be opened or written. The message names the file and what to do."""


def _cannot(path: Path, why: object) -> LedgerError:
    reason = getattr(why, "strerror", None) or str(why)
    return LedgerError(
        f"cannot write the usage ledger {path}: {reason}; make it and its folder writable by you "
        f"(chmod u+w), or set CODEFLOOR_DATA_DIR to a writable folder"
    )


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds")


class Ledger:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            private_dir(self.path.parent)
            private_file(self.path)  # 0600 whatever the umask; SQLite gives -wal/-shm the same mode
            # isolation_level=None: autocommit, every INSERT is durable on its own.
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=5.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # durable against a process crash in WAL mode
            self._db.executescript(_SCHEMA)
            present = {row[1] for row in self._db.execute("PRAGMA table_info(attempts)")}
            for name, kind in _ADDED_COLUMNS.items():
                if name not in present:
                    self._db.execute(f"ALTER TABLE attempts ADD COLUMN {name} {kind}")
        except (OSError, sqlite3.Error) as exc:
            raise _cannot(self.path, exc) from None

    @classmethod
    def open_default(cls, env: Mapping[str, str] | None = None) -> "Ledger":
        return cls(data_dir(env) / FILE_NAME)

    @classmethod
    def read_only(cls, path: Path | str) -> "Ledger":
        """A second, read-only connection to an existing ledger, e.g. for a thread of a process that has
        it open already. Only SQLite touches the file: opening and closing another descriptor of it, as
        __init__ does to set its mode, would drop this process's SQLite locks on it (POSIX locks are
        per process), and a closing connection that then thinks itself the last deletes the WAL that
        the other one still writes to."""
        ledger = cls.__new__(cls)
        ledger.path = Path(path)
        try:
            ledger._db = sqlite3.connect(f"{ledger.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False,
                                         timeout=5.0)
        except sqlite3.Error as exc:
            raise _cannot(ledger.path, exc) from None
        return ledger

    def record(
        self,
        attempt: Attempt,
        *,
        folder: str = "",
        task: str = "",
        cost_source: CostSource = "catalog",
        at: dt.datetime | None = None,
        reservation: int | None = None,
    ) -> None:
        """One row per attempt: a new row, or the pending row reserve() wrote for it.
        Raises LedgerError when the ledger cannot be written."""
        when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        values = (
            _iso(when),
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
            None if attempt.first_token_ms is None else round(attempt.first_token_ms, 3),
        )
        try:
            if reservation is None:
                self._db.execute(
                    "INSERT INTO attempts (at_utc, day_utc, folder, task, model, route, provider, input_tokens,"
                    " output_tokens, cost_usd, cost_source, latency_ms, outcome, error_kind, first_token_ms)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
            else:  # the day stays the reservation's: the budget it was admitted under
                self._db.execute(
                    "UPDATE attempts SET at_utc = ?, folder = ?, task = ?, model = ?, route = ?, provider = ?,"
                    " input_tokens = ?, output_tokens = ?, cost_usd = ?, cost_source = ?, latency_ms = ?,"
                    " outcome = ?, error_kind = ?, first_token_ms = ? WHERE id = ?",
                    (values[0], *values[2:], reservation),
                )
        except sqlite3.Error as exc:
            raise _cannot(self.path, exc) from None

    def spend_today(self, today: dt.date | None = None, *, pending: bool = False,
                    now: dt.datetime | None = None) -> float:
        """USD spent on the given UTC day (default: today, UTC); with pending=True, plus what attempts
        in flight in any process have reserved (rows younger than RESERVATION_TTL_S)."""
        day = (today or dt.datetime.now(dt.UTC).date()).isoformat()
        return self._spent(day, pending, now)

    def _spent(self, day: str, pending: bool, now: dt.datetime | None) -> float:
        if not pending:
            query, params = "SELECT COALESCE(SUM(cost_usd), 0) FROM attempts WHERE day_utc = ? AND outcome != 'pending'", (day,)
        else:
            cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(seconds=RESERVATION_TTL_S)
            query = ("SELECT COALESCE(SUM(cost_usd), 0) FROM attempts WHERE day_utc = ?"
                     " AND (outcome != 'pending' OR at_utc >= ?)")
            params = (day, _iso(cutoff))
        (total,) = self._db.execute(query, params).fetchone()
        return float(total)

    def reserve(
        self,
        *,
        cost_usd: float,
        limit_usd: float | None,
        model: str,
        route: str,
        provider: str,
        folder: str = "",
        task: str = "",
        at: dt.datetime | None = None,
    ) -> int | None:
        """Write a pending row for a paid attempt that may cost up to cost_usd, if today's spend plus
        every live reservation (any process) plus cost_usd stays within limit_usd (None: no limit).
        Returns the row id to give record(), or None when it does not fit. One IMMEDIATE
        transaction: two processes cannot both take the last of the budget.
        Raises LedgerError when the ledger cannot be written: then nothing may be paid for."""
        when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if limit_usd is not None and self._spent(when.date().isoformat(), True, when) + cost_usd > limit_usd:
                    self._db.execute("ROLLBACK")
                    return None
                cursor = self._db.execute(
                    "INSERT INTO attempts (at_utc, day_utc, folder, task, model, route, provider, input_tokens,"
                    " output_tokens, cost_usd, cost_source, latency_ms, outcome, error_kind)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, 'catalog', 0, 'pending', NULL)",
                    (_iso(when), when.date().isoformat(), folder, task, model, route, provider, cost_usd),
                )
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _cannot(self.path, exc) from None
        return cursor.lastrowid

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

    def latencies(self, task: str, limit: int) -> list[tuple[float, str, float | None, float, str, str | None]]:
        """The last `limit` attempts of a task that say something about latency, oldest first:
        (unix time, route, first_token_ms, latency_ms, outcome, error_kind). Reservations excluded.
        Raises LedgerError when the ledger cannot be read."""
        try:
            rows = self._db.execute(
                "SELECT at_utc, route, first_token_ms, latency_ms, outcome, error_kind FROM attempts"
                " WHERE task = ? AND outcome != 'pending' ORDER BY id DESC LIMIT ?", (task, limit)).fetchall()
        except sqlite3.Error as exc:
            raise _cannot(self.path, exc) from None
        return [(dt.datetime.fromisoformat(at).timestamp(), *rest) for at, *rest in reversed(rows)]

    def task_rows(self, task: str, folder: str, since: dt.datetime) -> list[tuple[dt.datetime, float]]:
        """(when, cost USD) of the folder's settled attempts of `task` since `since` (exclusive), oldest
        first, whichever process wrote them. Reservations (pending rows) are not spend and are left out."""
        try:
            found = self._db.execute(
                "SELECT at_utc, cost_usd FROM attempts WHERE task = ? AND folder = ? AND at_utc > ?"
                " AND outcome != 'pending' ORDER BY at_utc",
                (task, folder, _iso(since)),
            ).fetchall()
        except sqlite3.Error as exc:
            raise _cannot(self.path, exc) from None
        return [(dt.datetime.fromisoformat(when), float(cost)) for when, cost in found]

    def task_use(self, task: str, since: dt.datetime, gap_cap_s: float,
                 folder: str | None = None) -> dict[str, tuple[int, float, float, dt.datetime]]:
        """folder -> (settled attempts of `task` since `since`, their cost USD, seconds of use, when the
        newest was), for one folder or every folder. Seconds of use: the gaps between a folder's consecutive attempts, each
        counted up to gap_cap_s (see completion_spend.py). One indexed pass in SQLite (a window function), no rows in Python."""
        where, params = ("task = ? AND at_utc > ? AND outcome != 'pending'", [task, _iso(since)])
        if folder is not None:
            where, params = where + " AND folder = ?", [*params, folder]
        try:
            found = self._db.execute(
                "SELECT folder, COUNT(*), SUM(cost_usd), COALESCE(SUM(MIN(gap, ?)), 0), MAX(at_utc) FROM ("
                " SELECT folder, at_utc, cost_usd, (julianday(at_utc) - julianday(LAG(at_utc) OVER"
                f" (PARTITION BY folder ORDER BY at_utc))) * 86400.0 AS gap FROM attempts WHERE {where})"
                " GROUP BY folder ORDER BY folder",
                (gap_cap_s, *params),
            ).fetchall()
        except sqlite3.Error as exc:
            raise _cannot(self.path, exc) from None
        return {name: (count, float(cost or 0.0), float(seconds), dt.datetime.fromisoformat(newest))
                for name, count, cost, seconds, newest in found}

    def rows(self) -> list[dict]:
        """Every attempt, oldest first (for tests and exports)."""
        cursor = self._db.execute("SELECT * FROM attempts ORDER BY id")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def summary(self, since: dt.date | None = None) -> dict:
        """Spend, tokens and attempts since a UTC day (inclusive), grouped by day, folder and model."""
        # Reservations are not spend: an attempt in flight shows once it is recorded.
        where, params = ("WHERE outcome != 'pending' AND day_utc >= ?", (since.isoformat(),)) if since else (
            "WHERE outcome != 'pending'", ())

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
