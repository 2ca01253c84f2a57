"""Where the tests for a source file go, and with which framework, per language.

Placement follows each ecosystem's default: pytest `tests/test_<stem>.py` (or beside the file);
`<stem>.test.ts` beside the file for vitest/jest; `<stem>_test.go` beside the file; Rust
`#[cfg(test)] mod tests` in the file itself; JUnit under src/test/java mirroring src/main/java;
GoogleTest / assert.h programs under tests/; xUnit `<Stem>Tests.cs`; RSpec under spec/ or
minitest under test/. Nothing here reads a file: `read_file` is the caller's safe reader.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from codefloor.actions.languages import Language


@dataclass(frozen=True, slots=True)
class TestPlan:
    __test__ = False  # not a pytest class

    path: str  # the test file (for Rust: the source file itself)
    framework: str  # as the prompt names it
    inline: bool = False  # the tests go into the source file (Rust's `mod tests`)
    notes: tuple[str, ...] = ()  # files skipped while deciding, for the log


def is_test_file(lang: Language, path: str) -> bool:
    p = PurePosixPath(path)
    name, stem = p.name, p.stem
    if lang.key == "python":
        return name.startswith("test_") or stem.endswith("_test")
    if lang.key in ("typescript", "tsx", "javascript"):
        return ".test." in name or ".spec." in name
    if lang.key == "go":
        return name.endswith("_test.go")
    if lang.key == "rust":
        return "tests" in p.parts[:-1]
    if lang.key == "java":
        return stem.endswith("Test") or "test" in p.parts[:-1] and "src" in p.parts
    if lang.key == "csharp":
        return stem.endswith(("Tests", "Test"))
    if lang.key == "ruby":
        return stem.endswith("_spec") or stem.startswith("test_") or stem.endswith("_test")
    return stem.startswith("test_") or stem.endswith("_test")


def plan_tests(
    lang: Language,
    source: str,
    folder_root: str | None,
    is_dir: Callable[[str], bool],
    read_file: Callable[[str], str | None],
) -> TestPlan:
    path = PurePosixPath(source)
    root = PurePosixPath(folder_root) if folder_root else None
    stem = path.stem
    if is_test_file(lang, source):
        return TestPlan(str(path), _framework(lang, source, folder_root, read_file)[0], inline=lang.key == "rust")
    if lang.key == "python":
        name = f"test_{stem}.py"
        target = root / "tests" / name if root and is_dir(str(root / "tests")) else path.parent / name
        return TestPlan(str(target), "pytest")
    if lang.key in ("typescript", "tsx", "javascript"):
        framework, notes = _framework(lang, source, folder_root, read_file)
        return TestPlan(str(path.parent / f"{stem}.test{path.suffix}"), framework, notes=notes)
    if lang.key == "go":
        return TestPlan(str(path.parent / f"{stem}_test.go"), "Go's testing package (go test), same package as the code, table-driven")
    if lang.key == "rust":
        return TestPlan(str(path), "Rust unit tests: #[test] functions in a #[cfg(test)] mod tests with use super::*", inline=True)
    if lang.key == "java":
        parts = list(path.parts)
        for i in range(len(parts) - 2):
            if parts[i : i + 3] == ["src", "main", "java"]:
                parts[i + 1] = "test"
                return TestPlan(str(PurePosixPath(*parts[:-1]) / f"{stem}Test.java"), "JUnit 5 (org.junit.jupiter.api), same package")
        return TestPlan(str(path.parent / f"{stem}Test.java"), "JUnit 5 (org.junit.jupiter.api), same package")
    tests_dir = _tests_dir(root, is_dir, ("tests", "test"))
    if lang.key == "cpp":
        return TestPlan(str((tests_dir or path.parent) / f"{stem}_test{path.suffix if path.suffix != '.h' else '.cpp'}"), "GoogleTest (#include <gtest/gtest.h>, TEST(...))")
    if lang.key == "c":
        return TestPlan(str((tests_dir or path.parent) / f"test_{stem}.c"), "a plain C test program: assert.h checks in main(), returning 0 on success")
    if lang.key == "csharp":
        return TestPlan(str((tests_dir or path.parent) / f"{stem}Tests.cs"), "xUnit ([Fact] and [Theory] methods in a public class)")
    if lang.key == "ruby":
        if root and is_dir(str(root / "spec")):
            return TestPlan(str(root / "spec" / f"{stem}_spec.rb"), "RSpec (describe/it/expect)")
        base = root / "test" if root else path.parent
        return TestPlan(str(base / f"test_{stem}.rb"), "Minitest (require 'minitest/autorun', class < Minitest::Test)")
    return TestPlan(str(path.parent / f"test_{path.name}"), "the project's usual test framework")


def _tests_dir(root: PurePosixPath | None, is_dir: Callable[[str], bool], names: tuple[str, ...]) -> PurePosixPath | None:
    for name in names:
        if root and is_dir(str(root / name)):
            return root / name
    return None


def _framework(lang: Language, source: str, folder_root: str | None, read_file: Callable[[str], str | None]) -> tuple[str, tuple[str, ...]]:
    """vitest or jest as the nearest package.json (inside the folder) uses; else node:test."""
    if lang.key not in ("typescript", "tsx", "javascript"):
        return {"python": "pytest", "go": "Go's testing package (go test)", "rust": "Rust #[test] functions"}.get(lang.key, "the project's test framework"), ()
    notes: list[str] = []
    directory = PurePosixPath(source).parent
    root = PurePosixPath(folder_root) if folder_root else None
    while root is not None and (directory == root or root in directory.parents):
        manifest = str(directory / "package.json")
        try:
            text = read_file(manifest)
        except Exception as exc:  # FileRefused from the safe reader: skip it, say so
            notes.append(str(exc))
            text = None
        if text:
            try:
                data = json.loads(text)
            except ValueError:
                notes.append(f"{manifest} is not valid JSON; skipped")
                data = {}
            deps = {**(data.get("dependencies") or {}), **(data.get("devDependencies") or {})} if isinstance(data, dict) else {}
            if "vitest" in deps:
                return "vitest (import { describe, it, expect } from 'vitest')", tuple(notes)
            if "jest" in deps or "ts-jest" in deps:
                return "Jest (describe/it/expect globals)", tuple(notes)
            return "node:test (import test from 'node:test'; import assert from 'node:assert/strict')", tuple(notes)
        if directory == root:
            break
        directory = directory.parent
    return "node:test (import test from 'node:test'; import assert from 'node:assert/strict')", tuple(notes)


def module_import(source: str, folder_root: str | None) -> str:
    """The dotted module name a Python test would import (`src/` layouts handled)."""
    path = PurePosixPath(source)
    parts = [path.stem]
    if folder_root:
        try:
            parts = list(path.with_suffix("").relative_to(PurePosixPath(folder_root)).parts)
        except ValueError:
            parts = [path.stem]
    if parts and parts[0] in ("src", "lib"):
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or path.stem
