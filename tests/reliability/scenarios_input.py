"""Bad LSP input against the real server: malformed params, unknown URIs, positions past the end,
a 5 MB document, surrogate pairs and combining characters around the cursor.

Each case counts what it tried and what was lost: a request left unanswered, an internal error
(a handler crashed), an edit outside the document or splitting a surrogate pair, a dead server.
`observed` (optional) receives the concrete figures the tests assert on.
"""

from __future__ import annotations

import asyncio
import copy
import random
import time
from typing import Any

from tests.reliability.rawlsp import BODY, CAPABILITIES, STUB, Session, key_row, session
from tests.reliability.report import Row

AREA = "bad input"
INTERNAL_ERROR = -32603
SEED = 6
UTF8_CLIENT = {**CAPABILITIES, "general": {"positionEncodings": ["utf-8"]}}


async def scenarios(scale: float, observed: dict | None = None) -> list[Row]:
    observed = {} if observed is None else observed
    async with session() as s:
        rows = [
            await malformed_params(s, scale, observed),
            await unknown_uris(s, observed),
            await broken_document_sync(s, observed),
            await positions_past_the_end(s, observed),
            await unicode_around_the_cursor(s, observed),
            await five_megabyte_document(s, observed),
            await diagnostics_flood(s, observed),
        ]
        rows.append(key_row(s, "bad LSP input"))
    rows.append(await lifecycle(observed))
    rows.append(await pushed_and_initial_settings(observed))
    async with session(capabilities=UTF8_CLIENT) as s:
        rows.append(await unicode_around_the_cursor(s, observed, "utf-8"))
    async with session() as s:
        rows.append(await bad_settings(s, observed))
        rows.append(await settings_flood(s, observed))
        rows.append(key_row(s, "bad settings"))
    return rows


# -- settings -------------------------------------------------------------------------------------------
GOOD = {"minCodingScore": 70, "policy": "strongest", "allowedProviders": ["openai", "ollama"], "localOnly": False,
        "maxCostPerRequestUsd": 0.5, "completion": {"enabled": True, "minCodingScore": 60, "debounceMs": 0}}
NAN = float("nan")
BAD_SETTINGS: list[tuple[str, Any]] = [
    ("minCodingScore", "60"), ("minCodingScore", True), ("minCodingScore", False), ("minCodingScore", None),
    ("minCodingScore", NAN), ("minCodingScore", float("inf")), ("minCodingScore", -5), ("minCodingScore", 150),
    ("minCodingScore", []), ("minCodingScore", {"value": 60}),
    ("policy", 3), ("policy", "fastest"), ("policy", None),
    ("allowedProviders", "openai"), ("allowedProviders", [1]), ("allowedProviders", ["evil"]), ("allowedProviders", {}),
    ("localOnly", "true"), ("localOnly", 1), ("localOnly", None),
    ("maxCostPerRequestUsd", -1), ("maxCostPerRequestUsd", "cheap"), ("maxCostPerRequestUsd", True), ("maxCostPerRequestUsd", NAN),
    ("completion", "off"), ("completion", [1]),
    ("completion.minCodingScore", 101), ("completion.minCodingScore", True), ("completion.debounceMs", -1),
    ("completion.debounceMs", 10**9), ("completion.debounceMs", True), ("completion.debounceMs", 2.5), ("completion.enabled", "no"),
    ("colour", "blue"), ("minCodingScor", 60),
]


def _with(key: str, value: Any) -> dict:
    section = copy.deepcopy(GOOD)
    if "." in key:
        outer, inner = key.split(".")
        section[outer][inner] = value
    else:
        section[key] = value
    return section


async def _fingerprint(s: Session, uri: str) -> tuple:
    """What the settings decide, as the server reports it: floors, policies and eligibility per task."""
    out = []
    for args in ([uri], [uri, "completion"]):
        result = (await s.client.request("workspace/executeCommand", {"command": "codefloor.explainRouting", "arguments": args}))["result"]
        out.append((result["floor"], result["policy"], tuple(c["eligible"] for c in result["candidates"])))
    return tuple(out)


