"""Edits in the domain's coordinates: 0-based lines, columns counted in code points (Python str indices)."""

from __future__ import annotations

from dataclasses import dataclass


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


def end_of(text: str) -> Pos:
    lines = text.split("\n")
    return Pos(len(lines) - 1, len(lines[-1]))


def apply_edits(text: str, edits: tuple[TextEdit, ...] | list[TextEdit]) -> str:
    """Apply non-overlapping edits (used by tests and by the preview in hover/logs)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(pos: Pos) -> int:
        return starts[pos.line] + pos.col

    out = text
    for edit in sorted(edits, key=lambda e: (e.start.line, e.start.col), reverse=True):
        out = out[: offset(edit.start)] + edit.new_text + out[offset(edit.end) :]
    return out
