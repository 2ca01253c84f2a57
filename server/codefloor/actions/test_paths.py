"""Where the tests for a source file go (pytest conventions)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath


def test_file_for(source: str, folder_root: str | None, is_dir: Callable[[str], bool]) -> str:
    """The test file for `source` (POSIX paths).

    A `tests/` directory at the folder root wins: tests/test_<stem>.py (flat, so no new
    sub-directories appear). Otherwise the test sits next to the source.
    A source that already is a test file maps to itself (append to it).
    """
    path = PurePosixPath(source)
    if path.name.startswith("test_") or path.stem.endswith("_test"):
        return str(path)
    name = f"test_{path.stem}.py"
    if folder_root:
        root = PurePosixPath(folder_root)
        tests = root / "tests"
        if is_dir(str(tests)):
            return str(tests / name)
    return str(path.parent / name)


def module_import(source: str, folder_root: str | None) -> str:
    """The dotted module name a test would import (`src/` layouts handled)."""
    path = PurePosixPath(source)
    parts = list(path.with_suffix("").parts)
    if folder_root:
        try:
            parts = list(path.with_suffix("").relative_to(PurePosixPath(folder_root)).parts)
        except ValueError:
            parts = [path.stem]
    else:
        parts = [path.stem]
    if parts and parts[0] in ("src", "lib"):
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or path.stem
