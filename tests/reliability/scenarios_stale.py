"""Stale edits: a document edited (or closed) while its generation runs is never overwritten with
an edit computed for the old text, and the user is told. Every case alternates with a control
round where nothing changes and the edit must arrive, so a server that dropped every edit would
fail too.

Paths: codeAction/resolve, the codefloor.applyAction command (clients without resolve, edit sent
with workspace/applyEdit), codefloor.editSelection, inline completion, an edit between listing
and resolving, and closing the document mid-generation.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable

from tests.fakes import behaviour as b
from tests.reliability.rawlsp import CAPABILITIES, STUB, Session, key_row, session
from tests.reliability.report import Row

AREA = "stale edits"
DRIP_MS = 120  # the loopback model's pause between streamed pieces: an answer takes ~0.4-0.8 s
TYPE_AT_S = 0.15  # when the user types, mid-generation
NO_RESOLVE = copy.deepcopy(CAPABILITIES)
NO_RESOLVE["textDocument"]["codeAction"].pop("resolveSupport")

Mutation = Callable[[Session, str, int], None]


def type_a_character(s: Session, uri: str, version: int) -> None:
    s.client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version + 1},
                                               "contentChanges": [{"range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 0}}, "text": "#"}]})


def insert_lines_above(s: Session, uri: str, version: int) -> None:
    s.client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version + 1},
                                               "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "import os\n\n"}]})


def close(s: Session, uri: str, version: int) -> None:
    s.client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


async def scenarios(scale: float, observed: dict | None = None) -> list[Row]:
    observed = {} if observed is None else observed
    rounds = max(2, round(10 * scale))
    rows = []
    async with session() as s:
        rows.append(await case(s, "resolve: typed during generation", resolve_edit, type_a_character, rounds, observed))
        rows.append(await case(s, "resolve: closed during generation", resolve_edit, close, rounds, observed))
        rows.append(await case(s, "editSelection: typed during generation", edit_selection, type_a_character, rounds, observed))
        rows.append(await case(s, "inline completion: typed during generation", completion, type_a_character, rounds, observed))
        rows.append(await listed_then_edited(s, rounds, observed))
        rows.append(await open_test_file(s, rounds, observed))
        rows.append(key_row(s, "stale edits"))
    async with session(capabilities=NO_RESOLVE) as s:
        rows.append(await case(s, "applyAction (no resolve): typed during generation", apply_action, type_a_character, rounds, observed))
        rows.append(key_row(s, "stale edits without resolve"))
    return rows


# -- what each path returns: the edit (or completion) that reached the client, or None ----------------------
async def _listed(s: Session, uri: str) -> dict:
    actions = await s.list_actions(uri, 2)
    [generate] = [a for a in actions if a["title"].startswith("Generate body")]
    return generate


async def resolve_edit(s: Session, uri: str, mutate: Callable[[], None] | None) -> object | None:
    action = await _listed(s, uri)
    pending = s.client.request_later("codeAction/resolve", action)
    if mutate:
        await asyncio.sleep(TYPE_AT_S)
        mutate()
    return (await pending)["result"].get("edit")


async def apply_action(s: Session, uri: str, mutate: Callable[[], None] | None) -> object | None:
    action = await _listed(s, uri)
    before = len(s.client.applied_edits)
    assert "command" in action, action
    pending = s.client.request_later("workspace/executeCommand", {"command": action["command"]["command"], "arguments": action["command"]["arguments"]})
    if mutate:
        await asyncio.sleep(TYPE_AT_S)
        mutate()
    result = (await pending)["result"]
    await asyncio.sleep(0.05)  # workspace/applyEdit is sent without awaiting; let it arrive
    sent = s.client.applied_edits[before:]
    assert bool(sent) == result["applied"], (result, sent)
    return sent[0]["edit"] if sent else None


async def edit_selection(s: Session, uri: str, mutate: Callable[[], None] | None) -> object | None:
    before = len(s.client.applied_edits)
    selection = {"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 8}}
    pending = s.client.request_later("workspace/executeCommand", {"command": "codefloor.editSelection", "arguments": [uri, selection, "return a greeting"]})
    if mutate:
        await asyncio.sleep(TYPE_AT_S)
        mutate()
    await pending
    await asyncio.sleep(0.05)
    sent = s.client.applied_edits[before:]
    return sent[0]["edit"] if sent else None


async def completion(s: Session, uri: str, mutate: Callable[[], None] | None) -> object | None:
    params = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 8}, "context": {"triggerKind": 1}}
    pending = s.client.request_later("textDocument/inlineCompletion", params)
    if mutate:
        await asyncio.sleep(TYPE_AT_S)
        mutate()
    return (await pending)["result"]


# -- the cases ----------------------------------------------------------------------------------------------
async def case(s: Session, name: str, run: Callable[..., Awaitable[object | None]], mutation: Mutation, rounds: int, observed: dict) -> Row:
    stale = told = controls_ok = 0
    versions: list[int | None] = []
    for n in range(rounds):
        s.fake.set_default(b.drip(DRIP_MS))
        s.fake.set_text(f"```python\n    return 'answer {n}'\n```" if run is not completion else f"'answer {n}'")
        text = STUB + f"# {name}, round {n}\n"  # unique: no cached completion answers before the user types
        uri = s.client.open(s.folder / f"stale_{len(observed)}_{n}.py", text, version=1)
        shown = len(s.client.shown())
        got = await run(s, uri, lambda uri=uri: mutation(s, uri, 1))
        stale += got is not None
        told += any(("changed while" in m or "not open" in m) for m in s.client.shown()[shown:])
        # Control: the same request on an unchanged document produces its edit, for version 1.
        control_uri = s.client.open(s.folder / f"control_{len(observed)}_{n}.py", text + "# control\n", version=1)
        got = await run(s, control_uri, None)
        controls_ok += got is not None
        if isinstance(got, dict) and got.get("documentChanges"):
            versions.append(got["documentChanges"][0]["textDocument"]["version"])
    s.fake.set_default(b.ok())
    quiet = run is completion  # completions are not popups (they would repeat on every keystroke)
    observed[name] = {"rounds": rounds, "stale": stale, "told": told, "controls_ok": controls_ok, "versions": versions, "alive": s.client.alive}
    lost = stale + (0 if quiet else rounds - told) + (rounds - controls_ok) + (0 if s.client.alive else 1)
    what = "no popup (completion)" if quiet else f"user told {told}/{rounds}"
    outcome = f"{stale}/{rounds} stale edits applied; {what}; {controls_ok}/{rounds} unchanged controls got their edit"
    return Row(AREA, name, 2 * rounds, outcome, lost)


async def listed_then_edited(s: Session, rounds: int, observed: dict) -> Row:
    """Lines inserted above the function between listing and picking the action: the listed
    line now points elsewhere, so the action must be listed again."""
    name = "resolve: edited between listing and picking"
    stale = told = 0
    for n in range(rounds):
        uri = s.client.open(s.folder / f"relisted_{n}.py", STUB, version=1)
        action = await _listed(s, uri)
        insert_lines_above(s, uri, 1)
        shown = len(s.client.shown())
        result = (await s.client.request("codeAction/resolve", action))["result"]
        stale += result.get("edit") is not None
        told += any("changed since the action was listed" in m for m in s.client.shown()[shown:])
    observed[name] = {"rounds": rounds, "stale": stale, "told": told}
    lost = stale + (rounds - told)
    return Row(AREA, name, rounds, f"{stale}/{rounds} stale edits; user told to list the actions again {told}/{rounds}", lost)


async def open_test_file(s: Session, rounds: int, observed: dict) -> Row:
    """"Write tests" appends to a test file. When that file is open in the editor with unsaved
    text, the edit must be computed from the editor's text (not the disk's) and pinned to its
    version; typing in it while the model works drops the edit."""
    name = "write tests: the test file is open with unsaved text"
    (s.folder / "tests").mkdir(exist_ok=True)
    stale = told = misplaced = 0
    for n in range(rounds):
        for typing in (True, False):
            module = f"calc_{n}_{int(typing)}"
            test_path = s.folder / "tests" / f"test_{module}.py"
            test_path.write_text("import pytest\n", encoding="utf-8")  # the saved text: 1 line
            unsaved = "import pytest\n\n\ndef test_existing():\n    assert True\n"  # what the editor shows: 5 lines
            test_uri = s.client.open(test_path, unsaved, version=7)
            uri = s.client.open(s.folder / f"{module}.py", f"def add_{n}(a, b):\n    return a + b\n")
            actions = await s.list_actions(uri, 1)
            [write] = [a for a in actions if a["title"].startswith("Write tests")]
            s.fake.set_default(b.drip(DRIP_MS, f"```python\ndef test_add_{n}():\n    assert add_{n}(2, 3) == 5\n```"))
            shown = len(s.client.shown())
            pending = s.client.request_later("codeAction/resolve", write)
            if typing:
                await asyncio.sleep(TYPE_AT_S)
                s.client.replace_all(test_uri, unsaved + "# typing\n", 8)
            edit = (await pending)["result"].get("edit")
            if typing:
                stale += edit is not None
                told += any(f"test_{module}.py changed while" in m for m in s.client.shown()[shown:])
                continue
            changes = [c for c in (edit or {}).get("documentChanges", []) if c.get("textDocument", {}).get("uri") == test_uri]
            ranges = [e["range"] for c in changes for e in c["edits"]]
            pinned = bool(changes) and all(c["textDocument"]["version"] == 7 for c in changes)
            at_end = bool(ranges) and all(r["start"] == {"line": 5, "character": 0} for r in ranges)
            misplaced += not (pinned and at_end)
    s.fake.set_default(b.ok())
    observed[name] = {"rounds": rounds, "stale": stale, "told": told, "misplaced": misplaced}
    lost = stale + (rounds - told) + misplaced
    outcome = (f"{stale}/{rounds} stale edits when typed in (user told {told}/{rounds}); unchanged: "
               f"{rounds - misplaced}/{rounds} appended at the end of the editor's text, pinned to its version")
    return Row(AREA, name, 2 * rounds, outcome, lost)
