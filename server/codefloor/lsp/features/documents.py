"""Document sync beyond what pygls keeps: codefloor's written regions follow edits (hover stays
on the right lines) and a closed document's running completion is forgotten."""

from __future__ import annotations

from lsprotocol import types

from codefloor.lsp.server import CodefloorServer


def register(server: CodefloorServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CodefloorServer, params: types.DidChangeTextDocumentParams) -> None:
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                ls.regions.shift(params.text_document.uri, change.range.start.line, change.range.end.line, change.text)
            else:
                ls.regions.forget(params.text_document.uri)  # whole-document replace: positions are meaningless

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CodefloorServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.latest_completion.pop(params.text_document.uri, None)
        ls.forget_lines(params.text_document.uri)
