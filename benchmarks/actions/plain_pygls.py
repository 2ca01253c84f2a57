"""The baseline of benchmarks/actions/keystrokes.py: a pygls 2.1.1 server with nothing but pygls'
own document sync (incremental) and a hover that answers None, over stdio."""

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("plain-pygls", "0", text_document_sync_kind=types.TextDocumentSyncKind.Incremental)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: types.HoverParams) -> None:
    return None


if __name__ == "__main__":
    server.start_io()