async def _apply(s: Session, section: Any) -> None:
    s.client.settings[s.folder.as_uri()] = section
    s.client.notify("workspace/didChangeConfiguration", {"settings": None})
    pulls = sum(m.get("method") == "workspace/configuration" for m in s.client.messages)
    await s.client.wait_for(lambda: sum(m.get("method") == "workspace/configuration" for m in s.client.messages) > pulls)
    await s.client.request("textDocument/hover", {"textDocument": {"uri": "file:///none"}, "position": {"line": 0, "character": 0}})


async def bad_settings(s: Session, observed: dict) -> Row:
    uri = s.client.open(s.folder / "cfg.py", STUB)
    await _apply(s, GOOD)
    good = await _fingerprint(s, uri)
    applied: list[str] = []
    silent: list[str] = []
    for key, value in BAD_SETTINGS:
        shown = len(s.client.shown())
        await _apply(s, _with(key, value))
        messages = s.client.shown()[shown:]
        if await _fingerprint(s, uri) != good:
            applied.append(f"{key}={value!r}")
        if not any(f"'{key}'" in m for m in messages):
            silent.append(f"{key}={value!r}")
        await _apply(s, GOOD)  # back to the good values: the next bad one is reported afresh
    # A null section means "this folder has no settings": the defaults (floor 50) apply, silently.
    await _apply(s, None)
    null_floor = (await _fingerprint(s, uri))[0][0]
    observed["settings"] = {"tried": len(BAD_SETTINGS), "applied": applied, "silent": silent, "null_floor": null_floor,
                            "good": good, "alive": s.client.alive}
    lost = len(applied) + len(silent) + (0 if s.client.alive else 1)
    outcome = (f"{len(BAD_SETTINGS) - len(silent)} reported naming the key, {len(applied)} applied anyway; "
               f"null section -> defaults (floor {null_floor:g})")
    return Row("bad settings", "wrong type, NaN/inf, negative, >100, bool/string for numbers, unknown keys, null section",
               len(BAD_SETTINGS) + 1, outcome, lost)


# -- malformed params ---------------------------------------------------------------------------------
WRONG_VALUES: list[Any] = [None, "x", -1, 2**63, 1.5, True, [], {}, [1, "a"], {"line": "0"}, "file:///etc/passwd"]


def _leaf_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            paths += _leaf_paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            paths += _leaf_paths(v, prefix + (i,))
    return paths


def _mutate(params: Any, rng: random.Random) -> Any:
    """Replace or delete one randomly chosen node of valid params."""
    params = copy.deepcopy(params)
    paths = _leaf_paths(params)
    if not paths:
        return rng.choice(WRONG_VALUES)
    path = rng.choice(paths)
    parent = params
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and rng.random() < 0.25:
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(rng.choice(WRONG_VALUES))
    return params


