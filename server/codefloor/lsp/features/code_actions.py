"""Code actions. Listing is instant (router.decide only, no model call) and names the model in the
title; the model runs in codeAction/resolve, or in the `codefloor.applyAction` command for
clients without resolve support (the edit then goes out with workspace/applyEdit)."""

from __future__ import annotations

import asyncio
import dataclasses
from urllib.parse import unquote
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from codefloor.actions import generate
from codefloor.actions.edits import FileEdit, Pos
from codefloor.actions.generate import CONTEXT_CHARS, Doc, Job, estimate_tokens
from codefloor.actions.files import FileRefused, is_dir_inside, read_project_file
from codefloor.actions.offers import EXPECTED_OUTPUT_TOKENS, ActionKind, Offer, Problem, list_offers
from codefloor.actions.source import Parsed
from codefloor.lsp.convert import doc_path, lines_of, to_doc, to_pos, to_problem, workspace_edit
from codefloor.lsp.reporting import model_label, report_failure, run_routed
from codefloor.errors import CodefloorError, NothingToApply, RouterUnavailable
from codefloor.lsp.server import CodefloorServer

if TYPE_CHECKING:
    from codefloor.router import Router

# Domain modules (pydantic, catalog) are imported inside handlers: they load after `initialize`.


APPLY_COMMAND = "codefloor.applyAction"
APPLY_EDIT_WAIT_S = 5.0  # for the editor's answer to workspace/applyEdit (Vim's ALE never answers)
MAX_FIXES = 20
KIND_REWRITE = types.CodeActionKind.RefactorRewrite + ".codefloor"
KIND_FIX = types.CodeActionKind.QuickFix + ".codefloor"


def register(server: CodefloorServer) -> None:
    options = types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite], resolve_provider=True
    )

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)
    def code_action(ls: CodefloorServer, params: types.CodeActionParams):
        # A generator handler (pygls runs it synchronously): once the router is built, a listing is
        # answered inside the callback that read it, never queued behind streaming model requests.
        router = ls.router_if_ready()
        if router is None:
            router = yield _router_or_none, (ls,), None  # only while the router is being built
        if not ls.settings_ready(params.text_document.uri):
            yield ls.wait_for_settings, (params.text_document.uri,), None  # only right after start-up
        document = ls.open_document(params.text_document.uri)
        if document is not None and not ls.trees.current(document.uri, **_tree_args(document)):
            yield _parse_in_slices, (ls, document), None  # first listing: seconds for a large file
        return list_actions(ls, params, router)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve(ls: CodefloorServer, action: types.CodeAction) -> types.CodeAction:
        if isinstance(action.data, dict):
            edit = await compute_edit(ls, action.data)
            if edit is not None:
                action.edit = edit
        return action

    @server.command(APPLY_COMMAND)
    async def apply_action(ls: CodefloorServer, *args: Any) -> dict:
        if not args or not isinstance(args[0], dict):
            ls.show(f"codefloor: {APPLY_COMMAND} expects one argument: the action's data object")
            return {"applied": False}
        edit = await compute_edit(ls, args[0])
        return await send_edit(ls, edit, f"codefloor: {args[0].get('kind', 'action')}")


async def _router_or_none(ls: CodefloorServer) -> Router | None:
    try:
        return await ls.router()
    except RouterUnavailable as exc:
        ls.log(str(exc), types.MessageType.Error)
        return None


