"""Hover over a region codefloor wrote: which model, its score against the floor, why, cost, time."""

from __future__ import annotations

from lsprotocol import types

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
