"""Running one routed request the way the user sees it: $/progress while the model works,
`codefloor/status` + window/logMessage after, window/showMessage when nothing could serve it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from lsprotocol import types

from codefloor.errors import CodefloorError

if TYPE_CHECKING:  # domain types load after `initialize` (startup stays light)
    from codefloor.catalog.load import Catalog
    from codefloor.lsp.server import CodefloorServer
    from codefloor.providers.types import ChatRequest, FimRequest
    from codefloor.results import RoutedResult
    from codefloor.selection.types import Candidate, Decision, Preferences, Request

STATUS = "codefloor/status"


def model_label(candidate: Candidate, floor: float) -> str:
    """`deepseek-chat (70 ≥ 60)`: the model and its score against the folder's floor."""
    return f"{candidate.card.id} ({candidate.score:g} ≥ {floor:g})"


def describe_decision(decision: Decision) -> str:
    fallbacks = ", ".join(c.card.id for c in decision.fallbacks) or "none"
    return (
        f"chose {decision.chosen.card.id} via {decision.chosen.route.provider} (score {decision.chosen.score:g}, "
        f"floor {decision.floor:g}, policy {decision.policy.value}): {decision.reason}; "
        f"{decision.eligible_count}/{decision.considered_count} eligible; fallbacks: {fallbacks}; "
        f"expected ${decision.expected_cost_usd:.6f}"
    )


PROGRESS_CREATE_WAIT_S = 5.0  # a client that never answers window/workDoneProgress/create gets no bar


class Progress:
    """Server-initiated work-done progress: `begin` only once the client has accepted the token."""

    def __init__(self, ls: CodefloorServer) -> None:
        self.ls = ls
        self.token: str | None = None

    @classmethod
    async def start(cls, ls: CodefloorServer, title: str) -> Progress:
        bar = cls(ls)
        if ls.client_supports("window", "work_done_progress"):
            token = f"codefloor-{uuid.uuid4().hex[:12]}"
            try:
                await asyncio.wait_for(ls.work_done_progress.create_async(token), PROGRESS_CREATE_WAIT_S)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # refused, or no answer in time (a late one is dropped: protocol.py)
                ls.log(f"codefloor: no progress bar ({type(exc).__name__}: {exc})", types.MessageType.Warning)
                return bar
            bar.token = token
            ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(title="codefloor", message=title, cancellable=False))
        return bar

    def report(self, message: str) -> None:
        if self.token:
            self.ls.work_done_progress.report(self.token, types.WorkDoneProgressReport(message=message))

    def end(self, message: str) -> None:
        if self.token:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(self.token, None)  # pygls keeps it for ever otherwise
            self.token = None


def status_payload(result: RoutedResult, folder: str, task: str, catalog: Catalog | None = None) -> dict:
    from codefloor.lsp.catalog_status import catalog_info

    served = result.served_by
    return {
        "catalog": catalog_info(catalog) if catalog is not None else None,
        "folder": folder,
        "floor": result.decision.floor,
        "model": served.card.id,
        "provider": served.route.provider,
        "codingScore": served.score,
        "scoreSummary": served.card.score_summary(),  # the score with its interval and source
        "reason": result.reason,
        "costUsd": round(result.cost_usd, 8),
        "latencyMs": round(result.latency_ms, 1),
        "fallbacksTried": result.fallbacks_tried,
        "task": task,
    }


async def run_routed(
    ls: CodefloorServer,
    *,
    generation: ChatRequest | FimRequest,
    request: Request,
    prefs: Preferences,
    decision: Decision,
    folder: str,
    what: str,
    progress: bool = True,
    note: str | None = None,
    check: Callable[[str], str | None] | None = None,
) -> RoutedResult | None:
    """Run through the router. Returns None (after telling the user) when nothing could serve it.
    CancelledError propagates: the router closes the upstream stream and records the attempt.

    progress=False is a background request (completions): no progress bar, and a failure is
    logged, not shown, since it would pop up again on every keystroke. `note` (the model listed in
    the action's title cannot serve: which one does and why) goes on the progress line, the log and
    the status notification. `check` is the answer check the router applies to each attempt (see
    Router.run)."""
    from codefloor.lsp.catalog_status import note_catalog

    router = await ls.router()
    catalog = router.catalog  # the catalog this request's decision came from (a newer one waits for the next)
    note_catalog(ls, catalog)
    floor = decision.floor
    bar = await Progress.start(ls, f"{what}: {decision.chosen.card.id} (score {decision.chosen.score:g} ≥ floor {floor:g})…") if progress else None

    def on_event(line: str) -> None:  # "m: no answer in 30 s ([routing] ...), trying n"
        if bar:
            bar.report(line)
        ls.log(f"codefloor: {what}: {line}", types.MessageType.Warning)

    if note:
        if bar:
            bar.report(note)
        ls.log(f"codefloor: {what}: {note}", types.MessageType.Warning)
    ls.log(f"codefloor: {what} [{folder or 'no folder'}]: {describe_decision(decision)}")
    try:
        result = await router.run(generation, request, prefs, folder=folder, decision=decision, on_event=on_event, check=check)
        # Many answers can land in one loop turn; finishing each (status, logs, the edit, the reply)
        # takes ~1-2 ms, so they take turns as they started (see lsp/pacing.py).
        await ls.pacer.turn()
    except CodefloorError as exc:
        report_failure(ls, what, exc, show=progress)
        if bar:
            bar.end("failed")
        return None
    except BaseException:
        if bar:
            bar.end("cancelled")
        raise
    if bar:
        bar.end(f"{result.served_by.card.id}: ${result.cost_usd:.6f}, {result.latency_ms:.0f} ms")
    payload = status_payload(result, folder, request.task.value, catalog)
    if note:
        payload["note"] = note
    ls.protocol.notify(STATUS, payload)
    ls.log(
        f"codefloor: {what} served by {result.served_by.card.id} via {result.served_by.route.provider} "
        f"(score {result.served_by.score:g} ≥ {floor:g}) in {result.latency_ms:.0f} ms, ${result.cost_usd:.6f}, "
        f"{result.input_tokens}+{result.output_tokens} tokens, fallbacks tried: {result.fallbacks_tried}"
    )
    return result


def report_failure(ls: CodefloorServer, what: str, exc: Exception, *, show: bool = True) -> None:
    """Nothing eligible / every fallback failed / budget reached: say what to do; nothing is applied."""
    if show:
        ls.show(f"codefloor: {what}: {exc}. Nothing was changed.")
    ls.log(f"codefloor: {what} failed: {type(exc).__name__}: {exc}", types.MessageType.Warning)