def list_actions(ls: CodefloorServer, params: types.CodeActionParams, router: Router | None) -> list[types.CodeAction] | None:
    """Synchronous: the selection engine only, no model call (router None = it could not be built)."""
    from codefloor.selection.types import Request, TaskKind

    uri = params.text_document.uri
    document = ls.open_document(uri)
    if document is None:
        ls.log(f"codefloor: code actions for {uri}: not open in the editor", types.MessageType.Warning)
        return None
    codec = ls.workspace.position_codec
    path, rope = doc_path(document.uri), document.rope  # not document.source: joining a 20 MB text costs ~10 ms
    parsed = parsed_for(ls, document)  # kept up to date from didChange: no parse of the whole file here
    lines = rope.lines(ends=False)
    start, end = to_pos(lines, params.range.start, codec), to_pos(lines, params.range.end, codec)
    # One fix per diagnostic, for the first MAX_FIXES: a client sending thousands (a linter gone
    # wild) would otherwise hold the event loop for a second and get megabytes of actions back.
    problems = [to_problem(lines, d, codec) for d in params.context.diagnostics[:MAX_FIXES]]
    offers = list_offers(parsed, path=path, start=start, problems=problems)
    offers = [o for o in offers if _wanted(o, params.context.only)]
    if not offers or router is None:
        return None
    prefs = ls.folders.settings_for(uri).preferences()
    input_tokens = estimate_tokens(min(len(rope), CONTEXT_CHARS) + 600)
    can_disable = bool(ls.client_supports("text_document", "code_action", "disabled_support"))
    actions = []
    decisions: dict[ActionKind, Any] = {}  # offers of one kind make the same request: decide once
    for offer in offers:
        if offer.kind not in decisions:
            request = Request(TaskKind.ACTION, input_tokens, EXPECTED_OUTPUT_TOKENS[offer.kind])
            try:
                decisions[offer.kind] = router.decide(request, prefs)
            except CodefloorError as exc:
                decisions[offer.kind] = exc
        decision = decisions[offer.kind]
        if isinstance(decision, Exception):
            if can_disable:
                action = types.CodeAction(title=f"{offer.label} · no eligible model", kind=_kind(offer))
                action.disabled = types.CodeActionDisabled(reason=str(decision))
                actions.append(action)
            continue
        title = f"{offer.label} · {model_label(decision.chosen, decision.floor)}"
        actions.append(_action(ls, offer, title, _data(uri, document.version, offer, start, end, decision.chosen.card.id), params))
    return actions or None


def parsed_for(ls: CodefloorServer, document: Any) -> Parsed | None:
    return ls.trees.get(document.uri, **_tree_args(document))


def _tree_args(document: Any) -> dict[str, Any]:
    return {"text": document.rope, "language_id": document.language_id, "path": doc_path(document.uri), "version": document.version}


async def _parse_in_slices(ls: CodefloorServer, document: Any) -> None:
    """The document's first full parse, giving the event loop back between slices (actions/trees.py)."""
    for _ in ls.trees.parse_in_slices(document.uri, **_tree_args(document)):
        await asyncio.sleep(0)


def track_changes(ls: CodefloorServer, params: types.DidChangeTextDocumentParams) -> None:
    """The didChange hook: keep the document's tree in step with the edits its rope applied (no parse)."""
    document = ls.open_document(params.text_document.uri)
    if document is not None:
        ls.trees.change(document.uri, document.version, document.rope)


def _wanted(offer: Offer, only: list[str] | None) -> bool:
    if not only:
        return True
    kind = _kind(offer)
    return any(kind == o or kind.startswith(o + ".") for o in only)


def _kind(offer: Offer) -> str:
    return KIND_FIX if offer.kind is ActionKind.FIX_DIAGNOSTIC else KIND_REWRITE


def _data(uri: str, version: int | None, offer: Offer, start: Pos, end: Pos, model: str) -> dict:
    data: dict[str, Any] = {
        "kind": offer.kind.value,
        "uri": uri,
        "version": version,
        "line": offer.line,
        "start": [start.line, start.col],
        "end": [end.line, end.col],
        "model": model,
    }
    if offer.problem is not None:
        p = offer.problem
        data["problem"] = {"message": p.message, "start": [p.start.line, p.start.col], "end": [p.end.line, p.end.col], "source": p.source}
    return data


def _action(ls: CodefloorServer, offer: Offer, title: str, data: dict, params: types.CodeActionParams) -> types.CodeAction:
    action = types.CodeAction(title=title, kind=_kind(offer), data=data)
    if offer.problem is not None and offer.diagnostic_index is not None:
        action.diagnostics = [params.context.diagnostics[offer.diagnostic_index]]
    tags = ls.client_supports("text_document", "code_action", "tag_support", "value_set") or []
    if types.CodeActionTag.LlmGenerated in tags:
        action.tags = [types.CodeActionTag.LlmGenerated]
    properties = ls.client_supports("text_document", "code_action", "resolve_support", "properties") or []
    if "edit" not in properties:  # no resolve: the command computes and applies the edit
        action.data = None
        action.command = types.Command(title=title, command=APPLY_COMMAND, arguments=[data])
    return action


