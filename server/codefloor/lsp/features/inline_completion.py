"""textDocument/inlineCompletion (LSP 3.18): debounced, cancellable, cached, FIM preferred.

A newer request for the same document supersedes the one in flight: its task is cancelled,
which closes the upstream HTTP stream (the router records the attempt as cancelled)."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

from lsprotocol import types

from codefloor.actions.completion import CONTEXT_REACH, MAX_COMPLETION_TOKENS, CompletionCache, clean_completion, fim_request, fit_context
from codefloor.actions.generate import language_name
from codefloor.basics import FIM, estimate_tokens
from codefloor.lsp.convert import doc_path, to_lsp_position, to_pos
from codefloor.lsp.reporting import run_routed
from codefloor.errors import CodefloorError, NothingEligible
from codefloor.lsp.server import CodefloorServer

if TYPE_CHECKING:
    from codefloor.completion_spend import RollingHour
    from codefloor.selection.types import Decision, Preferences



def register(server: CodefloorServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline_completion(ls: CodefloorServer, params: types.InlineCompletionParams) -> types.InlineCompletionList | None:
        automatic = params.context.trigger_kind == types.InlineCompletionTriggerKind.Automatic
        text = await complete_at(ls, params.text_document.uri, params.position, debounce=automatic, automatic=automatic)
        if not text:
            return None
        at = snapped(ls, params.text_document.uri, params.position)
        item = types.InlineCompletionItem(insert_text=text, range=types.Range(start=at, end=at))
        return types.InlineCompletionList(items=[item])


async def complete_at(ls: CodefloorServer, uri: str, position: types.Position, *, debounce: bool = True,
                      automatic: bool = False) -> str | None:
    """The text to insert at `position`, or None. Raises CancelledError when superseded/cancelled.
    `automatic` (asked for by typing, not by the user): paused while the folder's rolling hour of
    completion spend has reached completion.maxCostPerHourUsd (lsp/spend_status.py)."""
    from codefloor.selection.types import Request, TaskKind

    settings = await ls.settings_for(uri)
    if not settings.completion.enabled:
        return None
    _supersede(ls, uri)
    if debounce and settings.completion.debounce_ms:
        await asyncio.sleep(settings.completion.debounce_ms / 1000)
    await ls.pacer.turn()  # a burst of these must not hold up listings behind it
    document = ls.open_document(uri)
    if document is None:
        ls.log(f"codefloor: completion for {uri}: not open in the editor", types.MessageType.Warning)
        return None
    rope, version = document.rope, document.version
    lines = rope.lines(ends=False)
    if position.line >= len(lines):
        ls.log(f"codefloor: completion for {uri}: line {position.line} is past the end ({len(lines)} lines)", types.MessageType.Warning)
        return None
    pos = to_pos(lines, position, ls.workspace.position_codec)
    offset = rope.offset(pos.line, pos.col)
    start = max(0, offset - CONTEXT_REACH)  # only the text around the cursor, read before any await
    around = rope.text_between(start, offset + CONTEXT_REACH)
    prefs = settings.preferences(for_completion=True)
    folder = ls.folders.folder_for(uri)
    limit = settings.completion.max_cost_per_hour_usd
    try:
        router = await ls.router()
        from codefloor.lsp import spend_status  # after the router: its start-up thread has imported the ledger

        hour = spend_status.check(ls, router, folder, limit)
        if automatic and hour is not None and hour.paused:
            return None  # said once when the pause began (log and codefloor/completionSpend)
        decision, prefs = _decide_within(router, prefs, len(rope), hour)
    except CodefloorError as exc:
        ls.log(f"codefloor: completion: {exc}", types.MessageType.Warning)  # no popup per keystroke
        return None
    ctx = fit_context(around, offset - start, decision.chosen.card.context_window)
    key = CompletionCache.key(folder, decision.chosen.card.id, ctx)
    cached = ls.completion_cache.get(key)
    if cached is not None:
        return cached
    request = Request(TaskKind.COMPLETION, ctx.input_tokens, MAX_COMPLETION_TOKENS, decision_capabilities(decision))
    result = await run_routed(
        ls, generation=fim_request(ctx), request=request, prefs=prefs, decision=decision, folder=folder,
        what=f"complete {language_name(document.language_id, doc_path(document.uri))}", progress=False,
    )
    spend_status.refresh(ls, router, folder, limit)
    if result is None:
        return None
    text = clean_completion(result.text, ctx)
    if text:
        ls.completion_cache.put(key, text)
    current = ls.open_document(uri)
    if current is None or current.version != version:
        # Computed for text the user has since changed: inserting it would land in the wrong place.
        ls.log(f"codefloor: completion for {uri} dropped: the document changed while {result.served_by.card.id} worked")
        return None
    return text or None


def snapped(ls: CodefloorServer, uri: str, position: types.Position) -> types.Position:
    """The cursor as the completion used it: within its line and never inside a surrogate pair
    (a client may send a column past the end of the line, which LSP reads as the line's end)."""
    document = ls.open_document(uri)
    if document is None:
        return position
    lines = document.rope.lines(ends=False)
    codec = ls.workspace.position_codec
    return to_lsp_position(lines, to_pos(lines, position, codec), codec)


def _decide(router, prefs, doc_chars: int) -> Decision:
    """Prefer a route with native fill-in-the-middle; any eligible model otherwise."""
    from codefloor.selection.types import Request, TaskKind

    tokens = min(estimate_tokens(doc_chars), 2048)
    try:
        return router.decide(Request(TaskKind.COMPLETION, tokens, MAX_COMPLETION_TOKENS, frozenset({FIM})), prefs)
    except NothingEligible:
        return router.decide(Request(TaskKind.COMPLETION, tokens, MAX_COMPLETION_TOKENS), prefs)


def _decide_within(router, prefs: Preferences, doc_chars: int, hour: RollingHour | None) -> tuple[Decision, Preferences]:
    """_decide(), preferring models whose expected cost fits the hourly limit's per-completion cap
    (completion_spend.py) when the folder has one: the cap narrows maxCostPerRequestUsd, and when no
    model fits it the decision is made without it. Either way the reason says so."""
    if hour is None:
        return _decide(router, prefs, doc_chars), prefs
    cap = hour.per_completion_cap_usd
    own = prefs.max_cost_per_request_usd
    capped = dataclasses.replace(prefs, max_cost_per_request_usd=cap if own is None else min(own, cap))
    try:
        decision, note = _decide(router, capped, doc_chars), f"within {hour.cap_text()}"
        prefs = capped
    except NothingEligible:
        decision, note = _decide(router, prefs, doc_chars), f"no eligible model fits {hour.cap_text()}, so it was not applied"
    return dataclasses.replace(decision, reason=f"{decision.reason}; {note}"), prefs


def decision_capabilities(decision: Decision) -> frozenset[str]:
    return frozenset({FIM}) if decision.chosen.route.supports_fim else frozenset()


def _supersede(ls: CodefloorServer, uri: str) -> None:
    """Cancel the completion still running for this document: its context is stale."""
    current = asyncio.current_task()
    previous = ls.latest_completion.get(uri)
    if previous is not None and previous is not current and not previous.done():
        previous.cancel()
    if current is not None:
        ls.latest_completion[uri] = current
