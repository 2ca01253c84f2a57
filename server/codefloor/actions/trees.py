"""One syntax tree per open document, kept up to date from the editor's changes.

A keystroke costs a Tree.edit and a splice of the document's bytes (no parse); the next listing
re-parses incrementally with the edited old tree, so only what changed is parsed again. A full
parse happens on first use, after a whole-document change, and whenever the stored copy cannot be
trusted (a version gap, a change this module cannot map): correctness first, speed second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Parser, Point, Tree

from codefloor.actions.languages import Language, language_for
from codefloor.actions.source import Parsed, new_parser, row_start, to_bytes


@dataclass
class _Entry:
    lang: Language
    parser: Parser
    data: bytearray
    tree: Tree
    version: int | None
    dirty: bool = False
    lone_cr: bool = False  # the text has a lone \r (given to tree-sitter as \n): no incremental edits
    pending: list[tuple[int, int]] = field(default_factory=list)  # edited byte ranges since the last parse


@dataclass(frozen=True, slots=True)
class Change:
    """One LSP content change: a range in (line, column in client units) and its new text, or
    range None for a whole-document replacement."""

    text: str
    start: tuple[int, int] | None = None
    end: tuple[int, int] | None = None


MAX_PENDING = 1000  # more separate edited ranges than this since the last parse: re-parse the file


class DocumentTrees:
    def __init__(self) -> None:
        self._docs: dict[str, _Entry] = {}
        self._parsers: dict[str, Parser] = {}
        self.full_parses = 0  # for benchmarks and tests: how often a whole document was parsed

    def get(self, uri: str, *, text: Callable[[], str], language_id: str | None, path: str, version: int | None) -> Parsed | None:
        """The document's tree, current for `version`; None for a language the actions do not know."""
        lang = language_for(language_id, path)
        if lang is None:
            self._docs.pop(uri, None)
            return None
        entry = self._docs.get(uri)
        if entry is None or entry.lang.key != lang.key or entry.version != version:
            parser = self._parsers.get(lang.key) or self._parsers.setdefault(lang.key, new_parser(lang))
            source = text()
            data = bytearray(to_bytes(source))
            entry = _Entry(lang, parser, data, parser.parse(data), version, lone_cr="\r" in source and source.count("\r") != source.count("\r\n"))
            self.full_parses += 1
            self._docs[uri] = entry
        if not entry.dirty:
            return Parsed(lang, entry.data, entry.tree)
        if len(entry.pending) > MAX_PENDING:
            return self._reparse(entry)
        # Not re-parsed yet: exact outside the edited ranges; function_at asks for a re-parse
        # through `refresh` only when the cursor's function or line was edited.
        return Parsed(lang, entry.data, entry.tree, tuple(entry.pending), refresh=lambda: self._reparse(entry))

    def _reparse(self, entry: _Entry) -> Parsed:
        if entry.dirty:
            entry.tree = entry.parser.parse(entry.data, entry.tree)
            entry.dirty = False
            entry.pending.clear()
        return Parsed(entry.lang, entry.data, entry.tree)

    def change(self, uri: str, version: int | None, changes: list[Change], units: Callable[[str], int]) -> None:
        """Apply the editor's changes to the stored copy (`units(char)` = client units per code point)."""
        entry = self._docs.get(uri)
        if entry is None:
            return
        if entry.lone_cr:
            self._docs.pop(uri, None)
            return
        try:
            for change in changes:
                if change.start is None or change.end is None or not self._edit(entry, change, units):
                    self._docs.pop(uri, None)  # rebuilt from the editor's text on next use
                    return
        except (IndexError, ValueError, UnicodeDecodeError):
            self._docs.pop(uri, None)
            return
        entry.version = version

    def forget(self, uri: str) -> None:
        self._docs.pop(uri, None)

    def __len__(self) -> int:
        return len(self._docs)

    # -- internals --------------------------------------------------------------------------

    def _edit(self, entry: _Entry, change: Change, units: Callable[[str], int]) -> bool:
        assert change.start is not None and change.end is not None
        new = change.text.encode("utf-8", errors="replace")
        if new.count(b"\r") != new.count(b"\r\n") or new.endswith(b"\r"):
            return False  # a lone \r is mapped to \n for tree-sitter; recompute rather than guess
        start_row, start_col = self._byte_point(entry, *change.start, units)
        end_row, end_col = self._byte_point(entry, *change.end, units)
        start = self._row_start(entry, start_row) + start_col
        end = self._row_start(entry, end_row) + end_col
        if end < start or (start > 0 and entry.data[start - 1 : start] == b"\r"):
            return False  # inside a \r\n pair: not a position LSP can name
        newlines = new.count(b"\n")
        new_end = Point(start_row + newlines, (start_col + len(new)) if not newlines else len(new) - new.rfind(b"\n") - 1)
        entry.tree.edit(start, end, start + len(new), Point(start_row, start_col), Point(end_row, end_col), new_end)
        entry.data[start:end] = new
        entry.dirty = True
        delta = len(new) - (end - start)
        shifted = [(lo + delta, hi + delta) if lo > end else (lo, max(lo, hi + delta) if hi >= start else hi) for lo, hi in entry.pending]
        lo, hi = start, start + len(new)
        kept = []
        for a, b in shifted:  # typing in one place keeps one range
            if a <= hi + 1 and lo <= b + 1:
                lo, hi = min(lo, a), max(hi, b)
            else:
                kept.append((a, b))
        kept.append((lo, hi))
        entry.pending[:] = kept
        return True

    def _byte_point(self, entry: _Entry, line: int, column: int, units: Callable[[str], int]) -> tuple[int, int]:
        """(row, byte column) of an LSP position: the column is counted in client units along the
        line (clamped to it, as LSP says a column past the end means the end)."""
        row_start = self._row_start(entry, line)
        stop = entry.data.find(b"\n", row_start)
        raw = bytes(entry.data[row_start : stop if stop >= 0 else len(entry.data)])
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if column == 0:
            return line, 0
        count = 0
        text = raw.decode("utf-8")
        for index, char in enumerate(text):
            if count >= column:
                return line, len(text[:index].encode("utf-8"))
            count += units(char)
        return line, len(raw)

    def _row_start(self, entry: _Entry, row: int) -> int:
        start = row_start(entry.tree, entry.data, row)
        if start > 0 and entry.data[start - 1 : start] != b"\n":
            raise ValueError("the edited tree no longer matches the bytes")  # -> full parse on next use
        return start


def lsp_changes(content_changes: list[Any]) -> list[Change]:
    """lsprotocol-shaped content changes (objects with .text and optional .range) -> Change."""
    out = []
    for c in content_changes:
        rng = getattr(c, "range", None)
        if rng is None:
            out.append(Change(c.text))
        else:
            out.append(Change(c.text, (rng.start.line, rng.start.character), (rng.end.line, rng.end.character)))
    return out
