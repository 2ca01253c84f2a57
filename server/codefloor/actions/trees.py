"""One syntax tree per open document, kept up to date from the editor's changes.

The tree reads the open document's own text, a Rope (actions/rope.py), through its UTF-8 view: no
copy of the bytes. A keystroke costs a Tree.edit with the edit the rope computed (no parse); the
next listing re-parses incrementally with the edited old tree, so only what changed is parsed
again. A full parse happens on first use, after a whole-document change, and whenever the tree
cannot be trusted to follow (a version it did not see, an edit it missed): correctness first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Parser, Point, Tree

from codefloor.actions.languages import Language, language_for
from codefloor.actions.rope import Edit, Rope
from codefloor.actions.source import Parsed, new_parser


@dataclass
class _Entry:
    lang: Language
    parser: Parser
    text: Rope  # the open document's own text: the tree reads its bytes (Rope.utf8)
    tree: Tree
    version: int | None
    revision: int  # the rope's revision the tree has been edited to
    dirty: bool = False
    pending: list[tuple[int, int]] = field(default_factory=list)  # edited byte ranges since the last parse


MAX_PENDING = 1000  # more separate edited ranges than this since the last parse: re-parse the file


class DocumentTrees:
    def __init__(self) -> None:
        self._docs: dict[str, _Entry] = {}
        self._parsers: dict[str, Parser] = {}
        self.full_parses = 0  # for benchmarks and tests: how often a whole document was parsed

    def get(self, uri: str, *, text: Rope, language_id: str | None, path: str, version: int | None) -> Parsed | None:
        """The document's tree, current for `version`; None for a language the actions do not know."""
        lang = language_for(language_id, path)
        if lang is None:
            self._docs.pop(uri, None)
            return None
        entry = self._docs.get(uri)
        if entry is None or entry.lang.key != lang.key or entry.version != version or entry.text is not text or entry.revision != text.revision:
            parser = self._parsers.get(lang.key) or self._parsers.setdefault(lang.key, new_parser(lang))
            text.take_edits()  # the tree starts from the text as it is now
            entry = _Entry(lang, parser, text, parser.parse(text.utf8), version, text.revision)
            self.full_parses += 1
            self._docs[uri] = entry
        if not entry.dirty:
            return Parsed(lang, text.utf8, entry.tree)
        if len(entry.pending) > MAX_PENDING:
            return self._reparse(entry)
        # Not re-parsed yet: exact outside the edited ranges; function_at asks for a re-parse
        # through `refresh` only when the cursor's function or line was edited.
        return Parsed(lang, text.utf8, entry.tree, tuple(entry.pending), refresh=lambda: self._reparse(entry))

    def _reparse(self, entry: _Entry) -> Parsed:
        if entry.dirty:
            entry.tree = entry.parser.parse(entry.text.utf8, entry.tree)
            entry.dirty = False
            entry.pending.clear()
        return Parsed(entry.lang, entry.text.utf8, entry.tree)

    def change(self, uri: str, version: int | None, text: Rope) -> None:
        """The editor changed the document (its rope has applied the changes): edit the tree with
        the rope's edits, no parse. A tree that cannot follow (the text was replaced whole, an edit
        went missing) is dropped and rebuilt on next use."""
        edits = text.take_edits()
        entry = self._docs.get(uri)
        if entry is None:
            return
        if entry.text is not text or entry.revision + len(edits) != text.revision:
            self._docs.pop(uri, None)
            return
        for edit in edits:
            self._edit(entry, edit)
        entry.revision = text.revision
        entry.version = version

    def forget(self, uri: str) -> None:
        self._docs.pop(uri, None)

    def __len__(self) -> int:
        return len(self._docs)

    # -- internals --------------------------------------------------------------------------

    def _edit(self, entry: _Entry, edit: Edit) -> None:
        start, end, new_end = edit.start_byte, edit.old_end_byte, edit.new_end_byte
        entry.tree.edit(start, end, new_end, Point(*edit.start_point), Point(*edit.old_end_point), Point(*edit.new_end_point))
        entry.dirty = True
        delta = new_end - end
        shifted = [(lo + delta, hi + delta) if lo > end else (lo, max(lo, hi + delta) if hi >= start else hi) for lo, hi in entry.pending]
        lo, hi = start, new_end
        kept = []
        for a, b in shifted:  # typing in one place keeps one range
            if a <= hi + 1 and lo <= b + 1:
                lo, hi = min(lo, a), max(hi, b)
            else:
                kept.append((a, b))
        kept.append((lo, hi))
        entry.pending[:] = kept
