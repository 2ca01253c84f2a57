"""workspace/executeCommand: codefloor.explainRouting, codefloor.usage, codefloor.editSelection.
(codefloor.applyAction lives with the code actions.) Arguments are validated here and a wrong
call gets a message saying the expected arguments."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import Enum
from typing import Any

from lsprotocol import types

from codefloor.actions.offers import ActionKind
from codefloor.lsp.catalog_status import catalog_info, note_catalog
from codefloor.lsp.convert import lines_of, to_pos
from codefloor.lsp.features.code_actions import compute_edit, send_edit
from codefloor.lsp.protocol import structure
from codefloor.errors import RouterUnavailable
from codefloor.lsp.server import CodefloorServer


EXPLAIN = "codefloor.explainRouting"
USAGE = "codefloor.usage"
EDIT_SELECTION = "codefloor.editSelection"


def register(server: CodefloorServer) -> None:
    @server.command(EXPLAIN)
    async def explain_routing(ls: CodefloorServer, *args: Any) -> dict | None:
        from codefloor.selection.types import Request, TaskKind

        uri = _uri_arg(args)
        settings = await ls.settings_for(uri) if uri else ls.folders.base
        task = TaskKind.COMPLETION if len(args) > 1 and args[1] == "completion" else TaskKind.ACTION
        prefs = settings.preferences(for_completion=task is TaskKind.COMPLETION)
        try:
            router = await ls.router()
        except RouterUnavailable as exc:
            ls.show(str(exc))
            return None
        rows = [_plain(row) for row in router.explain(Request(task), prefs)]
        catalog = router.catalog  # read after explain(): the catalog these rows come from
        note_catalog(ls, catalog)
        folder = ls.folders.folder_for(uri) if uri else ""
        ls.log(f"codefloor: routing for {folder or 'default settings'} (floor {prefs.min_coding_score:g}, {prefs.policy.value}): "
               f"{len(rows)} candidates, {catalog.describe()}")
        return {"folder": folder, "floor": prefs.min_coding_score, "policy": prefs.policy.value, "task": task.value,
                "catalog": catalog_info(catalog), "candidates": rows}

    @server.command(USAGE)
    async def usage(ls: CodefloorServer, *args: Any) -> dict | None:
        since = None
        if args and args[0]:
            try:
                since = dt.date.fromisoformat(str(args[0]))
            except ValueError:
                ls.show(f"codefloor: {USAGE} takes an optional ISO date (YYYY-MM-DD), got {args[0]!r}")
                return None
        try:
            router = await ls.router()
        except RouterUnavailable as exc:
            ls.show(str(exc))
            return None
        return _plain(router.usage_summary(since))

    @server.command(EDIT_SELECTION)
    async def edit_selection(ls: CodefloorServer, *args: Any) -> dict:
        usage_text = f"{EDIT_SELECTION} expects [uri, range, instruction]"
        if len(args) != 3 or not isinstance(args[0], str) or not isinstance(args[1], dict) or not isinstance(args[2], str):
            ls.show(f"codefloor: {usage_text}")
            return {"applied": False}
        uri, raw_range, instruction = args
        try:
            rng = structure(ls.protocol, raw_range, types.Range)
        except Exception:
            ls.show(f"codefloor: {usage_text}; the range must be an LSP Range")
            return {"applied": False}
        document = ls.open_document(uri)
        if document is None:
            ls.not_open(uri, "edit selection")
            return {"applied": False}
        lines = lines_of(document.source)
        codec = ls.workspace.position_codec
        start, end = to_pos(lines, rng.start, codec), to_pos(lines, rng.end, codec)
        data = {
            "kind": ActionKind.EDIT_SELECTION.value,
            "uri": uri,
            "version": document.version,
            "line": start.line,
            "start": [start.line, start.col],
            "end": [end.line, end.col],
            "instruction": instruction,
        }
        edit = await compute_edit(ls, data)
        return await send_edit(ls, edit, f"codefloor: {instruction[:40]}")


def _uri_arg(args: tuple) -> str:
    if args and isinstance(args[0], str):
        return args[0]
    if args and isinstance(args[0], dict):
        return str(args[0].get("uri", ""))
    return ""


def _plain(value: Any) -> Any:
    """Rows from the router as JSON-ready values (dataclasses, pydantic models, enums, dates)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
