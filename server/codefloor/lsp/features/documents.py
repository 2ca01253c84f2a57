"""Document sync beyond what pygls keeps: the syntax tree and codefloor's written regions follow
edits (hover stays on the right lines); a closed document's tree and completion are forgotten."""

from __future__ import annotations

from lsprotocol import types

from codefloor.lsp.features import code_actions
from codefloor.lsp.server import CodefloorServer


def register(server: CodefloorServer) -> None:
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
        # Nothing about a closed document outlives it: reopened, it may hold other text.
        ls.latest_completion.pop(params.text_document.uri, None)
        ls.regions.forget(params.text_document.uri)
        ls.trees.forget(params.text_document.uri)
