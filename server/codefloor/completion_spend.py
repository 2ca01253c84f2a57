"""What inline completions cost per hour, and the optional hourly limit on them.

Both figures come from the ledger's rows (every codefloor process writes there: two editor windows
share them), for one workspace folder and the completion task only; pending reservations are left
out, so a completion still in flight counts once it is recorded.

- Cost per hour of use (the status tooltip, `codefloor usage`): the completion spend of the last
  USE_WINDOW_DAYS days divided by the hours of use in them. An hour of use is active time, not
  wall-clock time: the gaps between the folder's consecutive completion attempts, each gap counted
  up to USE_GAP_CAP_S, so a lunch break or a night adds at most that much. (A completion is asked
  for on every pause in typing, so while someone types the gaps are seconds.) Fewer than two
  attempts give no figure.
- The rolling hour (completion.maxCostPerHourUsd): what the folder's completions cost in the last
  ROLLING_S seconds. Once it reaches the limit, automatic completions pause (explicitly invoked
  ones still run) until the oldest spend has left the window and the rest is below the limit:
  `resumes_at` is that moment, computed from the same rows.
- Routing within the limit: each completion may cost at most the limit divided by the completions
  expected in an hour, the count in the rolling hour but at least MIN_EXPECTED_PER_HOUR (one every
  ten seconds of typing), so a quiet hour does not make one completion worth the whole budget.
  The LSP feature applies it as maxCostPerRequestUsd and drops it when no model fits.

Pure computation over the ledger's rows: no clock of its own (`now` is passed in), no I/O but the ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from codefloor.ledger import Ledger
from codefloor.selection.types import TaskKind
from codefloor.selection.wording import usd

TASK = TaskKind.COMPLETION.value
USE_WINDOW_DAYS = 7
USE_GAP_CAP_S = 300.0  # a gap between two completions counts as use up to 5 minutes
ROLLING_S = 3600.0
MIN_EXPECTED_PER_HOUR = 360  # completions an hour the per-completion cap assumes at least
LIMIT_SETTING = "completion.maxCostPerHourUsd"


def _utc(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class HourOfUse:
    """A folder's completion spend per hour of use over the last USE_WINDOW_DAYS days."""

    folder: str
    attempts: int
    cost_usd: float
    use_s: float
    since: dt.datetime
    newest: dt.datetime | None = None  # the newest attempt counted

    def extended(self, rows: list[tuple[dt.datetime, float]]) -> HourOfUse:
        """With attempts newer than `newest` (oldest first) added, as the full read would count them.
        (Attempts that have left the window since stay in until the next full read.)"""
        attempts, cost, use_s, newest = self.attempts, self.cost_usd, self.use_s, self.newest
        for when, row_cost in rows:
            if newest is not None:
                use_s += min((when - newest).total_seconds(), USE_GAP_CAP_S)
            attempts, cost, newest = attempts + 1, cost + row_cost, when
        return HourOfUse(self.folder, attempts, cost, use_s, self.since, newest)

    @property
    def usd_per_hour(self) -> float | None:
        return self.cost_usd / (self.use_s / 3600.0) if self.use_s > 0 else None

    def describe(self) -> str:
        source = f"{self.attempts} completion attempt{'' if self.attempts == 1 else 's'} in the ledger"
        if self.usd_per_hour is None:
            return f"no cost per hour of use yet: {source} over the last {USE_WINDOW_DAYS} days (it takes two)"
        return (f"{usd(self.usd_per_hour)}/h of use over the last {USE_WINDOW_DAYS} days "
                f"({usd(self.cost_usd)} for {self.use_s / 3600:.2f} h of use, from {source})")

    def payload(self) -> dict:
        return {"usdPerHour": self.usd_per_hour, "costUsd": round(self.cost_usd, 8), "useHours": round(self.use_s / 3600, 4),
                "attempts": self.attempts, "windowDays": USE_WINDOW_DAYS, "since": self.since.isoformat(),
                "text": self.describe()}