def _job(ls: CodefloorServer, data: dict, doc: Doc, folder: str, read_cache: dict[str, str | None], versions: dict[str, int | None]) -> Job:
    """The job for the action data. Other files it reads (the test file) come from the editor when
    open there, since that is the text the edit will apply to; their versions go into `versions`.
    Raises NothingToApply, also for data the client sent back malformed (it may be stale or forged)."""
    try:
        return _job_for(ls, data, doc, folder, read_cache, versions)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:  # OverflowError: Infinity where a number goes
        raise NothingToApply(f"malformed action data ({exc}); list the code actions again") from None


def _job_for(ls: CodefloorServer, data: dict, doc: Doc, folder: str, read_cache: dict[str, str | None], versions: dict[str, int | None]) -> Job:
    kind = ActionKind(data["kind"])
    line = int(data.get("line", 0))
    document = ls.open_document(doc.uri)
    parsed = parsed_for(ls, document) if document is not None else None
    if kind is ActionKind.GENERATE_BODY:
        return generate.generate_body(doc, line, parsed=parsed)
    if kind is ActionKind.ADD_DOCSTRING:
        return generate.add_docstring(doc, line, parsed=parsed)
    if kind is ActionKind.WRITE_TESTS:
        from pygls.uris import from_fs_path, to_fs_path

        root = to_fs_path(folder) if folder else None

        def read_file(path: str) -> str | None:
            """The editor's copy when open; else from disk only by files.py's rules (raises FileRefused)."""
            if path not in read_cache:
                uri = from_fs_path(path) or ""
                opened = ls.open_document(uri)
                if opened is not None:
                    read_cache[path] = opened.source
                    versions[_key(uri)] = opened.version
                else:
                    read_cache[path] = read_project_file(path, root)
            return read_cache[path]

        return generate.write_tests(doc, line, folder_root=root, is_dir=lambda p: is_dir_inside(p, root), read_file=read_file, parsed=parsed)
    if kind is ActionKind.FIX_DIAGNOSTIC:
        p = data["problem"]
        problem = Problem(str(p["message"]), _clamped(doc, p["start"]), _clamped(doc, p["end"]), p.get("source"))
        return generate.fix_problem(doc, problem)
    start, end = _clamped(doc, data["start"]), _clamped(doc, data["end"])
    return generate.edit_selection(doc, start, end, str(data.get("instruction", "")))


def _clamped(doc: Doc, raw: Any) -> Pos:
    """A [line, column] pair from action data, in code points, kept inside the document (the data
    comes back from the client and may be stale or forged)."""
    line, col = (int(v) for v in raw)  # ValueError/TypeError: reported as malformed action data
    lines = lines_of(doc.text)
    if line >= len(lines):
        return Pos(len(lines) - 1, len(lines[-1]))
    line = max(line, 0)
    return Pos(line, min(max(col, 0), len(lines[line])))


