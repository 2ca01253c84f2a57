"""Regions of documents that codefloor wrote, for hover. Line-based, shifted as the document changes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Region:
    start_line: int
    end_line: int  # inclusive
    info: dict = field(default_factory=dict)  # model, codingScore, floor, reason, costUsd, latencyMs


class RegionStore:
    MAX_PER_DOCUMENT = 50

    def __init__(self) -> None:
        self._by_uri: dict[str, list[Region]] = {}

    def add(self, uri: str, start_line: int, new_text: str, info: dict) -> None:
        regions = self._by_uri.setdefault(uri, [])
        regions.append(Region(start_line, start_line + new_text.count("\n"), info))
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

    def forget(self, uri: str) -> None:
        self._by_uri.pop(uri, None)
