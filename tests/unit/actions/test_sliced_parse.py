"""A document's first full parse in slices (DocumentTrees.parse_in_slices): it gives the caller
back control between slices on a large file, ends with the tree a one-piece parse gives, and
keeps up with edits made while it parses (they are applied to the tree, as keystrokes are)."""

from __future__ import annotations

from codefloor.actions import trees as trees_module
from codefloor.actions.languages import language_for
from codefloor.actions.rope import Rope
from codefloor.actions.source import new_parser, parse
from codefloor.actions.trees import DocumentTrees

ARGS = {"language_id": "python", "path": "/big.py"}


def big_text(functions: int = 20_000) -> str:
    return "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(functions))


def fresh_root(text: str) -> str:
    lang = language_for("python", "/big.py")
    return str(parse(lang, text, new_parser(lang)).tree.root_node)


def test_a_large_file_is_parsed_in_many_slices_into_the_same_tree(monkeypatch):
    monkeypatch.setattr(trees_module, "PARSE_SLICE_S", 0.0005)
    rope, trees = Rope(big_text()), DocumentTrees()
    assert not trees.current("u", text=rope, version=1, **ARGS)
    slices = sum(1 for _ in trees.parse_in_slices("u", text=rope, version=1, **ARGS))
    assert slices > 5
    assert trees.current("u", text=rope, version=1, **ARGS) and trees.full_parses == 1
    parsed = trees.get("u", text=rope, version=1, **ARGS)
    assert str(parsed.tree.root_node) == fresh_root(str(rope)) and trees.full_parses == 1


def test_edits_made_while_it_parses_reach_the_tree(monkeypatch):
    monkeypatch.setattr(trees_module, "PARSE_SLICE_S", 0.0005)
    rope, trees = Rope(big_text()), DocumentTrees()
    steps = trees.parse_in_slices("u", text=rope, version=1, **ARGS)
    next(steps)  # parsing has begun on the text as it was
    rope.replace((1, 4), (1, 10), "pass  # was return")  # a keystroke burst in f0 while it parses
    trees.change("u", 2, rope)
    rope.replace((0, 0), (0, 0), "import os\n")
    trees.change("u", 3, rope)
    for _ in steps:
        pass
    assert trees.full_parses == 1 and trees.current("u", text=rope, version=3, **ARGS)
    parsed = trees.get("u", text=rope, version=3, **ARGS).fresh()
    assert trees.full_parses == 1  # the edits were applied, not a new full parse
    assert str(parsed.tree.root_node) == fresh_root(str(rope))


def test_a_document_closed_while_it_parses_keeps_no_tree(monkeypatch):
    monkeypatch.setattr(trees_module, "PARSE_SLICE_S", 0.0005)
    rope, trees = Rope(big_text()), DocumentTrees()
    steps = trees.parse_in_slices("u", text=rope, version=1, **ARGS)
    next(steps)
    trees.forget("u")
    assert list(steps) == [] and len(trees) == 0 and trees.full_parses == 0


def test_a_second_caller_waits_for_the_parse_under_way(monkeypatch):
    monkeypatch.setattr(trees_module, "PARSE_SLICE_S", 0.0005)
    rope, trees = Rope(big_text(5_000)), DocumentTrees()
    first = trees.parse_in_slices("u", text=rope, version=1, **ARGS)
    second = trees.parse_in_slices("u", text=rope, version=1, **ARGS)
    next(first)
    next(second)  # waits: the first is under way
    for _ in first:
        next(second, None)
    assert list(second) == [] and trees.full_parses == 1
