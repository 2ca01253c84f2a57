"""An open document's text as a one-level rope: a list of chunks of whole lines (the LSP's line
model: \\n, \\r\\n, \\r), each knowing its line breaks and its UTF-8 bytes.

An edit rebuilds the one chunk it falls in (~CHUNK characters) and the running totals of breaks,
bytes and characters over the chunk list (C-speed `accumulate`, a few thousand entries for 20 MB): O(edit + chunk
+ chunks), about sqrt(n) with this chunk size, where a str or a bytearray costs O(file) per
keystroke. The whole text as one str is built only when asked for (`str(rope)`), and kept until the
next edit. tree-sitter reads the chunks' bytes through `Rope.utf8` (Parser.parse's read callback)
and gets each edit as an `Edit` (Tree.edit's arguments), in the same rows: a lone \\r is given to
it as \\n (same byte length), so its rows are the LSP's lines.

Limitation: a chunk never splits a line, so a file that is one huge line (minified) is one chunk.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any, NamedTuple

from codefloor.actions.lines import BREAK, lines_with_ends

CHUNK = 8192  # characters a chunk is cut to; an edited chunk is cut again once over 2 * CHUNK

_LONE_CR = re.compile(rb"\r(?!\n)")


def to_bytes(text: str) -> bytes:
    """What tree-sitter is given: UTF-8, a lone \\r turned into \\n (surrogates replaced)."""
    data = text.encode("utf-8", errors="replace")  # a lone surrogate becomes "?": columns stay put
    return _LONE_CR.sub(b"\n", data) if b"\r" in data else data


def breaks(text: str) -> int:
    """How many LSP line breaks `text` holds."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


class Edit(NamedTuple):
    """One edit as tree-sitter's Tree.edit takes it (points are (row, byte column))."""

    start_byte: int
    old_end_byte: int
    new_end_byte: int
    start_point: tuple[int, int]
    old_end_point: tuple[int, int]
    new_end_point: tuple[int, int]


class _Chunk:
    __slots__ = ("text", "data", "breaks", "_lines")

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = to_bytes(text)
        self.breaks = breaks(text)
        self._lines: tuple[str, ...] | None = None

    def lines(self) -> tuple[str, ...]:
        if self._lines is None:
            self._lines = lines_with_ends(self.text)
        return self._lines


def _cut(text: str) -> list[str]:
    """`text` in pieces of about CHUNK characters, each ending after a line break (but the last)."""
    pieces, at = [], 0
    while len(text) - at > CHUNK:
        found = BREAK.search(text, at + CHUNK)  # "\r\n" is matched whole, so a piece never ends inside one
        if found is None:
            break
        pieces.append(text[at : found.end()])
        at = found.end()
    if at < len(text) or not pieces:
        pieces.append(text[at:])
    return pieces


