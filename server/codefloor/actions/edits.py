"""Edits in the domain's coordinates: 0-based lines (the LSP's line model, see lines.py), columns
counted in code points (Python str indices)."""

from __future__ import annotations

from dataclasses import dataclass

from codefloor.actions.lines import BREAK


@dataclass(frozen=True, slots=True)
class Pos:
    line: int
    col: int  # code points, not UTF-16 units


@dataclass(frozen=True, slots=True)
class TextEdit:
    start: Pos
    end: Pos
    new_text: str


@dataclass(frozen=True, slots=True)
class FileEdit:
    """Edits to one file. `create` = the file does not exist yet and must be created first."""

    uri: str
    edits: tuple[TextEdit, ...]
    create: bool = False
    versioned: bool = True  # False for files the editor may not have open (e.g. the test file)


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in BREAK.finditer(text))]


def end_of(text: str) -> Pos:
    starts = _line_starts(text)
    return Pos(len(starts) - 1, len(text) - starts[-1])


def apply_edits(text: str, edits: tuple[TextEdit, ...] | list[TextEdit]) -> str:
    """The text after non-overlapping edits: what the editor will have (the answer check parses it)."""
    starts = _line_starts(text)

    def offset(pos: Pos) -> int:
        if pos.line >= len(starts):
            return len(text)
        line_end = starts[pos.line + 1] if pos.line + 1 < len(starts) else len(text)
        return min(starts[pos.line] + pos.col, line_end)

    out = text
    for edit in sorted(edits, key=lambda e: (e.start.line, e.start.col), reverse=True):
        out = out[: offset(edit.start)] + edit.new_text + out[offset(edit.end) :]
    return out
