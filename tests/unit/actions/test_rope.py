"""The rope under every open document (actions/rope.py) against a plain str on the LSP line model,
on random edit sequences: the text, its lines, the UTF-8 view tree-sitter reads, and the Edit given
to Tree.edit (an incrementally re-parsed tree equals a fresh parse). Small chunks, so edits cross,
split and empty them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codefloor.actions import rope as rope_module
from codefloor.actions.lines import lines_with_ends
from codefloor.actions.rope import Rope, content, to_bytes

PIECES = ["a", "b", " ", "\n", "\r", "\r\n", "é", "名", "😀", "\x0c", "\u2028", "def f():\n    pass\n", "x = 1\r\n"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def model_lines(text: str) -> list[str]:
    lines = list(lines_with_ends(text))
    if not lines or lines[-1].endswith(("\n", "\r")):
        lines.append("")  # the line after a final break
    return lines


def model_replace(text: str, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    lines = model_lines(text)

    def offset(row: int, col: int) -> int:
        if row >= len(lines):
            return len(text)
        return sum(map(len, lines[:row])) + min(col, len(content(lines[row])))

    a, b = sorted((offset(*start), offset(*end)))
    return text[:a] + new + text[b:]


edits = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 8), st.integers(0, 12), st.integers(0, 8), texts.filter(lambda t: len(t) < 30)),
                 min_size=1, max_size=12)


@pytest.fixture(params=[3, 16, 8192], ids=["chunk3", "chunk16", "chunk8192"])
def chunk(request, monkeypatch):
    monkeypatch.setattr(rope_module, "CHUNK", request.param)
    return request.param


def _point(data: bytes, byte: int) -> tuple[int, int]:
    return data[:byte].count(b"\n"), byte - (data.rfind(b"\n", 0, byte) + 1)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # `chunk` is constant
@given(text=texts, steps=edits)
def test_edits_match_a_plain_string(chunk, text, steps):
    rope = Rope(text)
    for start_row, start_col, end_row, end_col, new in steps:
        before = to_bytes(text)
        edit = rope.replace((start_row, start_col), (end_row, end_col), new)
        text = model_replace(text, (start_row, start_col), (end_row, end_col), new)
        after = to_bytes(text)
        assert str(rope) == text and len(rope) == len(text)
        assert [rope.line(row) for row in range(rope.line_count)] == model_lines(text)
        assert bytes(rope.utf8) == after and len(rope.utf8) == len(after)
        lines = model_lines(text)
        row = min(start_row, len(lines) - 1)
        assert rope.offset(row, start_col) == sum(map(len, lines[:row])) + min(start_col, len(content(lines[row])))
        assert rope.text_between(start_col, start_col + 2 * end_col) == text[start_col : start_col + 2 * end_col]
        # the Edit is what tree-sitter needs: old bytes outside it, new inside, points matching the bytes
        assert before[: edit.start_byte] + after[edit.start_byte : edit.new_end_byte] + before[edit.old_end_byte :] == after
        assert edit.start_point == _point(before, edit.start_byte)
        assert edit.old_end_point == _point(before, edit.old_end_byte)
        assert edit.new_end_point == _point(after, edit.new_end_byte)
    assert rope.take_edits() and rope.revision == len(steps) and rope.take_edits() == []


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_the_utf8_view_reads_like_the_bytes(chunk, text):
    rope, data = Rope(text), to_bytes(text)
    view = rope.utf8
    assert view.count(b"\n") == data.count(b"\n")
    for at in range(len(data) + 1):
        assert view.find(b"\n", at) == data.find(b"\n", at)
        assert view.rfind(b"\n", 0, at) == data.rfind(b"\n", 0, at)
        assert view[at : at + 5] == data[at : at + 5] and view[at - 1 : at] == data[at - 1 : at]
        assert view(at)[:1] == data[at : at + 1]  # the read callback
    starts = [0] + [i + 1 for i, byte in enumerate(data) if byte == 10]
    assert [view.row_start(row) for row in range(rope.line_count)] == starts
    with pytest.raises(IndexError):
        view.row_start(rope.line_count)


def test_a_big_text_is_cut_into_chunks_of_whole_lines():
    text = "".join(f"line {i}\r\n" if i % 3 else f"line {i}\r" for i in range(5000))
    rope = Rope(text)
    assert len(rope._chunks) > 3
    assert all(chunk.text.endswith(("\n", "\r")) for chunk in rope._chunks[:-1])
    pasted = ("x" * 999 + "\n") * 40
    rope.replace((2500, 0), (2500, 0), pasted)  # one chunk grows past 2 * CHUNK: cut again
    assert str(rope) == text.replace("line 2500", pasted + "line 2500", 1)
    assert max(len(chunk.text) for chunk in rope._chunks) <= rope_module.CHUNK + 1000


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, steps=edits)
def test_an_edited_tree_reparsed_equals_a_fresh_parse(chunk, text, steps):
    from codefloor.actions.languages import language_for
    from codefloor.actions.source import new_parser, parse
    from codefloor.actions.trees import DocumentTrees

    rope, trees = Rope(text), DocumentTrees()
    trees.get("u", text=rope, language_id="python", path="/m.py", version=0)
    for version, (start_row, start_col, end_row, end_col, new) in enumerate(steps, start=1):
        rope.replace((start_row, start_col), (end_row, end_col), new)
        trees.change("u", version, rope)
    parsed = trees.get("u", text=rope, language_id="python", path="/m.py", version=len(steps)).fresh()
    assert trees.full_parses == 1  # followed every edit
    fresh = parse(language_for("python", "/m.py"), str(rope), new_parser(language_for("python", "/m.py")))
    assert str(parsed.tree.root_node) == str(fresh.tree.root_node)
    assert parsed.tree.root_node.end_byte == fresh.tree.root_node.end_byte


def test_a_tree_that_missed_an_edit_is_rebuilt():
    from codefloor.actions.trees import DocumentTrees

    rope, trees = Rope("def f():\n    pass\n"), DocumentTrees()
    trees.get("u", text=rope, language_id="python", path="/m.py", version=1)
    rope.replace((0, 4), (0, 5), "g")
    rope.take_edits()  # lost: the tree cannot follow
    trees.change("u", 2, rope)
    assert len(trees) == 0
    assert trees.get("u", text=rope, language_id="python", path="/m.py", version=2).text(
        trees.get("u", text=rope, language_id="python", path="/m.py", version=2).tree.root_node).startswith("def g")
    assert trees.full_parses == 2


def test_an_edit_rebuilds_only_the_chunk_it_falls_in():
    rope = Rope("".join(f"x = {i}\n" for i in range(20_000)))
    before = list(rope._chunks)
    rope.replace((10_000, 4), (10_001, 0), "A\nB")  # across a line break
    rebuilt = [i for i, (old, new) in enumerate(zip(before, rope._chunks, strict=True)) if old is not new]
    assert len(rebuilt) == 1 and len(before) > 10
    assert rope.line(10_000) == "x = A\n" and rope.line(10_001) == "Bx = 10001\n"