class Rope:
    def __init__(self, text: str = "") -> None:
        self._chunks = [_Chunk(piece) for piece in _cut(text)]
        self._breaks = [chunk.breaks for chunk in self._chunks]  # per chunk, in step with _chunks:
        self._sizes = [len(chunk.data) for chunk in self._chunks]  # summed at C speed by _index()
        self._lengths = [len(chunk.text) for chunk in self._chunks]
        self._text: str | None = text
        self._sums: tuple[list[int], list[int], list[int]] | None = None  # breaks, bytes, chars before each chunk
        self._length = len(text)
        self.edits: list[Edit] = []  # applied since the last take_edits(): for the syntax tree
        self.revision = 0  # edits applied since this rope was made
        self.utf8 = Utf8(self)

    def __str__(self) -> str:
        if self._text is None:
            self._text = "".join(chunk.text for chunk in self._chunks)
        return self._text

    def __len__(self) -> int:
        """Code points."""
        return self._length

    @property
    def line_count(self) -> int:
        return self._index()[0][-1] + 1

    def line(self, row: int) -> str:
        """Line `row` with its line break ("" for the empty line after a final break)."""
        index, local = self._locate(row)
        lines = self._chunks[index].lines()
        return lines[local] if local < len(lines) else ""

    def lines(self, *, ends: bool) -> Lines:
        """The lines as a sequence read from the chunks one at a time, with or without their breaks."""
        return Lines(self, ends)

    def offset(self, row: int, col: int) -> int:
        """The index into str(self) of (line, code point column), clamped to the document."""
        row, col = self._clamp(row, col)
        index, local = self._locate(row)
        return self._index()[2][index] + sum(map(len, self._chunks[index].lines()[:local])) + col

    def text_between(self, start: int, end: int) -> str:
        """str(self)[start:end] (code point offsets), read from the chunks it spans only."""
        starts = self._index()[2]
        start, end = max(start, 0), min(end, len(self))
        if start >= end:
            return ""
        first = bisect_right(starts, start, 0, len(self._chunks)) - 1
        last = bisect_right(starts, end - 1, 0, len(self._chunks)) - 1
        joined = "".join(chunk.text for chunk in self._chunks[first : last + 1])
        return joined[start - starts[first] : end - starts[first]]

    def reader(self) -> Callable[[int, object], bytes]:
        """A read callback like `utf8` over the text as it is now: later edits do not reach it
        (an edit replaces chunks, never changes one in place, so a copy of the list is a snapshot)."""
        chunks, starts = [chunk.data for chunk in self._chunks], self._index()[1][:]

        def read(byte: int, _point: object = None) -> bytes:
            if byte >= starts[-1]:
                return b""
            index = bisect_right(starts, byte, 0, len(chunks)) - 1
            return chunks[index][byte - starts[index]:]

        return read

    def take_edits(self) -> list[Edit]:
        edits, self.edits = self.edits, []
        return edits

    def replace(self, start: tuple[int, int], end: tuple[int, int], text: str) -> Edit:
        """Replace (line, code point column) start..end with `text`; positions are clamped to the
        document (a line past the end is the end, a column past a line's text is its end)."""
        (start_row, start_col), (end_row, end_col) = sorted((self._clamp(*start), self._clamp(*end)))
        first_row = start_row
        if first_row > 0 and self.line(first_row - 1).endswith("\r"):
            first_row -= 1  # a lone \r just before may join a \n of the new text into one \r\n
        first, first_local = self._locate(first_row)
        last, end_local = self._locate(end_row)
        joined = "".join(chunk.text for chunk in self._chunks[first : last + 1])
        offset = self._offsets(first, last)

        window_start = offset(first, first_local, 0)
        at = offset(*self._locate(start_row), start_col)
        to = offset(last, end_local, end_col)
        end_line = self.line(end_row)
        window_end = offset(last, end_local, len(end_line))
        new_joined = joined[:at] + text + joined[to:]
        old_window = joined[window_start:window_end]
        new_window = new_joined[window_start : window_end + len(text) - (to - at)]

        start_byte = self._index()[1][first] + len(to_bytes(joined[:window_start]))
        edit = Edit(
            start_byte,
            start_byte + len(to_bytes(old_window)),
            start_byte + len(to_bytes(new_window)),
            (first_row, 0),
            _end_point(first_row, old_window),
            _end_point(first_row, new_window),
        )
        new_chunks = [_Chunk(piece) for piece in (_cut(new_joined) if len(new_joined) > 2 * CHUNK else [new_joined]) if piece]
        if len(new_chunks) == 0 and len(self._chunks) == last + 1 - first:
            new_chunks = [_Chunk("")]  # the text is empty now
        self._chunks[first : last + 1] = new_chunks
        self._breaks[first : last + 1] = [chunk.breaks for chunk in new_chunks]
        self._sizes[first : last + 1] = [len(chunk.data) for chunk in new_chunks]
        self._lengths[first : last + 1] = [len(chunk.text) for chunk in new_chunks]
        self._text = None
        self._sums = None
        self._length += len(text) - (to - at)
        self.revision += 1
        self.edits.append(edit)
        return edit

    # -- internals --------------------------------------------------------------------------

    def _index(self) -> tuple[list[int], list[int], list[int]]:
        if self._sums is None:
            self._sums = tuple(list(accumulate(counts, initial=0)) for counts in (self._breaks, self._sizes, self._lengths))  # type: ignore[assignment]
        return self._sums  # type: ignore[return-value]

    def _locate(self, row: int) -> tuple[int, int]:
        """(chunk index, line within that chunk) of line `row` (0 <= row < line_count)."""
        starts = self._index()[0]
        index = bisect_right(starts, row, 0, len(self._chunks)) - 1
        return index, row - starts[index]

    def _clamp(self, row: int, col: int) -> tuple[int, int]:
        if row >= self.line_count:
            row = self.line_count - 1
            return row, len(content(self.line(row)))
        return max(row, 0), min(max(col, 0), len(content(self.line(max(row, 0)))))

    def _offsets(self, first: int, last: int):
        """offset(chunk, line in chunk, column) -> index into the chunks first..last joined."""
        chars = self._index()[2]

        def offset(index: int, local: int, col: int) -> int:
            return chars[index] - chars[first] + sum(map(len, self._chunks[index].lines()[:local])) + col

        return offset


