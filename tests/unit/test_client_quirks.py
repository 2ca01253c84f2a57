"""What the server does for clients that count or sync differently (found by the real-editor
tests in tests/editors/): whole-line edits where columns would be ambiguous, and hover regions
found again after a whole-document didChange."""

from __future__ import annotations

from codefloor.actions.edits import Pos, TextEdit
from codefloor.lsp.convert import lines_of, whole_lines_if_ambiguous
from codefloor.lsp.regions import RegionStore

DOC = 'def greet(name):\n    """Say hi 👋."""\n    pass\n\n\nVALUE = '


def applied(text: str, edit: TextEdit) -> str:
    lines = lines_of(text)

    def offset(p: Pos) -> int:
        return sum(len(line) + 1 for line in lines[: p.line]) + p.col

    return text[: offset(edit.start)] + edit.new_text + text[offset(edit.end) :]


def test_an_edit_whose_column_follows_non_ascii_text_becomes_whole_lines_with_the_same_result():
    edit = TextEdit(Pos(1, 19), Pos(2, 8), '\n    return "hi " + name')
    wide = whole_lines_if_ambiguous(lines_of(DOC), edit)
    assert (wide.start, wide.end) == (Pos(1, 0), Pos(3, 0))
    assert applied(DOC, wide) == applied(DOC, edit)


def test_edits_with_only_ascii_before_their_columns_are_sent_as_they_are():
    lines = lines_of(DOC)
    for edit in (TextEdit(Pos(2, 4), Pos(2, 8), "return 1"), TextEdit(Pos(0, 0), Pos(0, 3), "async def")):
        assert whole_lines_if_ambiguous(lines, edit) is edit


def test_an_edit_reaching_the_last_line_keeps_its_columns():
    text = "x = '👋'\ny = 1"
    edit = TextEdit(Pos(0, 7), Pos(1, 5), "\ny = 2")
    assert whole_lines_if_ambiguous(lines_of(text), edit) is edit


def test_crlf_lines_keep_their_line_ending_when_widened():
    text = DOC.replace("\n", "\r\n")
    edit = TextEdit(Pos(1, 19), Pos(2, 8), '\r\n    return 1')
    assert applied(text, whole_lines_if_ambiguous(lines_of(text), edit)) == applied(text, edit)


def test_hover_regions_are_found_again_after_a_whole_document_change():
    regions = RegionStore()
    written = '    return "hi " + name'
    regions.add("u", 2, written, {"model": "m"})
    regions.relocate("u", "import os\n\n" + DOC.replace("    pass", written))
    assert regions.at("u", 4) is not None and regions.at("u", 2) is None
    regions.relocate("u", DOC)  # the written line is gone (undone): nothing to hover
    assert regions.at("u", 2) is None and regions.at("u", 4) is None


def test_relocation_picks_the_occurrence_nearest_to_where_the_region_was():
    regions = RegionStore()
    regions.add("u", 5, "    pass\n", {"model": "m"})
    text = "\n".join(["def a():", "    pass", "", "", "def b():", "    pass", "", "def c():", "    pass", ""])
    regions.relocate("u", "\n" + text)  # one line inserted at the top
    region = regions.at("u", 6)
    assert region is not None and (region.start_line, region.end_line) == (6, 7)
