"""The dependency direction of ARCHITECTURE.md, checked on the source: a test that fails when broken."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "codefloor"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_under(sub: str) -> list[Path]:
    return sorted((PACKAGE / sub).rglob("*.py")) if (PACKAGE / sub).is_dir() else [PACKAGE / f"{sub}.py"]


def test_selection_is_pure():
    forbidden = ("asyncio", "httpx", "time", "random", "datetime", "os", "codefloor.providers", "codefloor.router",
                 "codefloor.ledger", "codefloor.lsp", "codefloor.cli", "sqlite3", "threading")
    offenders = [
        (path.name, name)
        for path in modules_under("selection")
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]
    assert offenders == []


def test_only_lsp_imports_pygls():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "lsp" not in path.relative_to(PACKAGE).parts[:1]
        and any(n.split(".")[0] in ("pygls", "lsprotocol") for n in imported_modules(path))
    ]
    assert offenders == []


def test_nothing_imports_lsp_or_cli():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in ("lsp", "cli", "__main__.py")
        and any(n.startswith(("codefloor.lsp", "codefloor.cli")) for n in imported_modules(path))
    ]
    assert offenders == []


def test_the_language_server_starts_tasks_only_through_spawn():
    """Every task the server starts is kept by CodefloorServer.spawn until it ends (an unreferenced
    task can be garbage-collected mid-flight); close() cancels them. pygls starts the handlers' own."""
    starts = []
    for path in modules_under("lsp"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr in ("ensure_future", "create_task"):
                    starts.append((path.name, func.name))
    assert sorted(set(starts)) == [("server.py", "spawn")]
