"""Regions of documents that codefloor wrote, for hover. Line-based, shifted as the document changes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Region:
    start_line: int
    end_line: int  # inclusive
    info: dict = field(default_factory=dict)  # model, codingScore, floor, reason, costUsd, latencyMs
    text: str = ""  # what codefloor wrote there (to find it again after a whole-document change)


class RegionStore:
    MAX_PER_DOCUMENT = 50

    def __init__(self) -> None:
        self._by_uri: dict[str, list[Region]] = {}

    def add(self, uri: str, start_line: int, new_text: str, info: dict) -> None:
        regions = self._by_uri.setdefault(uri, [])
        regions.append(Region(start_line, start_line + new_text.count("\n"), info, new_text))
        del regions[: -self.MAX_PER_DOCUMENT]

    def at(self, uri: str, line: int) -> Region | None:
        """The most recent region covering `line`."""
        for region in reversed(self._by_uri.get(uri, [])):
            if region.start_line <= line <= region.end_line:
                return region
        return None

    def shift(self, uri: str, start_line: int, end_line: int, new_text: str) -> None:
        """A change replaced lines start_line..end_line with new_text: move the regions below it."""
        delta = new_text.count("\n") - (end_line - start_line)
        if delta == 0:
            return
        for region in self._by_uri.get(uri, []):
            if region.start_line > end_line:
                region.start_line += delta
                region.end_line += delta
            elif region.end_line >= end_line and region.start_line <= start_line:
                region.end_line = max(region.start_line, region.end_line + delta)

    def relocate(self, uri: str, text: str) -> None:
        """The client replaced the whole document (Vim's ALE always sends the full text): keep each
        region whose written text is still there, on the lines where it now is (the occurrence
        nearest to where it was); forget the others."""
        lines = text.split("\n")  # LSP lines; a \r before the \n stays in the line on both sides
        kept = []
        for region in self._by_uri.get(uri, []):
            start = _find(lines, region.text.split("\n"), region.start_line)
            if start is not None:
                region.end_line += start - region.start_line
                region.start_line = start
                kept.append(region)
        if kept:
            self._by_uri[uri] = kept
        else:
            self.forget(uri)

    def forget(self, uri: str) -> None:
        self._by_uri.pop(uri, None)


def _find(lines: list[str], written: list[str], near: int) -> int | None:
    """The line where `written` (which may start and end mid-line) appears, nearest to `near`
    (searching outwards, so the usual case, a region that moved a little, stops early)."""
    if written == [""]:
        return None
    last = len(lines) - len(written)
    for distance in range(max(near, last - near) + 1):
        for start in {near - distance, near + distance}:
            if 0 <= start <= last and _written_at(lines, written, start):
                return start
    return None


def _written_at(lines: list[str], written: list[str], start: int) -> bool:
    if len(written) == 1:
        return written[0] in lines[start]
    end = start + len(written) - 1
    return (
        lines[start].endswith(written[0])
        and lines[end].startswith(written[-1])
        and lines[start + 1 : end] == written[1:-1]
    )