async def malformed_params(s: Session, scale: float, observed: dict) -> Row:
    client = s.client
    uri = client.open(s.folder / "bad.py", STUB)
    actions = await s.list_actions(uri, 2)
    assert actions, "the valid request behind the mutations must list actions"
    cursor = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 4}}
    valid: list[tuple[str, Any]] = [
        ("textDocument/codeAction", {**{k: v for k, v in cursor.items() if k != "position"},
                                     "range": {"start": cursor["position"], "end": cursor["position"]}, "context": {"diagnostics": []}}),
        ("textDocument/inlineCompletion", {**cursor, "context": {"triggerKind": 1}}),
        ("textDocument/hover", cursor),
        ("codeAction/resolve", actions[0]),
        ("workspace/executeCommand", {"command": "codefloor.applyAction", "arguments": [actions[0]["data"]]}),
        ("workspace/executeCommand", {"command": "codefloor.editSelection",
                                      "arguments": [uri, {"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 8}}, "return 1"]}),
        ("workspace/executeCommand", {"command": "codefloor.explainRouting", "arguments": [uri, "completion"]}),
        ("workspace/executeCommand", {"command": "codefloor.usage", "arguments": ["2020-01-01"]}),
    ]
    rng = random.Random(SEED)
    tried = max(24, int(240 * scale))
    unanswered = internal = invalid = answered = 0
    for _ in range(tried):
        method, params = rng.choice(valid)
        try:
            response = await client.request(method, _mutate(params, rng), timeout=20)
        except TimeoutError:
            unanswered += 1
            continue
        error = response.get("error")
        if error is None:
            answered += 1
        elif error["code"] == INTERNAL_ERROR:
            internal += 1
            observed.setdefault("internal_errors", []).append((method, error["message"]))
        else:
            invalid += 1
    # Frames that are not JSON-RPC at all, and notifications with bad params.
    for body in (b"{not json", b"[]", b'{"jsonrpc": "2.0"}', b'{"jsonrpc": "2.0", "method": 7}'):
        client.send_raw(body)
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": "two"}, "contentChanges": "x"})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": 5}})
    fresh = client.open(s.folder / "after_garbage.py", STUB)  # (bad.py is forgotten after its undecodable change)
    still = await s.list_actions(fresh, 2)
    lost = unanswered + internal + (0 if client.alive and still else 1)
    observed["malformed"] = {"tried": tried, "unanswered": unanswered, "internal": internal, "invalid_params": invalid,
                             "answered": answered, "alive": client.alive, "serves_after": bool(still)}
    outcome = (f"{answered} valid answers, {invalid} InvalidParams errors naming the field, {unanswered} unanswered, "
               f"{internal} internal errors; 6 garbage frames ignored; still serving")
    return Row(AREA, "malformed LSP params (seeded mutations of 8 request kinds)", tried + 6, outcome, lost)


# -- unknown URIs ---------------------------------------------------------------------------------------
async def unknown_uris(s: Session, observed: dict) -> Row:
    client = s.client
    on_disk = s.folder / "never_opened.py"
    on_disk.write_text(STUB, encoding="utf-8")
    closed = client.open(s.folder / "closed.py", STUB)
    client.notify("textDocument/didClose", {"textDocument": {"uri": closed}})
    uris = [on_disk.as_uri(), (s.folder / "missing.py").as_uri(), closed, "untitled:Untitled-1",
            "https://example.com/x.py", "", "not a uri", "file:///%ZZ/x.py"]
    data = {"kind": "generateBody", "uri": "", "version": 1, "line": 0, "start": [2, 4], "end": [2, 4], "model": "test-cheap"}
    pos = {"line": 2, "character": 4}
    edits_before, shown_before = len(client.applied_edits), len(client.shown())
    tried = internal = non_empty = 0
    for uri in uris:
        requests = [
            ("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": {"start": pos, "end": pos}, "context": {"diagnostics": []}}),
            ("textDocument/inlineCompletion", {"textDocument": {"uri": uri}, "position": pos, "context": {"triggerKind": 1}}),
            ("textDocument/hover", {"textDocument": {"uri": uri}, "position": pos}),
            ("codeAction/resolve", {"title": "Generate body", "data": {**data, "uri": uri}}),
            ("workspace/executeCommand", {"command": "codefloor.applyAction", "arguments": [{**data, "uri": uri}]}),
            ("workspace/executeCommand", {"command": "codefloor.editSelection", "arguments": [uri, {"start": pos, "end": pos}, "x"]}),
        ]
        for method, params in requests:
            tried += 1
            response = await client.request(method, params)
            if "error" in response:
                internal += response["error"]["code"] == INTERNAL_ERROR
                continue
            result = response["result"]
            if result and not (isinstance(result, dict) and (result.get("applied") is False or "edit" not in result and "title" in result)):
                non_empty += 1
                observed.setdefault("unknown_uri_answers", []).append((uri, method, result))
    edits = len(client.applied_edits) - edits_before
    told = [m for m in client.shown()[shown_before:] if "is not open in the editor" in m]
    observed["unknown_uris"] = {"tried": tried, "internal": internal, "non_empty": non_empty, "edits": edits,
                                "told": len(told), "disk_unchanged": on_disk.read_text(encoding="utf-8") == STUB}
    lost = internal + non_empty + edits + (0 if client.alive else 1)
    outcome = (f"{internal} internal errors, {non_empty} non-empty answers, {edits} edits sent; "
               f"{len(told)} 'not open in the editor' messages for edit requests")
    return Row(AREA, "unknown, closed, never-opened and non-file URIs", tried, outcome, lost)