class Lines(Sequence[str]):
    """A rope's lines, one at a time: a listing or a completion on a 20 MB file must not split it
    all (with `ends`, as pygls' TextDocument.lines gives them; without, as positions count them)."""

    def __init__(self, rope: Rope, ends: bool) -> None:
        self._rope, self._ends = rope, ends

    def __len__(self) -> int:
        return self._rope.line_count

    def __getitem__(self, row: Any) -> Any:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        line = self._rope.line(row)
        return line if self._ends else content(line)


def content(line: str) -> str:
    """A line without its break."""
    return line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith(("\n", "\r")) else line


def _end_point(row: int, text: str) -> tuple[int, int]:
    """Where `text` ends when it starts at (row, 0): tree-sitter's (row, byte column)."""
    last = max(text.rfind("\n"), text.rfind("\r"))
    if last < 0:
        return row, len(to_bytes(text))
    return row + breaks(text), len(to_bytes(text[last + 1 :]))


class Utf8:
    """The rope's UTF-8 bytes (as source.to_bytes gives them) without joining them: a read callback
    for Parser.parse, and the few bytes methods actions/source.py uses (len, slices, find and rfind
    of one byte, count of b"\\n", row_start). A live view: it follows the rope's edits."""

    def __init__(self, rope: Rope) -> None:
        self._rope = rope

    def __call__(self, byte: int, _point: object = None) -> bytes:
        """tree-sitter's read callback: the bytes from `byte` to the end of its chunk."""
        if byte >= len(self):
            return b""
        index, at = self._at(byte)
        return self._rope._chunks[index].data[at:]

    def __len__(self) -> int:
        return self._rope._index()[1][-1]

    def __bytes__(self) -> bytes:
        return b"".join(chunk.data for chunk in self._rope._chunks)

    def __getitem__(self, key: slice) -> bytes:
        start, stop, step = key.indices(len(self))
        if step != 1:
            raise ValueError("only contiguous slices")
        pieces = []
        while start < stop:
            index, at = self._at(start)
            piece = self._rope._chunks[index].data[at : at + stop - start]
            pieces.append(piece)
            start += len(piece)
        return b"".join(pieces)

    def find(self, sub: bytes, start: int = 0, end: int | None = None) -> int:
        self._one(sub)
        end = len(self) if end is None else min(end, len(self))
        chunks, starts = self._rope._chunks, self._rope._index()[1]
        while start < end:
            index, at = self._at(start)
            found = chunks[index].data.find(sub, at, end - starts[index])
            if found >= 0:
                return starts[index] + found
            start = starts[index + 1]
        return -1

    def rfind(self, sub: bytes, start: int = 0, end: int | None = None) -> int:
        self._one(sub)
        end = len(self) if end is None else min(end, len(self))
        chunks, starts = self._rope._chunks, self._rope._index()[1]
        while end > start:
            index, _ = self._at(end - 1)
            found = chunks[index].data.rfind(sub, max(start - starts[index], 0), end - starts[index])
            if found >= 0:
                return starts[index] + found
            end = starts[index]
        return -1

    def count(self, sub: bytes) -> int:
        if sub != b"\n":
            raise ValueError("only b'\\n' is counted")
        return self._rope.line_count - 1  # every LSP break is one b"\n" here

    def row_start(self, row: int) -> int:
        """The byte offset where line `row` starts (IndexError past the last line)."""
        if not 0 <= row < self._rope.line_count:
            raise IndexError(f"line {row} is past the end of the document")
        index, local = self._rope._locate(row)
        data, at = self._rope._chunks[index].data, 0
        for _ in range(local):
            at = data.index(b"\n", at) + 1
        return self._rope._index()[1][index] + at

    def _at(self, byte: int) -> tuple[int, int]:
        starts = self._rope._index()[1]
        index = bisect_right(starts, byte, 0, len(self._rope._chunks)) - 1
        return index, byte - starts[index]

    @staticmethod
    def _one(sub: bytes) -> None:
        if len(sub) != 1:
            raise ValueError("only one byte is searched for")
