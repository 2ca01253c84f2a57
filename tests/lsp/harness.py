"""End-to-end harness: `codefloor serve` as a subprocess, providers pointed at loopback fakes.

The user config (CODEFLOOR_CONFIG) adds two models on the openai route with prices far below any
bundled model, so the test controls who wins: floor 40 -> test-cheap (45), floor 80 -> test-strong (85).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any, Union

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.fakes.server import FakeServer
from tests.fakes.user_setup import model, user_config
from tests.fakes.user_setup import server_env as user_setup_env

SERVER_COMMAND = [sys.executable, "-m", "codefloor", "serve"]
FAKE_KEY = "sk-test-lsp-key-0123456789"
CLIENTS = ["visual-studio-code", "neovim"]

USER_CONFIG = user_config(
    model("test-cheap", "Test Cheap", 45, "openai", "test-cheap-wire", 0.001, 0.002),
    model("test-strong", "Test Strong", 85, "openai", "test-strong-wire", 0.003, 0.004),
)


def server_env(tmp: Path, fake: FakeServer, closed_port: int) -> dict[str, str]:
    return user_setup_env(tmp, USER_CONFIG, {"openai": (FAKE_KEY, fake.url + "/v1")}, closed_port)


def capabilities(client: str, *, inline: bool = True, resolve: bool = True, tags: bool = True) -> types.ClientCapabilities:
    """The recorded client's capabilities, with LSP 3.18 inline completion and code action tags
    added explicitly (pytest-lsp's recordings predate them)."""
    caps = copy.deepcopy(client_capabilities(client))
    td = caps.text_document
    if inline and client == "visual-studio-code":
        td.inline_completion = types.InlineCompletionClientCapabilities(dynamic_registration=False)
    if td.code_action is not None:
        if tags:
            td.code_action.tag_support = types.CodeActionTagOptions(value_set=[types.CodeActionTag.LlmGenerated])
        if not resolve:
            td.code_action.resolve_support = None
    return caps


async def start(env: dict[str, str]) -> LanguageClient:
    client = await ClientServerConfig(server_command=SERVER_COMMAND, server_env=env).start()
    _fix_code_action_union(client)
    client.applied_edits = []  # type: ignore[attr-defined]
    client.statuses = []  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        client.applied_edits.append(params)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature("codefloor/status")
    def status(params) -> None:
        client.statuses.append(params)  # type: ignore[attr-defined]

    client.spends = []  # type: ignore[attr-defined]

    @client.feature("codefloor/completionSpend")
    def spend(params) -> None:
        client.spends.append(plain(params))  # type: ignore[attr-defined]

    return client


def _fix_code_action_union(client: LanguageClient) -> None:
    """lsprotocol 2025.0 structures any code action carrying a `command` as a Command (stringifying
    the nested object); editors tell them apart by `typeof command === "string"`, so do that."""
    converter = client.protocol._converter

    def hook(obj: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)


async def initialize(client: LanguageClient, caps: types.ClientCapabilities, folders: dict[str, Path], init_options=None) -> types.InitializeResult:
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            workspace_folders=[types.WorkspaceFolder(uri=p.as_uri(), name=name) for name, p in folders.items()],
            initialization_options=init_options,
        )
    )


def open_doc(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text))
    )
    return uri


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def apply_text_edits(text: str, edits: list, encoding: str = "utf-16") -> str:
    """Apply LSP text edits the way an editor does, counting columns in the negotiated encoding."""
    lines = text.split("\n")

    def offset(pos: types.Position) -> int:
        if pos.line >= len(lines):
            return len(text)
        line = lines[pos.line]
        col, count = 0, 0
        while col < len(line) and count < pos.character:
            count += units(line[col], encoding)
            col += 1
        return sum(len(l) + 1 for l in lines[: pos.line]) + col

    out = text
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        out = out[: offset(edit.range.start)] + edit.new_text + out[offset(edit.range.end) :]
    return out


def edits_for(edit: types.WorkspaceEdit, uri: str) -> list:
    if edit.document_changes:
        return [e for dc in edit.document_changes if isinstance(dc, types.TextDocumentEdit) and dc.text_document.uri == uri for e in dc.edits]
    return list((edit.changes or {}).get(uri, []))


async def eventually(predicate, timeout: float = 15.0, what: str = "the condition") -> None:
    """Wait until predicate() is true (polling), or fail saying what never happened."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, f"{what} did not happen within {timeout:g} s"
        await asyncio.sleep(0.02)


def plain(value: Any) -> Any:
    """A custom notification's params (pygls structures them as nested named tuples) as plain dicts."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def logged(client, text: str) -> int:
    """How many window/logMessage lines so far contain `text`."""
    return sum(text in m.message for m in client.log_messages)
