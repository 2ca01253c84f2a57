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


# -- the rope under LspLinesDocument against pygls' own apply_change -----------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from pygls.workspace import PositionCodec, TextDocument  # noqa: E402

from codefloor.actions.rope import content  # noqa: E402

PIECES = ["a", "b", " ", "\n", "\r", "\r\n", "é", "名", "😀", "𝄞x", "\x0c", "\u2028", "\x85", "def f():\n    pass\n", "x = 1\r\n"]
_texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


class _PyglsOnLspLines(TextDocument):
    """pygls 2.1.1's own apply_change, given the LSP's lines: what LspLinesDocument did before the rope
    (it rebuilt the whole text on every change)."""

    @property
    def lines(self):
        return lines_with_ends(self.source)


def _client_position(draw, text: str, codec: PositionCodec) -> types.Position:
    lines = list(lines_with_ends(text))
    if not lines or lines[-1].endswith(("\n", "\r")):
        lines.append("")
    row = draw(st.integers(0, len(lines) - 1))
    units = codec.client_num_units(content(lines[row]))
    return types.Position(line=row, character=draw(st.integers(0, units)))  # inside a surrogate pair too


@pytest.mark.parametrize("encoding", [types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf32])
@settings(max_examples=150, deadline=None)
@given(text=_texts, data=st.data())
def test_changes_land_where_pygls_puts_them_on_lsp_lines(encoding, text, data):
    codec = PositionCodec(encoding)
    ours = LspLinesDocument("file:///w/m.py", source=text, position_codec=codec)
    reference = _PyglsOnLspLines("file:///w/m.py", source=text, position_codec=codec)
    for _ in range(data.draw(st.integers(1, 10))):
        new = data.draw(_texts.filter(lambda t: len(t) < 20))
        if data.draw(st.integers(0, 9)) == 0:  # now and then a client sends the whole text
            change = types.TextDocumentContentChangeWholeDocument(text=new)
        else:
            start = _client_position(data.draw, reference.source, codec)
            end = _client_position(data.draw, reference.source, codec)
            if (end.line, end.character) < (start.line, start.character):
                start, end = end, start
            change = types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text=new)
        reference.apply_change(change)
        ours.apply_change(change)
        assert ours.source == reference.source
        assert "".join(ours.lines) == ours.source and all(line[:-1].find("\n") < 0 for line in ours.lines)


def test_a_position_past_the_end_is_the_end_and_a_document_with_no_text_given_is_read_like_pygls(tmp_path):
    document = LspLinesDocument("file:///w/m.py", source="ab\ncd")
    document.apply_change(types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=1, character=99), end=types.Position(line=7, character=0)), text="!"))
    assert document.source == "ab\ncd!"  # (pygls 2.1.1 gives "ab\nc!": it clamps to one before the end of a last line, then deletes to it)
    path = tmp_path / "on_disk.py"
    path.write_text("x = 1\n", encoding="utf-8")
    assert LspLinesDocument(path.as_uri()).source == TextDocument(path.as_uri()).source == "x = 1\n"


def test_a_keystroke_joins_no_whole_text_and_the_tree_follows_it(monkeypatch):
    """didChange through codefloor's protocol and handlers (pygls sync, rope, tree, regions): the
    whole text is never built (that was O(file) per keystroke), and the tree takes the edit."""
    from codefloor.actions.rope import Rope
    from codefloor.actions.source import function_at
    from codefloor.lsp.features.code_actions import parsed_for

    server = _initialized_server()
    uri = _open(server, "def f():\r\n    pass\r\n\r\n" * 3000 + "def g():\r\n    pass\r\n")
    document = server.workspace.get_text_document(uri)
    assert function_at(parsed_for(server, document), 9001).is_stub and server.trees.full_parses == 1
    monkeypatch.setattr(Rope, "__str__", lambda self: pytest.fail("a keystroke joined the whole text"))
    for version, text in enumerate(["r", "eturn 1", "  # 😀"], start=2):
        at = 4 + (version > 2) + (version > 3) * 7
        params = types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=9001, character=at), end=types.Position(line=9001, character=8 if version == 2 else at)), text=text)])
        handler = server.protocol.lsp_text_document__did_change(params)
        for user_handler, args, _ in handler:  # pygls runs the feature's handler for each yield
            user_handler(*args)
    assert document.rope.line(9001) == "    return 1  # 😀\r\n"
    site = function_at(parsed_for(server, document), 9001)
    assert site.name == "g" and not site.is_stub and server.trees.full_parses == 1
