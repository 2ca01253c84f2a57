"""Settings per workspace folder: initializationOptions at initialize, then workspace/configuration
(one item per folder, scopeUri) on `initialized` and on every didChangeConfiguration, cached in
ls.folders. Settings before routing: from `initialize` on, a request that needs a folder's settings
waits (at most SETTINGS_WAIT_S, see server.py) for that folder's first answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from codefloor.lsp.server import CodefloorServer

if TYPE_CHECKING:
    from codefloor.settings import SettingProblem

from codefloor.errors import RouterUnavailable, SetupError
from codefloor.lsp.folders import SECTION


def register(server: CodefloorServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: CodefloorServer, params: types.InitializeParams) -> None:
        ls.init_options = params.initialization_options
        folders = [f.uri for f in params.workspace_folders or []]
        if not folders and params.root_uri:
            folders = [params.root_uri]
        ls.folder_uris = folders  # parsed on `initialized`: pydantic is not on the initialize path
        if ls.client_supports("workspace", "configuration"):
            ls.expect_settings(folders or [""])  # "": the global scope, pulled when there is no folder

    @server.feature(types.INITIALIZED)
    def initialized(ls: CodefloorServer, params: types.InitializedParams) -> None:
        # Synchronous: the base and the folders exist before the next message (a pushed
        # didChangeConfiguration right behind `initialized` must land on them, not be rebuilt away).
        ls.start_router()
        ls.spawn(ls.report_router_problem())
        report(ls, rebuild_base(ls), "initializationOptions")
        ls.folders.set_folders(ls.folder_uris)
        ls.spawn(fetch_all(ls))

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: CodefloorServer, params: None) -> None:
        await ls.close()  # close provider connections and the ledger cleanly

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: CodefloorServer, params: types.DidChangeConfigurationParams) -> None:
        if ls.client_supports("workspace", "configuration"):
            ls.spawn(fetch_all(ls))
        elif params.settings is not None:  # pushed: applied before the next message is read
            report(ls, ls.folders.update_all(params.settings), "settings")
            log_settings(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(ls: CodefloorServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        ls.folders.set_folders(list(ls.workspace.folders))
        if ls.client_supports("workspace", "configuration"):
            ls.expect_settings(ls.folders.folders)  # the added ones: their requests wait for the pull
        await fetch_all(ls)


def rebuild_base(ls: CodefloorServer, *extra: object) -> list[SettingProblem]:
    """Base layers: the user config's [defaults] table, then initializationOptions."""
    from codefloor.config import load_user_config  # pydantic: loaded after `initialize`

    try:
        defaults = load_user_config(ls.env).defaults
    except SetupError:
        defaults = {}  # the router reports the broken file when it is built
    return ls.folders.set_base(defaults, ls.init_options, *extra)


async def fetch_all(ls: CodefloorServer) -> None:
    """Pull the `codefloor` section for every folder (or the global scope when there are none)."""
    if not ls.client_supports("workspace", "configuration"):
        return
    folders = ls.folders.folders
    items = [types.ConfigurationItem(scope_uri=f, section=SECTION) for f in folders] or [types.ConfigurationItem(section=SECTION)]
    try:
        answers = await ls.workspace_configuration_async(types.ConfigurationParams(items=items))
    except Exception as exc:  # a client that fails the request: keep what we have
        ls.log(f"codefloor: workspace/configuration failed ({exc}); keeping the current settings", types.MessageType.Warning)
        ls.settings_arrived(folders or [""])
        return
    if not folders:
        report(ls, rebuild_base(ls, answers[0] if answers else None), "settings")
        ls.settings_arrived([""])
        return
    for folder, answer in zip(folders, answers):
        report(ls, ls.folders.update(folder, answer), folder)
    ls.settings_arrived(folders)
    log_settings(ls)
    ls.spawn(announce_spend(ls, folders))


async def announce_spend(ls: CodefloorServer, folders: list[str]) -> None:
    """Each folder's completion spend (lsp/spend_status.py), once the router is built: importing it
    earlier would take the import lock on this loop while the start-up thread imports the same modules."""
    try:
        router = await ls.router()
    except RouterUnavailable:
        return  # said once at start-up (CodefloorServer.report_router_problem)
    from codefloor.lsp import spend_status

    spend_status.announce(ls, router, folders)


def log_settings(ls: CodefloorServer) -> None:
    """One log line per folder with what it now routes by, however the settings arrived."""
    for folder in ls.folders.folders or [""]:
        settings = ls.folders.settings_for(folder) if folder else ls.folders.base
        ls.log(f"codefloor: {folder or 'no folder'}: minCodingScore {settings.min_coding_score:g}, policy {settings.policy.value}")


MAX_POPUPS = 5  # per settings update: a settings file with hundreds of bad keys must not bury the editor


def report(ls: CodefloorServer, problems: list[SettingProblem], where: str) -> None:
    """Every problem goes to the log; the first few (security problems first) also pop up."""
    ordered = sorted(problems, key=lambda p: not p.security)
    for index, problem in enumerate(ordered):
        kind = types.MessageType.Error if problem.security else types.MessageType.Warning
        if index < MAX_POPUPS:
            ls.show(f"{problem} ({where})", kind)
        ls.log(f"{problem} ({where})", kind)
    if len(ordered) > MAX_POPUPS:
        ls.show(f"codefloor: {len(ordered) - MAX_POPUPS} more settings problems ({where}); the log lists them all", types.MessageType.Warning)