# -- lifecycle -----------------------------------------------------------------------------------------
async def lifecycle(observed: dict) -> Row:
    """Requests before initialize, a second initialize, a request after shutdown: each answered
    (never left hanging); `exit` after `shutdown` ends the process with status 0."""
    import tempfile
    from pathlib import Path

    from tests.fakes.server import FakeServer
    from tests.lsp import harness
    from tests.reliability.rawlsp import RawClient, _closed_port

    hover = {"textDocument": {"uri": "file:///nowhere.py"}, "position": {"line": 0, "character": 0}}
    answers: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, FakeServer("openai") as fake:
        client = await RawClient(harness.server_env(Path(tmp), fake, _closed_port())).start()
        try:
            answers["hover before initialize"] = await client.request("textDocument/hover", hover, timeout=10)
            answers["initialize"] = await client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}}, timeout=10)
            client.notify("initialized", {})
            answers["initialize again"] = await client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}}, timeout=10)
            answers["shutdown"] = await client.request("shutdown", None, timeout=10)
            answers["hover after shutdown"] = await client.request("textDocument/hover", hover, timeout=10)
            client.notify("exit", None)
            status = await asyncio.wait_for(client._proc.wait(), 10)  # type: ignore[union-attr]
        except TimeoutError as exc:
            answers["timeout"] = repr(exc)
            status = None
        finally:
            await client.stop()
    after = answers.get("hover after shutdown", {})
    before = answers.get("hover before initialize", {})
    observed["lifecycle"] = {"answered": sorted(answers), "after_shutdown": after, "before_initialize": before,
                             "exit_status": status}
    not_initialized = before.get("error", {}).get("code") == -32002  # ServerNotInitialized
    lost = ("timeout" in answers) + (status != 0) + ("error" not in after) + (not not_initialized)
    outcome = (f"{len(answers) - ('timeout' in answers)}/5 answered; before initialize: "
               f"{before.get('error', {}).get('message', 'no error')}; after shutdown: "
               f"{after.get('error', {}).get('message', 'no error')}; exit status {status}")
    return Row(AREA, "lifecycle: before initialize, initialize twice, after shutdown, exit", 6, outcome, lost)


