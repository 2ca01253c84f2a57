"""lsprotocol <-> domain values. LSP columns are in the negotiated encoding (UTF-16 by default);
domain columns are code points. pygls's document position codec does the conversion."""

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from codefloor.actions.edits import FileEdit, Pos, TextEdit
from codefloor.actions.generate import Doc
from codefloor.actions.offers import Problem


_LSP_BREAK = re.compile(r"\n|(?<=\r)(?!\n)")  # after \n, or after a \r that no \n follows


def lines_of(text: str) -> list[str]:
    """The document's lines as LSP counts them (breaks at \n, \r\n and a lone \r, nothing else; see
    actions/lines.py). A \r ending a line stays in it, so an edit that ends a line keeps its ending."""
    return _LSP_BREAK.split(text)


def to_pos(lines: list[str], position: types.Position, codec: Any) -> Pos:
    """Client position -> code points, clamped to the document (clients may send one past the end)."""
    if position.line >= len(lines):
        return Pos(len(lines) - 1, len(lines[-1]))
    line = lines[position.line]
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return Pos(position.line, index)
        units += codec.client_num_units(char)
    return Pos(position.line, len(line))


def to_lsp_position(doc_lines: list[str], pos: Pos, codec) -> types.Position:
    """Code-point position -> client units, computed from the given lines (before the edit applies)."""
    if pos.line >= len(doc_lines):
        return types.Position(line=pos.line, character=pos.col)
    line = doc_lines[pos.line]
    return types.Position(line=pos.line, character=codec.client_num_units(line[: pos.col]))


def to_lsp_range(doc_lines: list[str], start: Pos, end: Pos, codec) -> types.Range:
    return types.Range(start=to_lsp_position(doc_lines, start, codec), end=to_lsp_position(doc_lines, end, codec))


def to_problem(lines: list[str], diagnostic: types.Diagnostic, codec: Any) -> Problem:
    code = diagnostic.code
    return Problem(
        message=diagnostic.message,
        start=to_pos(lines, diagnostic.range.start, codec),
        end=to_pos(lines, diagnostic.range.end, codec),
        source=diagnostic.source,
        code=str(code) if code is not None else None,
    )


def doc_path(uri: str) -> str:
    """The document's file system path, POSIX style ("" for untitled documents)."""
    return (to_fs_path(uri) or "").replace("\\", "/")


def to_doc(document: TextDocument) -> Doc:
    return Doc(
        uri=document.uri,
        path=doc_path(document.uri),
        text=document.source,
        language_id=document.language_id,
        version=document.version,
    )


def workspace_edit(
    file_edits: list[FileEdit],
    *,
    lines_for: Any,
    codec: Any,
    version_for: Any,
    document_changes: bool,
    annotation: types.ChangeAnnotation | None = None,
) -> types.WorkspaceEdit:
    """Domain file edits -> a WorkspaceEdit.

    `lines_for(uri)` gives the lines the edit positions refer to (the document as it was when the
    edit was computed). `version_for(uri)` gives that version: the client applies a versioned
    edit only to that version, so a document changed meanwhile is left alone.
    """
    annotation_id = "codefloor" if annotation is not None else None
    if not document_changes:
        changes = {
            fe.uri: [_text_edit(lines_for(fe.uri), e, codec, None) for e in fe.edits] for fe in file_edits
        }
        return types.WorkspaceEdit(changes=changes)
    operations: list[Any] = []
    for fe in file_edits:
        if fe.create:
            operations.append(
                types.CreateFile(
                    uri=fe.uri,
                    options=types.CreateFileOptions(overwrite=False, ignore_if_exists=True),
                    annotation_id=annotation_id,
                )
            )
        version = version_for(fe.uri) if fe.versioned else None
        operations.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=fe.uri, version=version),
                edits=[_text_edit(lines_for(fe.uri), e, codec, annotation_id) for e in fe.edits],
            )
        )
    return types.WorkspaceEdit(
        document_changes=operations,
        change_annotations={annotation_id: annotation} if annotation is not None else None,
    )


def _text_edit(lines: list[str], edit: TextEdit, codec: Any, annotation_id: str | None):
    edit = whole_lines_if_ambiguous(lines, edit)
    rng = to_lsp_range(lines, edit.start, edit.end, codec)
    if annotation_id is not None:
        return types.AnnotatedTextEdit(range=rng, new_text=edit.new_text, annotation_id=annotation_id)
    return types.TextEdit(range=rng, new_text=edit.new_text)


def whole_lines_if_ambiguous(lines: list[str], edit: TextEdit) -> TextEdit:
    """A column after non-ASCII text means different places to clients that count UTF-16 units
    (the protocol), code points or bytes (Vim's ALE 3.3 counts bytes). Such an edit is widened to
    whole lines, whose column 0 every client places alike; an edit with only ASCII before its
    columns is sent as it is."""

    def clear(pos: Pos) -> bool:
        return pos.line >= len(lines) or lines[pos.line][: pos.col].isascii()

    if clear(edit.start) and clear(edit.end) or edit.end.line >= len(lines) - 1:
        return edit  # (an edit reaching into the last line has no next line to end at)
    start_line, end_line = lines[edit.start.line], lines[edit.end.line]
    new_text = start_line[: edit.start.col] + edit.new_text + end_line[edit.end.col :] + "\n"
    return TextEdit(Pos(edit.start.line, 0), Pos(edit.end.line + 1, 0), new_text)
