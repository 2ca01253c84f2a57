"""Column conversion (UTF-16 / UTF-8 / UTF-32 <-> code points) and hover regions following edits."""

import pytest
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from codefloor.actions.edits import FileEdit, Pos, TextEdit
from codefloor.lsp.convert import lines_of, to_lsp_position, to_pos, workspace_edit
from codefloor.lsp.regions import RegionStore

LINES = lines_of("a = '😀名'  # x\nb\n")


@pytest.mark.parametrize(("encoding", "units"), [("utf-16", 7), ("utf-8", 9), ("utf-32", 6)])
def test_columns_after_emoji_and_cjk_round_trip(encoding, units):
    codec = PositionCodec(encoding)
    # code point 6 is just after the emoji (2 UTF-16 units, 4 UTF-8 bytes), before the CJK character
    assert to_lsp_position(LINES, Pos(0, 6), codec) == types.Position(line=0, character=units)
    assert to_pos(LINES, types.Position(line=0, character=units), codec) == Pos(0, 6)


def test_positions_past_the_end_are_clamped():
    codec = PositionCodec("utf-16")
    assert to_pos(LINES, types.Position(line=1, character=99), codec) == Pos(1, 1)
    assert to_pos(LINES, types.Position(line=9, character=0), codec) == Pos(2, 0)


def test_workspace_edit_is_versioned_and_annotated_or_plain():
    codec = PositionCodec("utf-16")
    edits = [FileEdit("file:///m.py", (TextEdit(Pos(0, 6), Pos(0, 6), "!"),))]
    annotation = types.ChangeAnnotation(label="codefloor: m (70 ≥ 60)")
    versioned = workspace_edit(edits, lines_for=lambda uri: LINES, codec=codec, version_for=lambda uri: 4,
                               document_changes=True, annotation=annotation)
    [change] = versioned.document_changes
    assert change.text_document.version == 4 and change.edits[0].annotation_id == "codefloor"
    # the column follows an emoji, which clients count differently: the edit goes as the whole line
    assert change.edits[0].range == types.Range(start=types.Position(line=0, character=0), end=types.Position(line=1, character=0))
    assert change.edits[0].new_text == "a = '😀!名'  # x\n"
    plain = workspace_edit(edits, lines_for=lambda uri: LINES, codec=codec, version_for=lambda uri: 4, document_changes=False)
    assert list(plain.changes) == ["file:///m.py"] and plain.document_changes is None


def test_regions_move_with_edits_above_and_grow_with_edits_inside():
    store = RegionStore()
    store.add("u", 10, "\n    return 1\n    # done", {"model": "m"})  # lines 10-12
    store.shift("u", 2, 2, "x\ny\n")  # two lines inserted above
    assert store.at("u", 12).start_line == 12 and store.at("u", 14) is not None and store.at("u", 11) is None
    store.shift("u", 13, 13, "z\n")  # a line added inside the region
    assert store.at("u", 15) is not None
    store.shift("u", 0, 3, "")  # three lines deleted above
    assert store.at("u", 9).start_line == 9