# -- document sync -------------------------------------------------------------------------------------
async def broken_document_sync(s: Session, observed: dict) -> Row:
    """A change for a document that is not open, and a change the server cannot decode: the
    server's copy would no longer match the editor's, so it must not edit it until reopened."""
    client = s.client
    shown = len(client.shown())
    client.notify("textDocument/didChange", {"textDocument": {"uri": (s.folder / "nowhere.py").as_uri(), "version": 2}, "contentChanges": [{"text": "x"}]})
    uri = client.open(s.folder / "sync.py", STUB)
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": "line 1", "text": "import os\n"}]})
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# more\n"}]})
    data = {"kind": "generateBody", "uri": uri, "version": 3, "line": 0, "start": [2, 4], "end": [2, 4], "model": "test-cheap"}
    out_of_sync = (await client.request("codeAction/resolve", {"title": "Generate body", "data": data}))["result"].get("edit")
    listed_out_of_sync = await s.list_actions(uri, 2)
    messages = client.shown()[shown:]
    crash_popups = [m for m in messages if m.startswith("Error in server")]
    warned = any("will not edit sync.py until it is reopened" in m for m in messages)
    client.open(s.folder / "sync.py", STUB, version=4)  # the editor reopens it: served again
    reopened = bool(await s.list_actions(uri, 2))
    observed["sync"] = {"crash_popups": crash_popups, "warned": warned, "out_of_sync_edit": out_of_sync is not None,
                        "listed_out_of_sync": bool(listed_out_of_sync), "reopened": reopened}
    lost = len(crash_popups) + (out_of_sync is not None) + bool(listed_out_of_sync) + (not warned) + (not reopened)
    outcome = (f"{len(crash_popups)} 'Error in server' popups; after an undecodable change: "
               f"{'no edit' if out_of_sync is None else 'an edit'} from the stale text, user {'told' if warned else 'not told'}, "
               f"{'served again' if reopened else 'not served'} once reopened")
    return Row(AREA, "didChange for an unopened document / undecodable didChange", 5, outcome, lost)


# -- positions past the end -----------------------------------------------------------------------------
def _in_bounds(text: str, rng: dict) -> bool:
    lines = text.split("\n")
    for end in (rng["start"], rng["end"]):
        if end["line"] >= len(lines) or end["character"] > len(lines[end["line"]].encode("utf-16-le")) // 2:
            return False
    return (rng["start"]["line"], rng["start"]["character"]) <= (rng["end"]["line"], rng["end"]["character"])


def _edit_ranges(edit: dict) -> list[dict]:
    ranges = []
    for change in edit.get("documentChanges") or []:
        ranges += [e["range"] for e in change.get("edits", [])]
    for edits in (edit.get("changes") or {}).values():
        ranges += [e["range"] for e in edits]
    return ranges


async def positions_past_the_end(s: Session, observed: dict) -> Row:
    client = s.client
    uri = client.open(s.folder / "past.py", STUB)
    lines = STUB.split("\n")
    big = 2**31 - 1
    positions = [(len(lines), 0), (len(lines) + 50, 3), (2, 999), (len(lines) - 1, 40), (big, big), (0, big)]
    tried = internal = out_of_bounds = 0
    edits_before = len(client.applied_edits)
    for line, col in positions:
        pos = {"line": line, "character": col}
        for start, end in ((pos, pos), ({"line": 2, "character": 4}, pos), (pos, {"line": 0, "character": 0})):
            requests = [
                ("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": {"start": start, "end": end}, "context": {"diagnostics": []}}),
                ("workspace/executeCommand", {"command": "codefloor.editSelection", "arguments": [uri, {"start": start, "end": end}, "shorter"]}),
            ]
            if start is end:
                requests.append(("textDocument/inlineCompletion", {"textDocument": {"uri": uri}, "position": pos, "context": {"triggerKind": 1}}))
                requests.append(("textDocument/hover", {"textDocument": {"uri": uri}, "position": pos}))
            for method, params in requests:
                tried += 1
                s.fake.set_text("return name")
                response = await client.request(method, params)
                if "error" in response:
                    internal += response["error"]["code"] == INTERNAL_ERROR
                    observed.setdefault("past_end_errors", []).append((method, params, response["error"]["message"]))
                    continue
                result = response["result"]
                if method == "textDocument/inlineCompletion" and result:
                    out_of_bounds += sum(not _in_bounds(STUB, item["range"]) for item in result["items"])
    for sent in client.applied_edits[edits_before:]:
        bad = [r for r in _edit_ranges(sent["edit"]) if not _in_bounds(STUB, r)]
        out_of_bounds += len(bad)
        if bad:
            observed.setdefault("out_of_bounds", []).append(bad)
    s.fake.set_text(BODY)
    observed["past_end"] = {"tried": tried, "internal": internal, "out_of_bounds": out_of_bounds,
                            "edits": len(client.applied_edits) - edits_before}
    lost = internal + out_of_bounds + (0 if client.alive else 1)
    outcome = f"{internal} internal errors; {len(client.applied_edits) - edits_before} edits, {out_of_bounds} outside the document or backwards"
    return Row(AREA, "positions past the end of a line/document, reversed ranges, 2^31-1", tried, outcome, lost)


