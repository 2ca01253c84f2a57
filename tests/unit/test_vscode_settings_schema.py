"""vscode-client/package.json agrees with the server's one settings schema (codefloor.settings).

The folder settings VS Code offers (names, types, defaults, ranges, enums, descriptions) must be
exactly FolderSettings, each `resource`-scoped; everything else the extension contributes must be
unable to redirect traffic or run a program from a workspace. After changing FolderSettings run
`python vscode-client/scripts/settings_schema.py --write`.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest

from codefloor.config import PROVIDERS
from codefloor.settings import FORBIDDEN_KEY_PATTERN, FolderSettings, parse_folder_settings

CLIENT = Path(__file__).resolve().parents[2] / "vscode-client"
USER_ONLY_SCOPES = {"application", "machine"}  # never read from a workspace (machine-overridable would be)


def _load_generator():
    spec = importlib.util.spec_from_file_location("vscode_settings_schema", CLIENT / "scripts" / "settings_schema.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


@pytest.fixture()
def manifest() -> dict:
    return json.loads((CLIENT / "package.json").read_text(encoding="utf-8"))


def contributed(manifest: dict) -> dict[str, dict]:
    return manifest["contributes"]["configuration"]["properties"]


def drift(manifest: dict) -> list[str]:
    """Human-readable differences between package.json's folder settings and FolderSettings."""
    expected = generator.folder_setting_properties()
    actual = {k: v for k, v in contributed(manifest).items() if v.get("scope") == "resource"}
    problems = [f"{k}: missing from package.json" for k in expected.keys() - actual.keys()]
    problems += [f"{k}: resource-scoped but not in FolderSettings" for k in actual.keys() - expected.keys()]
    problems += [
        f"{k}: package.json has {actual[k]!r}, schema says {expected[k]!r}"
        for k in expected.keys() & actual.keys()
        if actual[k] != expected[k]
    ]
    for name, prop in contributed(manifest).items():
        if name in expected and prop.get("scope") != "resource":
            problems.append(f"{name}: scope {prop.get('scope')!r}, must be 'resource' (one value per folder)")
    return sorted(problems)


def test_folder_settings_match_the_server_schema(manifest):
    assert drift(manifest) == [], "run: python vscode-client/scripts/settings_schema.py --write"


def test_every_schema_field_is_offered(manifest):
    # Independent of the generator: walk the pydantic model by hand.
    names = {f"codefloor.{f.alias}" for f in FolderSettings.model_fields.values() if f.alias != "completion"}
    names |= {f"codefloor.completion.{f.alias}" for f in FolderSettings.model_fields["completion"].annotation.model_fields.values()}
    resource = {k for k, v in contributed(manifest).items() if v.get("scope") == "resource"}
    assert resource == names


def test_floor_is_a_0_to_100_number_per_folder(manifest):
    floor = contributed(manifest)["codefloor.minCodingScore"]
    assert (floor["type"], floor["minimum"], floor["maximum"], floor["scope"]) == ("number", 0, 100, "resource")
    assert floor["default"] == FolderSettings().min_coding_score


def test_defaults_are_accepted_by_the_server(manifest):
    """What VS Code sends for an untouched folder parses without a single problem."""
    payload: dict = {}
    for name, prop in contributed(manifest).items():
        if prop.get("scope") != "resource":
            continue
        *parents, leaf = name.removeprefix("codefloor.").split(".")
        node = payload
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = prop["default"]
    settings, problems = parse_folder_settings(payload)
    assert problems == []
    assert settings == FolderSettings()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda props: props["codefloor.minCodingScore"].update(maximum=99),
        lambda props: props["codefloor.policy"]["enum"].pop(),
        lambda props: props["codefloor.completion.debounceMs"].update(default=100),
        lambda props: props["codefloor.localOnly"].update(description="changed"),
        lambda props: props["codefloor.maxCostPerRequestUsd"].update(scope="window"),
        lambda props: props.pop("codefloor.completion.enabled"),
        lambda props: props.update({"codefloor.extra": {"type": "string", "scope": "resource"}}),
    ],
)
def test_drift_is_detected(manifest, mutate):
    changed = copy.deepcopy(manifest)
    mutate(contributed(changed))
    assert drift(changed) != []


def test_nothing_that_redirects_traffic_or_runs_a_program_is_workspace_settable(manifest):
    for name, prop in contributed(manifest).items():
        leaf_names = name.removeprefix("codefloor.")
        if prop.get("scope") == "resource":
            assert not FORBIDDEN_KEY_PATTERN.search(leaf_names), f"{name} looks like an endpoint/key/command"
        if FORBIDDEN_KEY_PATTERN.search(leaf_names) or leaf_names.startswith("server."):
            assert prop.get("scope") in USER_ONLY_SCOPES, f"{name} must be application/machine scoped"
    assert contributed(manifest)["codefloor.server.command"]["scope"] in USER_ONLY_SCOPES
    assert contributed(manifest)["codefloor.server.pythonPath"]["scope"] in USER_ONLY_SCOPES


def test_untrusted_workspaces_cannot_set_folder_settings(manifest):
    trust = manifest["capabilities"]["untrustedWorkspaces"]
    assert trust["supported"] == "limited"
    assert sorted(trust["restrictedConfigurations"]) == sorted(generator.folder_setting_properties())


def test_api_key_variables_match_the_server(manifest):
    client = json.loads((CLIENT / "src" / "providerKeys.json").read_text(encoding="utf-8"))
    server = {spec.name: spec.key_env for spec in PROVIDERS.values() if spec.key_env}
    assert client == server


def test_readme_settings_table_names_every_setting(manifest):
    readme = (CLIENT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in contributed(manifest) if f"| `{name}` |" not in readme]
    assert missing == [], "add these to the settings tables in vscode-client/README.md"