def hours_of_use(ledger: Ledger, folder: str | None = None, now: dt.datetime | None = None) -> list[HourOfUse]:
    """One HourOfUse per folder with completion attempts in the window (only `folder`'s when given)."""
    since = _utc(now) - dt.timedelta(days=USE_WINDOW_DAYS)
    found = ledger.task_use(TASK, since, USE_GAP_CAP_S, folder)
    return [HourOfUse(name, count, cost, seconds, since, newest) for name, (count, cost, seconds, newest) in found.items()]


def hour_of_use(ledger: Ledger, folder: str, now: dt.datetime | None = None) -> HourOfUse:
    found = hours_of_use(ledger, folder, now)
    return found[0] if found else HourOfUse(folder, 0, 0.0, 0.0, _utc(now) - dt.timedelta(days=USE_WINDOW_DAYS))


def hour_of_use_in(path: Path, folder: str, now: dt.datetime | None = None) -> HourOfUse:
    """hour_of_use() on a read-only connection of its own, so a thread can run it: a week of a busy
    folder is ~10^5 rows and their gaps take SQLite 0.14-0.37 s (docs/benchmarks.md), too long for the event loop."""
    ledger = Ledger.read_only(path)
    try:
        return hour_of_use(ledger, folder, now)
    finally:
        ledger.close()


@dataclass(frozen=True, slots=True)
class RollingHour:
    """A folder's completion spend in the last ROLLING_S seconds against its limit."""

    folder: str
    spent_usd: float
    attempts: int
    limit_usd: float
    resumes_at: dt.datetime | None  # when paused: when the window will have dropped below the limit

    @property
    def paused(self) -> bool:
        return _over(self.spent_usd, self.limit_usd)

    @property
    def expected_per_hour(self) -> int:
        return max(self.attempts, MIN_EXPECTED_PER_HOUR)

    @property
    def per_completion_cap_usd(self) -> float:
        return self.limit_usd / self.expected_per_hour

    def cap_text(self) -> str:
        return (f"the per-completion cap {usd(self.per_completion_cap_usd)} ({LIMIT_SETTING} {usd(self.limit_usd)} / "
                f"{self.expected_per_hour} completions an hour expected)")

    def describe(self) -> str:
        spent = (f"{usd(self.spent_usd)} spent on completions in this folder in the last hour "
                 f"({self.attempts} attempt{'' if self.attempts == 1 else 's'} in the ledger, every codefloor process)")
        if not self.paused:
            return f"{spent}, of {LIMIT_SETTING} {usd(self.limit_usd)}"
        when = f"at {self.resumes_at:%H:%M:%S} UTC" if self.resumes_at else "when the hour's spend drops below it"
        return (f"automatic completions paused: {spent} reached {LIMIT_SETTING} {usd(self.limit_usd)}; "
                f"they resume by themselves {when}; invoked completions still run")

    def payload(self) -> dict:
        return {"spentUsd": round(self.spent_usd, 8), "attempts": self.attempts, "limitUsd": self.limit_usd,
                "paused": self.paused, "resumesAt": self.resumes_at.isoformat() if self.resumes_at else None,
                "perCompletionCapUsd": self.per_completion_cap_usd, "text": self.describe()}


def _over(spent: float, limit: float) -> bool:
    """The limit is reached. Nothing spent is never over: a limit of 0 allows free (local) models."""
    return spent > 0 and spent >= limit


def rolling_hour(ledger: Ledger, folder: str, limit_usd: float, now: dt.datetime | None = None) -> RollingHour:
    rows = ledger.task_rows(TASK, folder, _utc(now) - dt.timedelta(seconds=ROLLING_S))
    spent = sum(cost for _, cost in rows)
    resumes_at = None
    if _over(spent, limit_usd):
        left = spent
        for when, cost in rows:  # oldest first: the spend leaves the window in this order
            left = round(left - cost, 12)  # float sums: the last row leaves exactly nothing
            if not _over(left, limit_usd):
                resumes_at = when + dt.timedelta(seconds=ROLLING_S)
                break
    return RollingHour(folder, spent, len(rows), limit_usd, resumes_at)
