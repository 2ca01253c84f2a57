"""pygls' documents on the LSP's line model (lines end at \\n, \\r\\n or \\r, nothing else), kept as
a rope (actions/rope.py) so a keystroke costs O(edit + log n)-ish, not O(file).

pygls 2.1.1 gives TextDocument.lines as `source.splitlines(True)`, which also breaks at \\f, \\v,
\\x1c-\\x1e, \\x85, U+2028 and U+2029; it applies every incremental didChange and converts every
position through those lines, so a form feed or a lone U+2028 above an edit put the change on
the wrong line (issue 13, item 2). It also rebuilds the whole text, line by line in Python, on every
change: 190 ms a keystroke on a 20 MB file (benchmarks/actions/keystrokes.py). Here a change is
applied to the document's Rope; `source` is joined only when someone asks for the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

from codefloor.actions.lines import lines_with_ends
from codefloor.actions.rope import Rope, content

__all__ = ["LspLinesDocument", "adopt", "lines_with_ends"]

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class LspLinesDocument(TextDocument):
    """A TextDocument whose text is `self.rope`. Every change is applied as incremental or whole
    (codefloor's server always asks for incremental sync). Checked against pygls 2.1.1: it overrides
    the public `apply_change`, `source` and `lines`, and passes TextDocument.__init__ no text, so
    pygls keeps no second copy."""

    def __init__(self, uri: str, source: str | None = None, version: int | None = None, language_id: str | None = None,
                 local: bool = True, sync_kind: types.TextDocumentSyncKind = types.TextDocumentSyncKind.Incremental,
                 position_codec: Any = None) -> None:
        super().__init__(uri, None, version, language_id, local, sync_kind, position_codec)  # the text lives in the rope only
        # pygls reads the file from disk when no text is given; so does `rope`, on first use.
        self._rope: Rope | None = Rope(source) if source is not None else None

    @property
    def rope(self) -> Rope:
        if self._rope is None:
            self._rope = Rope(TextDocument.source.fget(self))  # type: ignore[attr-defined]
        return self._rope

    @property
    def source(self) -> str:
        return str(self.rope)

    @property
    def lines(self) -> Sequence[str]:
        return self.rope.lines(ends=True)  # (pygls' own helpers index it; splitting 20 MB would cost more than the edit)

    def apply_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        if isinstance(change, types.TextDocumentContentChangePartial):
            rope = self.rope
            rope.replace(self._point(rope, change.range.start), self._point(rope, change.range.end), change.text)
        else:
            self._rope = Rope(change.text)

    def _point(self, rope: Rope, position: types.Position) -> tuple[int, int]:
        """(line, code point column) of a position in client units; a column inside a surrogate
        pair rounds up, as pygls does; the rope clamps what is past a line's end."""
        if position.line >= rope.line_count:
            return position.line, 0
        line = content(rope.line(position.line))
        if line.isascii() or (self.position_codec.encoding != types.PositionEncodingKind.Utf8 and not _ASTRAL.search(line)):
            return position.line, position.character  # one unit per code point
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return position.line, index
            units += self.position_codec.client_num_units(char)
        return position.line, len(line)


def adopt(workspace: Workspace) -> None:
    """Make `workspace` create LspLinesDocument. Checked against pygls 2.1.1: documents are made by
    the private Workspace._create_text_document from its private _sync_kind and _position_codec."""

    def create(doc_uri: str, source: str | None = None, version: int | None = None,
               language_id: str | None = None) -> TextDocument:
        return LspLinesDocument(doc_uri, source=source, version=version, language_id=language_id,
                                sync_kind=workspace._sync_kind, position_codec=workspace._position_codec)

    workspace._create_text_document = create  # type: ignore[method-assign]
