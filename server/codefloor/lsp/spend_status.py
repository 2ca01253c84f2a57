"""The completion spend as the editor sees it (the figures: codefloor/completion_spend.py).

`codefloor/completionSpend` notification, per folder: the cost per hour of use and, with
completion.maxCostPerHourUsd set, the rolling hour against it (paused or not, and when it resumes).
Sent after every completion the router ran, and when the folder's automatic completions pause or
resume. The log hears a pause once when it starts and once when it ends, never per keystroke.

The rolling hour is read on the loop before every completion of a folder with a limit (an indexed
hour of rows: 0.65 ms for a busy hour of 1,200). The cost per hour of use reads a week of rows,
0.14 s for a busy folder: it is read in a thread, at most every USE_REFRESH_S per folder, after the
reply (benchmarks/ledger/completion_spend.py; docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lsprotocol import types

from codefloor.completion_spend import LIMIT_SETTING, HourOfUse, RollingHour, hour_of_use_in, rolling_hour
from codefloor.ledger import LedgerError

if TYPE_CHECKING:
    from codefloor.lsp.server import CodefloorServer
    from codefloor.router import Router

SPEND = "codefloor/completionSpend"
USE_REFRESH_S = 60.0


@dataclass
class SpendState:
    """Per server: the folders whose automatic completions are paused, and each folder's last
    cost-per-hour-of-use figure with the loop time it was read."""

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


def after_completion(ls: CodefloorServer, router: Router, folder: str, limit_usd: float | None) -> None:
    """The figures with this completion in them, sent after the reply. A ledger that cannot be
    read costs the figures, never the completion."""
    try:
        before = folder in _state(ls).paused
        check(ls, router, folder, limit_usd)
    except LedgerError as exc:
        ls.log(f"codefloor: completion spend figures unavailable: {exc}", types.MessageType.Warning)
        return
    if (folder in _state(ls).paused) == before:  # else check() has sent them
        ls.spawn(send(ls, router, folder, limit_usd))


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
        _state(ls).use[folder] = cached
    return cached[1]