# -- surrogate pairs and combining characters --------------------------------------------------------------
UNICODE_LINE = 'label = "a👋b🎉é̀ñ̃ 名前🧑‍💻z"'  # emoji (surrogate pairs), combining marks, a ZWJ sequence


CODECS = {"utf-16": "utf-16-le", "utf-8": "utf-8", "utf-32": "utf-32-le"}


def _width(line: str, encoding: str) -> int:
    return len(line.encode(CODECS[encoding])) // {"utf-16": 2, "utf-8": 1, "utf-32": 4}[encoding]


def _splits_char(line: str, character: int, encoding: str = "utf-16") -> bool:
    """Whether a column (in the negotiated encoding's units) falls inside one code point."""
    if encoding == "utf-8":
        data = line.encode("utf-8")
        return 0 < character < len(data) and data[character] & 0xC0 == 0x80  # a continuation byte
    if encoding == "utf-16":
        units = line.encode("utf-16-le")
        if character <= 0 or character * 2 >= len(units):
            return False
        unit = int.from_bytes(units[character * 2 : character * 2 + 2], "little")
        return 0xDC00 <= unit <= 0xDFFF  # a low surrogate right after the cursor: inside a pair
    return False  # utf-32: one unit per code point


async def unicode_around_the_cursor(s: Session, observed: dict, encoding: str = "utf-16") -> Row:
    """Every column of a line of emoji, combining marks and a ZWJ sequence, in the negotiated
    position encoding: no completion or edit may start or end inside a code point."""
    from lsprotocol import types as lsp

    from tests.lsp.harness import apply_text_edits

    client = s.client
    text = f"def show():\n    {UNICODE_LINE}\n    return label\n"
    uri = client.open(s.folder / f"uni_{encoding}.py", text)
    line = text.split("\n")[1]
    width = _width(line, encoding)
    s.fake.set_text("+ 1")
    tried = split = internal = corrupted = 0
    edits_before = len(client.applied_edits)
    for character in range(width + 2):
        pos = {"line": 1, "character": character}
        tried += 1
        response = await client.request("textDocument/inlineCompletion", {"textDocument": {"uri": uri}, "position": pos, "context": {"triggerKind": 1}})
        if "error" in response:
            internal += 1
            continue
        for item in (response["result"] or {}).get("items", []):
            split += _splits_char(line, item["range"]["start"]["character"], encoding)
        tried += 1
        response = await client.request(
            "workspace/executeCommand",
            {"command": "codefloor.editSelection", "arguments": [uri, {"start": pos, "end": {"line": 1, "character": min(character + 3, width)}}, "tidy"]},
        )
        internal += "error" in response
    for sent in client.applied_edits[edits_before:]:
        for r in _edit_ranges(sent["edit"]):
            split += _splits_char(line, r["start"]["character"], encoding) + _splits_char(line, r["end"]["character"], encoding)
        edits = [lsp.TextEdit(range=lsp.Range(start=lsp.Position(**r["start"]), end=lsp.Position(**r["end"])), new_text="+ 1")
                 for r in _edit_ranges(sent["edit"])]
        try:
            apply_text_edits(text, edits, encoding).encode("utf-8")  # a lone surrogate cannot be encoded
        except UnicodeEncodeError:
            corrupted += 1
    s.fake.set_text(BODY)
    edits = len(client.applied_edits) - edits_before
    negotiated = client.init_result.get("capabilities", {}).get("positionEncoding", "utf-16")
    observed[f"unicode {encoding}"] = {"negotiated": negotiated, "tried": tried, "split": split, "internal": internal, "corrupted": corrupted, "edits": edits}
    lost = split + internal + corrupted + (0 if client.alive else 1) + (negotiated != encoding)
    outcome = (f"all {width + 2} {encoding.upper()} columns of an emoji/combining/ZWJ line: {internal} internal errors, "
               f"{edits} edits, {split} ranges inside a code point")
    return Row(AREA, f"surrogate pairs and combining characters around the cursor ({encoding} positions)", tried, outcome, lost)


