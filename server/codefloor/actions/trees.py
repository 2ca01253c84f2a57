"""One syntax tree per open document, kept up to date from the editor's changes.

The tree reads the open document's own text, a Rope (actions/rope.py), through its UTF-8 view: no
copy of the bytes. A keystroke costs a Tree.edit with the edit the rope computed (no parse); the
next listing re-parses incrementally with the edited old tree, so only what changed is parsed
again. A full parse happens on first use, after a whole-document change, and whenever the tree
cannot be trusted to follow (a version it did not see, an edit it missed): correctness first.

A full parse of a large file takes seconds (py-tree-sitter holds the GIL, so a thread would not
free the event loop). `parse_in_slices` does it in slices of PARSE_SLICE_S: tree-sitter stops when
its progress callback says so and resumes on the next call; the caller lets others run in
between. It parses a snapshot of the rope, and the edits made meanwhile (change() collects them)
are applied to the tree when it is done, as for any keystroke.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
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
PARSE_SLICE_S = 0.005  # parse_in_slices gives the event loop back at least this often (about)


@dataclass
class _Build:
    """A full parse in slices, under way: the edits the rope made since its snapshot."""

    text: Rope
    revision: int  # the rope's revision at the snapshot
    version: int | None  # the document's version after the latest edit
    edits: list[Edit] = field(default_factory=list)


class DocumentTrees:
    def __init__(self) -> None:
        self._docs: dict[str, _Entry] = {}
        self._parsers: dict[str, Parser] = {}
        self._builds: dict[str, _Build] = {}
        self.full_parses = 0  # for benchmarks and tests: how often a whole document was parsed

    def current(self, uri: str, *, text: Rope, language_id: str | None, path: str, version: int | None) -> bool:
        """get() would not parse the whole document (it has a tree for it, or none is wanted)."""
        lang = language_for(language_id, path)
        return lang is None or self._current(self._docs.get(uri), lang, text, version)

    def parse_in_slices(self, uri: str, *, text: Rope, language_id: str | None, path: str, version: int | None) -> Iterator[None]:
        """Give the document a tree as get() would, yielding after each slice of parsing so the
        caller can let other work run (next() it to the end, e.g. awaiting asyncio.sleep(0) between)."""
        while uri in self._builds:  # another caller is parsing it: wait for that tree
            yield
        lang = language_for(language_id, path)
        if lang is None or self._current(self._docs.get(uri), lang, text, version):
            return
        build = self._builds[uri] = _Build(text, text.revision, version)
        text.take_edits()  # the tree starts from the text as it is now; change() collects the rest
        parser, read, tree = new_parser(lang), text.reader(), None  # a parser of its own: it stops mid-parse
        deadline = 0.0
        try:
            while tree is None:
                deadline = time.perf_counter() + PARSE_SLICE_S
                try:
                    tree = parser.parse(read, progress_callback=lambda _byte, _error: time.perf_counter() > deadline)
                except ValueError:  # py-tree-sitter 0.26: "Parsing failed" when the callback stopped it
                    if time.perf_counter() <= deadline:
                        raise
                    yield
                if self._builds.get(uri) is not build:  # forgotten (closed) meanwhile
                    return
        finally:
            if self._builds.get(uri) is build:
                del self._builds[uri]
        self.full_parses += 1
        entry = _Entry(lang, parser, text, tree, build.version, build.revision)
        for edit in build.edits:
            self._edit(entry, edit)
        entry.revision += len(build.edits)
        if entry.revision == text.revision:  # else an edit went missing: get() parses again
            self._docs[uri] = entry

    def get(self, uri: str, *, text: Rope, language_id: str | None, path: str, version: int | None) -> Parsed | None:
        """The document's tree, current for `version`; None for a language the actions do not know."""
        lang = language_for(language_id, path)
        if lang is None:
            self._docs.pop(uri, None)
            return None
        entry = self._docs.get(uri)
        if not self._current(entry, lang, text, version):
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
        build = self._builds.get(uri)
        if build is not None and build.text is text:  # parse_in_slices applies them when it is done
            build.edits += edits
            build.version = version
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
        self._builds.pop(uri, None)

    def __len__(self) -> int:
        return len(self._docs)

    # -- internals --------------------------------------------------------------------------

    @staticmethod
    def _current(entry: _Entry | None, lang: Language, text: Rope, version: int | None) -> bool:
        return (entry is not None and entry.lang.key == lang.key and entry.version == version and entry.text is text
                and entry.revision == text.revision)

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
