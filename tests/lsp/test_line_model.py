"""One line model, the LSP's (issue 13, item 2): pygls applied didChange through str.splitlines(),
which also breaks at \\f, \\v, \\x1c-\\x1e, \\x85, U+2028 and U+2029, so an edit below such a
character landed on the wrong line. Through codefloor serve's protocol, documents count lines
at \\n, \\r\\n and \\r only."""

from __future__ import annotations

import pytest
from lsprotocol import types

from codefloor.lsp.line_model import LspLinesDocument, lines_with_ends
from codefloor.lsp.server import create_server

ODD_BREAKS = ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


class _Sink:
    def write(self, data) -> None:
        pass


def _initialized_server():
    server = create_server()
    server.protocol.set_writer(_Sink())
    params = types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri="file:///w",
                                    workspace_folders=[types.WorkspaceFolder(uri="file:///w", name="w")])
    handler = server.protocol.lsp_initialize(params)
    try:
        while True:
            next(handler)
    except StopIteration:
        pass
    return server


def _open(server, text: str):
    uri = "file:///w/m.py"
    server.workspace.put_text_document(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    return uri


def _change(server, uri, start, end, text, version=2):
    server.workspace.update_text_document(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(*start), end=types.Position(*end)), text=text))
    return server.workspace.get_text_document(uri).source


@pytest.mark.parametrize("odd", ODD_BREAKS)
def test_an_odd_character_is_not_a_line_break(odd):
    source = f"import os\n{odd}\n\ndef greet(name):\n    pass\n"
    server = _initialized_server()
    uri = _open(server, source)
    assert isinstance(server.workspace.get_text_document(uri), LspLinesDocument)
    # the editor deletes the line holding the odd character (line 1, as LSP counts)
    assert _change(server, uri, (1, 0), (2, 0), "") == "import os\n\ndef greet(name):\n    pass\n"


def test_a_lone_cr_and_crlf_are_line_breaks():
    server = _initialized_server()
    uri = _open(server, "a\rb\r\nc\nd")
    # replace line 2 ("c") as LSP counts: a | b | c | d
    assert _change(server, uri, (2, 0), (2, 1), "C") == "a\rb\r\nC\nd"
    assert _change(server, uri, (3, 0), (3, 1), "D", version=3) == "a\rb\r\nC\nD"


def test_lines_with_ends_matches_splitlines_on_plain_text():
    for text in ["", "a", "a\n", "a\nb", "\n\n", "a\r\nb\r\n", "x\ry"]:
        assert lines_with_ends(text) == tuple(text.splitlines(True))
    assert lines_with_ends("a\x0cb\u2028c\n") == ("a\x0cb\u2028c\n",)


def test_positions_codefloor_computes_count_a_lone_cr_as_a_break():
    from codefloor.lsp.convert import lines_of

    assert lines_of("a\rb\r\nc\n\x0cd\u2028e") == ["a\r", "b\r", "c", "\x0cd\u2028e"]
    assert len(lines_of("x\ry")) == 2 and len(lines_of("x\u2028y")) == 1