# -- a flood of diagnostics ------------------------------------------------------------------------------
async def diagnostics_flood(s: Session, observed: dict) -> Row:
    """10,000 diagnostics in one codeAction request (a linter gone wild): a bounded answer, fast."""
    uri = s.client.open(s.folder / "lint.py", STUB)
    diagnostics = [{"range": {"start": {"line": i % 6, "character": 0}, "end": {"line": i % 6, "character": 1}},
                    "message": f"problem {i}", "source": "lint"} for i in range(10_000)]
    params = {"textDocument": {"uri": uri}, "range": {"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 4}},
              "context": {"diagnostics": diagnostics}}
    started = time.perf_counter()
    response = await s.client.request("textDocument/codeAction", params)
    ms = (time.perf_counter() - started) * 1000
    actions = response.get("result") or []
    fixes = [a for a in actions if a["title"].startswith("Fix: ")]
    observed["diagnostics"] = {"ms": ms, "fixes": len(fixes), "actions": len(actions), "error": response.get("error")}
    lost = ("error" in response) + (not 0 < len(fixes) <= 20) + (0 if s.client.alive else 1)
    outcome = f"answered in {ms:.0f} ms with {len(fixes)} fixes (the first 20) + {len(actions) - len(fixes)} other actions"
    return Row(AREA, "10,000 diagnostics in one codeAction request", 1, outcome, lost)


# -- a 5 MB document --------------------------------------------------------------------------------------
def _big_source(size: int) -> str:
    block = "def helper_{n}(value):\n    '''Return the value doubled, for row {n}.'''\n    return value * 2  # é 🎉\n\n\n"
    parts, total, n = [], 0, 0
    while total < size:
        part = block.format(n=n)
        parts.append(part)
        total += len(part.encode("utf-8"))
        n += 1
    return "".join(parts) + STUB


async def five_megabyte_document(s: Session, observed: dict) -> Row:
    client = s.client
    text = _big_source(5 * 1024 * 1024)
    lines = text.split("\n")
    stub_line = len(lines) - 5  # the `pass` of greet()
    started = time.perf_counter()
    uri = client.open(s.folder / "big.py", text)
    actions = await s.list_actions(uri, stub_line)
    listed_ms = (time.perf_counter() - started) * 1000
    generate = [a for a in actions if a["title"].startswith("Generate body")]
    resolved_ms = completion_ms = 0.0
    edit_ok = False
    if generate:
        started = time.perf_counter()
        resolved = (await s.resolve(generate[0]))["result"]
        resolved_ms = (time.perf_counter() - started) * 1000
        ranges = _edit_ranges(resolved.get("edit") or {})
        edit_ok = bool(ranges) and all(r["start"]["line"] >= stub_line - 3 for r in ranges)
    prompt_chars = len(str(s.fake.last.body)) if s.fake.requests else 0
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# typed\n"}]})
    s.fake.set_text("name.upper()")
    started = time.perf_counter()
    completion = await client.request("textDocument/inlineCompletion", {"textDocument": {"uri": uri}, "position": {"line": stub_line + 1, "character": 4}, "context": {"triggerKind": 1}})
    completion_ms = (time.perf_counter() - started) * 1000
    completion_prompt = len(str(s.fake.last.body))
    s.fake.set_text(BODY)
    answered = "result" in completion and completion["result"] is not None
    observed["big"] = {"bytes": len(text.encode("utf-8")), "listed_ms": listed_ms, "resolved_ms": resolved_ms, "completion_ms": completion_ms,
                       "edit_ok": edit_ok, "action_prompt_chars": prompt_chars, "completion_prompt_chars": completion_prompt,
                       "completion_answered": answered}
    lost = (0 if edit_ok else 1) + (0 if answered else 1) + (0 if client.alive else 1)
    outcome = (f"opened+listed {listed_ms:.0f} ms, body generated {resolved_ms:.0f} ms (prompt {prompt_chars // 1024} KB), "
               f"completion after an edit {completion_ms:.0f} ms (prompt {completion_prompt // 1024} KB)")
    return Row(AREA, "a 5 MB Python document (open, list, generate, edit, complete)", 3, outcome, lost)


async def settings_flood(s: Session, observed: dict) -> Row:
    """300 unknown keys and a value nested 500 deep in one update: a few popups, not 300; the
    valid key in the same update still applies; the server stays up."""
    uri = s.client.open(s.folder / "flood.py", STUB)
    deep: Any = "x"
    for _ in range(500):
        deep = {"a": deep}
    section = {f"unknownSetting{n}": n for n in range(300)}
    section.update(minCodingScore=65, nested=deep)
    shown = len(s.client.shown())
    await _apply(s, section)
    popups = len(s.client.shown()) - shown
    logged = sum(m.get("method") == "window/logMessage" and "unknownSetting" in m["params"]["message"] for m in s.client.messages)
    floor = (await _fingerprint(s, uri))[0][0]
    observed["flood"] = {"popups": popups, "logged": logged, "floor": floor, "alive": s.client.alive}
    lost = (popups > 6) + (floor != 65) + (logged < 300) + (0 if s.client.alive else 1)
    outcome = f"{popups} popups, {logged} problems in the log, floor {floor:g} (65 sent alongside)"
    return Row("bad settings", "300 unknown keys + a value nested 500 deep in one update", 302, outcome, lost)


NO_PULL = {**CAPABILITIES, "workspace": {k: v for k, v in CAPABILITIES["workspace"].items() if k != "configuration"}}


async def pushed_and_initial_settings(observed: dict) -> Row:
    """The other two ways settings arrive, for clients without workspace/configuration:
    initializationOptions and a pushed didChangeConfiguration. Same rules: reported, not applied."""
    init = {"codefloor": {"minCodingScore": 70, "policy": "fastest", "completion": {"debounceMs": "0"}}}
    async with session(init_options=init, capabilities=NO_PULL) as s:
        uri = s.client.open(s.folder / "push.py", STUB)
        await s.client.wait_for(lambda: len(s.client.shown()) >= 2, 5)
        initial = (await _fingerprint(s, uri))[0][:2]
        init_reported = [m for m in s.client.shown() if "(initializationOptions)" in m]
        shown = len(s.client.shown())
        s.client.notify("workspace/didChangeConfiguration", {"settings": {"codefloor": {"minCodingScore": True, "localOnly": "yes"}}})
        await s.client.wait_for(lambda: len(s.client.shown()) >= shown + 2, 5)
        pushed_reported = s.client.shown()[shown:]
        pushed = (await _fingerprint(s, uri))[0][:2]
        alive = s.client.alive
    observed["pushed"] = {"initial": initial, "init_reported": init_reported, "pushed": pushed, "pushed_reported": pushed_reported}
    lost = (initial != (70.0, "cheapest")) + (len(init_reported) != 2) + (pushed != initial) + (len(pushed_reported) != 2) + (not alive)
    outcome = (f"initializationOptions: {len(init_reported)}/2 bad keys reported, floor {initial[0]:g} kept from the good key; "
               f"pushed: {len(pushed_reported)}/2 reported, floor {pushed[0]:g} unchanged")
    return Row("bad settings", "bad values in initializationOptions and in pushed settings (no workspace/configuration)", 5, outcome, lost)
