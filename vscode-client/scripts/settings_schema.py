"""package.json's folder settings, derived from the server's one schema (codefloor.settings).

`folder_setting_properties()` turns FolderSettings into VS Code `contributes.configuration`
properties (resource scope, so each folder of a multi-root workspace has its own value).
tests/unit/test_vscode_settings_schema.py compares them with package.json, so the two cannot drift.

    python vscode-client/scripts/settings_schema.py --write   # rewrite package.json after a schema change
"""

from __future__ import annotations

import enum
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from codefloor.settings import SECTION, FolderSettings

PACKAGE_JSON = Path(__file__).resolve().parent.parent / "package.json"

_SCALAR_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


def folder_setting_properties() -> dict[str, dict[str, Any]]:
    """`codefloor.<dotted camelCase key>` -> VS Code property schema, for every FolderSettings leaf."""
    properties: dict[str, dict[str, Any]] = {}
    _walk(FolderSettings, SECTION + ".", properties)
    return properties


def _walk(model: type[BaseModel], prefix: str, out: dict[str, dict[str, Any]]) -> None:
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            _walk(field.annotation, key + ".", out)
            continue
        prop: dict[str, Any] = _json_type(field.annotation)
        prop["default"] = _json_value(field.get_default(call_default_factory=True))
        for meta in field.metadata:
            if getattr(meta, "ge", None) is not None:
                prop["minimum"] = meta.ge
            if getattr(meta, "le", None) is not None:
                prop["maximum"] = meta.le
        prop["description"] = field.description
        prop["scope"] = "resource"
        out[key] = prop


def _json_type(annotation: Any) -> dict[str, Any]:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        schema = _json_type(inner)
        schema["type"] = [schema["type"], "null"]
        return schema
    if typing.get_origin(annotation) is list:
        return {"type": "array", "items": _json_type(args[0])}
    if typing.get_origin(annotation) is typing.Literal:
        return {"type": "string", "enum": list(args)}
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return {"type": "string", "enum": [member.value for member in annotation]}
    if annotation in _SCALAR_TYPES:
        return {"type": _SCALAR_TYPES[annotation]}
    raise TypeError(f"no VS Code setting type for {annotation!r}: extend _json_type")


def _json_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON has one number type; 50.0 and 50 are the same default
    return value


def write_package_json(path: Path = PACKAGE_JSON) -> None:
    """Replace the resource-scoped properties (and the untrusted-workspace restriction list) in place."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    configuration = manifest["contributes"]["configuration"]
    generated = folder_setting_properties()
    others = {k: v for k, v in configuration["properties"].items() if v.get("scope") != "resource"}
    configuration["properties"] = {**generated, **others}
    manifest["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"] = list(generated)
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_package_json()
        print(f"updated {PACKAGE_JSON}")
    else:
        print(json.dumps(folder_setting_properties(), indent=2))
