"""pygls' documents on the LSP's line model: lines end at \\n, \\r\\n or \\r, nothing else.

pygls 2.1.1 gives TextDocument.lines as `source.splitlines(True)`, which also breaks at \\f, \\v,
\\x1c-\\x1e, \\x85, U+2028 and U+2029; it applies every incremental didChange and converts every
position through those lines, so a form feed or a lone U+2028 above an edit put the change on
the wrong line (issue 13, item 2). The editor and codefloor's own code (actions/lines.py) count
lines the LSP way; here pygls' documents do too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pygls.workspace import TextDocument, Workspace

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # one line with its terminator


def lines_with_ends(text: str) -> tuple[str, ...]:
    """`text` cut after each LSP line break ("a\\fb\\r\\nc" -> ("a\\fb\\r\\n", "c"))."""
    return tuple(_LINE.findall(text))


class LspLinesDocument(TextDocument):
    @property
    def lines(self) -> Sequence[str]:
        return lines_with_ends(self.source)


def adopt(workspace: Workspace) -> None:
    """Make `workspace` create LspLinesDocument. Checked against pygls 2.1.1: documents are made by
    the private Workspace._create_text_document from its private _sync_kind and _position_codec."""

    def create(doc_uri: str, source: str | None = None, version: int | None = None,
               language_id: str | None = None) -> TextDocument:
        return LspLinesDocument(doc_uri, source=source, version=version, language_id=language_id,
                                sync_kind=workspace._sync_kind, position_codec=workspace._position_codec)

    workspace._create_text_document = create  # type: ignore[method-assign]
