"""The completion spend as the editor sees it (the figures: codefloor/completion_spend.py).

`codefloor/completionSpend` notification, per folder: the cost per hour of use and, with
completion.maxCostPerHourUsd set, the rolling hour against it (paused or not, and when it resumes).
Sent once a folder's settings have been pulled (so the tooltip has the figure before the first
completion, and a changed limit shows at once), after every completion the router ran, and when
the folder's automatic completions pause or resume. The log hears a pause once when it starts
and once when it ends, never per keystroke.

The rolling hour is read on the loop before every completion of a folder with a limit (an indexed
hour of rows: 0.7 ms for a busy hour of 1,200). The cost per hour of use reads a week of rows,
0.14-0.37 s for a busy folder (benchmarks/ledger/completion_spend.py; docs/benchmarks.md): it is read
in full in a thread, at most every USE_REFRESH_S per folder, and in between extended on the loop
with the rows newer than the last one it counted (whichever process wrote them).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lsprotocol import types

from codefloor.completion_spend import LIMIT_SETTING, TASK, HourOfUse, RollingHour, hour_of_use_in, rolling_hour
from codefloor.ledger import LedgerError

if TYPE_CHECKING:
    from codefloor.lsp.server import CodefloorServer
    from codefloor.router import Router

SPEND = "codefloor/completionSpend"
USE_REFRESH_S = 600.0  # a full read of the week; rows that left the window drop out then


@dataclass
class SpendState:
    """Per server: the folders whose automatic completions are paused, and each folder's last
    cost-per-hour-of-use figure with the loop time of its last full read."""

    paused: set[str] = field(default_factory=set)
    use: dict[str, tuple[float, HourOfUse]] = field(default_factory=dict)


def _state(ls: CodefloorServer) -> SpendState:
    if ls.spend_state is None:  # made on first use: the server is built before the domain modules load
        ls.spend_state = SpendState()
    return ls.spend_state


def check(ls: CodefloorServer, router: Router, folder: str, limit_usd: float | None) -> RollingHour | None:
    """The folder's rolling hour (None without a limit), saying so when its pause starts or ends.
    Raises LedgerError when the ledger cannot be read."""
    hour = rolling_hour(router.ledger, folder, limit_usd) if limit_usd is not None else None
    paused = hour is not None and hour.paused
    state = _state(ls)
    if paused != (folder in state.paused):
        where = folder or "no folder"
        if hour is not None and paused:
            state.paused.add(folder)
            ls.log(f"codefloor: {where}: {hour.describe()}", types.MessageType.Warning)
        else:
            state.paused.discard(folder)
            ls.log(f"codefloor: {where}: automatic completions resume: "
                   + (hour.describe() if hour is not None else f"{LIMIT_SETTING} is no longer set"))
        ls.spawn(send(ls, router, folder, limit_usd))
    return hour


def refresh(ls: CodefloorServer, router: Router, folder: str, limit_usd: float | None) -> None:
    """The figures as they are now (e.g. with the completion just made), sent after the reply. A ledger that cannot be
    read costs the figures, never the completion."""
    try:
        before = folder in _state(ls).paused
        check(ls, router, folder, limit_usd)
    except LedgerError as exc:
        ls.log(f"codefloor: completion spend figures unavailable: {exc}", types.MessageType.Warning)
        return
    if (folder in _state(ls).paused) == before:  # else check() has sent them
        ls.spawn(send(ls, router, folder, limit_usd))


def announce(ls: CodefloorServer, router: Router, folders: list[str]) -> None:
    """The figures of each folder with completions on (after a settings pull)."""
    for folder in folders:
        settings = ls.folders.settings_for(folder)
        if settings.completion.enabled:
            refresh(ls, router, folder, settings.completion.max_cost_per_hour_usd)


async def send(ls: CodefloorServer, router: Router, folder: str, limit_usd: float | None) -> None:
    try:
        use = await _hour_of_use(ls, router, folder)
        hour = rolling_hour(router.ledger, folder, limit_usd) if limit_usd is not None else None
    except LedgerError as exc:
        ls.log(f"codefloor: completion spend figures unavailable: {exc}", types.MessageType.Warning)
        return
    ls.protocol.notify(SPEND, {"folder": folder, "perHourOfUse": use.payload(),
                               "lastHour": hour.payload() if hour is not None else None})


async def _hour_of_use(ls: CodefloorServer, router: Router, folder: str) -> HourOfUse:
    now = asyncio.get_running_loop().time()
    cached = _state(ls).use.get(folder)
    if cached is None or now - cached[0] >= USE_REFRESH_S:
        cached = (now, await asyncio.to_thread(hour_of_use_in, router.ledger.path, folder))
    else:
        use = cached[1]
        cached = (cached[0], use.extended(router.ledger.task_rows(TASK, folder, use.newest or use.since)))
    _state(ls).use[folder] = cached
    return cached[1]
