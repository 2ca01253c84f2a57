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
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=hover_text(region.info)))


def hover_text(info: dict) -> str:
    return (
        f"**codefloor** wrote this ({info.get('task', 'AI edit')})\n\n"
        f"- model: `{info['model']}` via {info.get('provider', '?')}\n"
        f"- coding score: {info['codingScore']:g} ≥ floor {info['floor']:g}\n"
        f"- why: {info['reason']}\n"
        f"- cost: ${info['costUsd']:.6f} · time: {info['latencyMs'] / 1000:.2f} s"
    )
