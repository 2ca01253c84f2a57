"""didChange handling in-process: 600 keystrokes on a 10,000-line file, codefloor vs plain pygls.

    PYTHONPATH=server python benchmarks/editor_session/keystrokes.py   # prints JSON (ms per keystroke)

Each keystroke is the JSON-RPC notification as it arrives on the wire: decoded (structure_message)
and handled (handle_message), timed together, on codefloor's server (its protocol and its
didChange handler) and on a plain pygls LanguageServer with the same messages, interleaved.
Nothing is written back: a notification has no answer.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

sys.path.insert(0, str(Path(__file__).parent))
from run import TYPED_LINE, TYPING, big_file  # noqa: E402

KEYSTROKES = 600


class _Null:
    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass


def _feed(server: LanguageServer, message: dict) -> float:
    raw = json.dumps(message)
    started = time.perf_counter()
    protocol = server.protocol
    protocol.handle_message(json.loads(raw, object_hook=protocol.structure_message))
    return (time.perf_counter() - started) * 1000


def _ready(server: LanguageServer, uri: str, text: str) -> None:
    server.protocol.set_writer(_Null())
    _feed(server, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
    _feed(server, {"jsonrpc": "2.0", "method": "textDocument/didOpen",
                   "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}})


def main() -> None:
    from codefloor.lsp.server import create_server

    uri = "file:///tmp/codefloor-keystrokes/big.py"
    text = big_file()
    mine = create_server()
    plain = LanguageServer("plain", "1", text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    for server in (mine, plain):
        _ready(server, uri, text)
    timings: dict[str, list[float]] = {"codefloor_ms": [], "pygls_ms": []}
    col = 0
    for version in range(2, KEYSTROKES + 2):
        if col == len(TYPING):
            change = {"range": {"start": {"line": TYPED_LINE, "character": 0}, "end": {"line": TYPED_LINE, "character": col}}, "text": ""}
            col = 0
        else:
            at = {"line": TYPED_LINE, "character": col}
            change = {"range": {"start": at, "end": at}, "text": TYPING[col]}
            col += 1
        message = {"jsonrpc": "2.0", "method": "textDocument/didChange",
                   "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}}
        timings["codefloor_ms"].append(_feed(mine, message))
        timings["pygls_ms"].append(_feed(plain, message))
    a, b = mine.workspace.get_text_document(uri).source, plain.workspace.get_text_document(uri).source
    assert a == b, "the two servers disagree about the document"
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