async def compute_edit(ls: CodefloorServer, data: dict) -> types.WorkspaceEdit | None:
    """Run the action's model and turn its answer into a versioned WorkspaceEdit (None = nothing to apply;
    the user has been told why)."""
    from codefloor.selection.types import Request, TaskKind

    uri = str(data.get("uri", ""))
    try:
        kind = ActionKind(data.get("kind"))
    except ValueError:
        ls.show(f"codefloor: unknown action kind {data.get('kind')!r}")
        return None
    what = kind.value
    await ls.pacer.turn()  # a burst of these must not hold up listings behind it
    document = ls.open_document(uri)
    if document is None:
        ls.not_open(uri, what)
        return None
    listed_version = data.get("version")
    if listed_version is not None and listed_version != document.version:
        # The action's line and range were computed for that version; the function may have moved.
        ls.show(
            f"codefloor: {what}: {_name(uri)} changed since the action was listed; nothing was applied. "
            "List the code actions again.",
            types.MessageType.Warning,
        )
        return None
    doc = to_doc(document)
    folder = ls.folders.folder_for(uri)
    read_cache: dict[str, str | None] = {}
    versions: dict[str, int | None] = {_key(uri): doc.version}  # every open document the edit was computed from
    try:
        job = _job(ls, data, doc, folder, read_cache, versions)
        what = job.description
        for note in job.notes:
            ls.log(f"codefloor: {what}: {note}", types.MessageType.Warning)
        decision_request = Request(TaskKind.ACTION, job.input_tokens, job.output_tokens)
        prefs = (await ls.settings_for(uri)).preferences()
        router = await ls.router()
        decision, switched = router.decide_keeping(decision_request, prefs, data.get("model"))
    except NothingToApply as exc:
        ls.show(f"codefloor: {exc}")
        return None
    except CodefloorError as exc:
        report_failure(ls, what, exc)
        return None
    result = await run_routed(
        ls, generation=job.chat, request=decision_request, prefs=prefs, decision=decision, folder=folder, what=what,
        note=switched,
        check=job.rejects,  # an answer that would break the file fails that attempt: the next fallback runs
    )
    if result is None:
        return None
    try:
        file_edits = job.finish(result.text)
    except NothingToApply as exc:
        ls.show(f"codefloor: {what}: {exc} (model {result.served_by.card.id})")
        return None
    for used_uri, version in versions.items():
        current = ls.open_document(used_uri)
        if current is None or current.version != version:
            ls.show(
                f"codefloor: {_name(used_uri)} changed while {result.served_by.card.id} worked; nothing was applied. "
                "Run the action again.",
                types.MessageType.Warning,
            )
            return None
    # An edit to a document open in the editor is pinned to the version it was computed from.
    file_edits = [dataclasses.replace(fe, versioned=True) if _key(fe.uri) in versions else fe for fe in file_edits]
    info = {
        "model": result.served_by.card.id,
        "provider": result.served_by.route.provider,
        "codingScore": result.served_by.score,
        "scoreSummary": result.served_by.card.score_summary(),
        "floor": result.decision.floor,
        "reason": result.reason + (f" ({switched})" if switched else ""),
        "costUsd": result.cost_usd,
        "latencyMs": result.latency_ms,
        "task": what,
    }
    for fe in file_edits:
        for edit in fe.edits:
            ls.regions.add(fe.uri, edit.start.line, edit.new_text, info)
    return _workspace_edit(ls, file_edits, doc, read_cache, info, versions)


def _name(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _key(uri: str) -> str:
    """URIs compared the way the workspace stores them (a test file's URI is built from its path)."""
    return unquote(uri)


def _workspace_edit(
    ls: CodefloorServer, file_edits: list[FileEdit], doc: Doc, read_cache: dict, info: dict, versions: dict[str, int | None]
) -> types.WorkspaceEdit:
    from pygls.uris import to_fs_path

    def lines_for(uri: str) -> list[str]:
        if uri == doc.uri:
            return lines_of(doc.text)
        return lines_of(read_cache.get(to_fs_path(uri) or "") or "")

    annotation = None
    if ls.client_supports("workspace", "workspace_edit", "change_annotation_support"):
        annotation = types.ChangeAnnotation(
            label=f"codefloor: {info['model']} ({info['codingScore']:g} ≥ {info['floor']:g})",
            description=f"LLM-generated by {info['model']}: {info['reason']}",
            needs_confirmation=False,
        )
    document_changes = bool(ls.client_supports("workspace", "workspace_edit", "document_changes"))
    return workspace_edit(
        file_edits,
        lines_for=lines_for,
        codec=ls.workspace.position_codec,
        version_for=lambda uri: versions.get(_key(uri)),
        document_changes=document_changes,
        annotation=annotation if document_changes else None,
    )


async def send_edit(ls: CodefloorServer, edit: types.WorkspaceEdit | None, label: str) -> dict:
    """workspace/applyEdit, and the editor's answer waited for at most APPLY_EDIT_WAIT_S (some
    clients never reply: Vim's ALE); a rejected or failed edit is reported."""
    if edit is None:
        return {"applied": False}
    try:
        result = await asyncio.wait_for(
            ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label=label)), APPLY_EDIT_WAIT_S
        )
    except TimeoutError:
        return {"applied": True}  # sent; this client does not answer (a late reply is dropped: protocol.py)
    except asyncio.CancelledError:
        raise
    except Exception as error:  # the client answered with an error
        ls.show(f"codefloor: the editor did not apply the edit ({error}); nothing was changed", types.MessageType.Warning)
        return {"applied": False}
    if result is not None and not result.applied:
        reason = result.failure_reason or "no reason given"
        ls.show(f"codefloor: the editor did not apply the edit ({reason}); nothing was changed", types.MessageType.Warning)
        return {"applied": False}
    return {"applied": True}
