"""Hover over a region codefloor wrote: which model, its score against the floor, why, cost, time."""

from __future__ import annotations

from lsprotocol import types

from codefloor.lsp.features import code_actions
from codefloor.lsp.server import CodefloorServer


def register(server: CodefloorServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: CodefloorServer, params: types.HoverParams) -> types.Hover | None:
        region = ls.regions.at(params.text_document.uri, params.position.line)
        if region is None:
            return None
        formats = ls.client_supports("text_document", "hover", "content_format")
        markdown = not formats or types.MarkupKind.Markdown in formats  # ALE takes plain text only
        kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
        return types.Hover(contents=types.MarkupContent(kind=kind, value=hover_text(region.info, markdown=markdown)))

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CodefloorServer, params: types.DidChangeTextDocumentParams) -> None:
        code_actions.track_changes(ls, params)  # the document's syntax tree follows the edit
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                ls.regions.shift(params.text_document.uri, change.range.start.line, change.range.end.line, change.text)
            else:  # the whole text (clients without incremental sync): find the written lines again
                document = ls.open_document(params.text_document.uri)
                ls.regions.relocate(params.text_document.uri, document.source if document else "")

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CodefloorServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.latest_completion.pop(params.text_document.uri, None)
        ls.trees.forget(params.text_document.uri)


def hover_text(info: dict, *, markdown: bool = True) -> str:
    bold, code = ("**", "`") if markdown else ("", "")
    return (
        f"{bold}codefloor{bold} wrote this ({info.get('task', 'AI edit')})\n\n"
        f"- model: {code}{info['model']}{code} via {info.get('provider', '?')}\n"
        f"- coding score: {info['codingScore']:g} ≥ floor {info['floor']:g}"
        + (f" -- {info['scoreSummary']}" if info.get("scoreSummary") else "") + "\n"
        f"- why: {info['reason']}\n"
        f"- cost: ${info['costUsd']:.6f} · time: {info['latencyMs'] / 1000:.2f} s"
    )
