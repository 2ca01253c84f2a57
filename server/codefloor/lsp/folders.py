"""Per-folder settings cache: which folder a document belongs to and that folder's settings.

Layers, lowest first: schema defaults < the user config's [defaults] < initializationOptions <
the folder's workspace/configuration answer. A bad value keeps the folder's previous value for
that key (settings.parse_folder_settings reports it; the caller shows the message).
No pygls here: the handlers in features/configuration.py feed it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codefloor.settings import FolderSettings, SettingProblem

from codefloor.basics import SECTION


class FolderSettingsStore:
    """Imports codefloor.settings (pydantic) on first use, so the server answers `initialize` first."""

    def __init__(self) -> None:
        self._base: FolderSettings | None = None
        self._folders: dict[str, FolderSettings] = {}  # folder uri (no trailing slash) -> settings
        self._shown: dict[str, set[str]] = {}  # problems already reported, per folder

    @property
    def base(self) -> FolderSettings:
        if self._base is None:
            from codefloor.settings import FolderSettings

            self._base = FolderSettings()
        return self._base

    @base.setter
    def base(self, value: FolderSettings) -> None:
        self._base = value

    # -- folders -------------------------------------------------------------------------
    def set_folders(self, uris: list[str]) -> None:
        keep = {_norm(u) for u in uris}
        self._folders = {u: s for u, s in self._folders.items() if u in keep}
        for uri in keep:
            self._folders.setdefault(uri, self.base)

    @staticmethod
    def key(uri: str) -> str:
        """A folder URI as this store names it."""
        return _norm(uri)

    @property
    def folders(self) -> list[str]:
        return list(self._folders)

    def folder_for(self, doc_uri: str) -> str:
        """The innermost folder containing the document ("" when it is in none)."""
        best = ""
        for folder in self._folders:
            if (doc_uri == folder or doc_uri.startswith(folder + "/")) and len(folder) > len(best):
                best = folder
        return best

    def settings_for(self, doc_uri: str) -> FolderSettings:
        folder = self.folder_for(doc_uri)
        return self._folders.get(folder, self.base) if folder else self.base

    # -- layers --------------------------------------------------------------------------
    def set_base(self, *layers: Any) -> list[SettingProblem]:
        """Rebuild the base from user defaults and initializationOptions (each a camelCase dict)."""
        from codefloor.settings import FolderSettings, parse_folder_settings

        base = FolderSettings()
        problems: list[SettingProblem] = []
        for raw in layers:
            section = unwrap(raw)
            if section is None:
                continue
            base, found = parse_folder_settings(section, base)
            problems += found
        self.base = base
        return problems

    def update(self, folder_uri: str, raw: Any) -> list[SettingProblem]:
        """Apply one folder's workspace/configuration answer. Returns problems not reported before."""
        from codefloor.settings import parse_folder_settings

        folder = _norm(folder_uri)
        previous = self._folders.get(folder, self.base)
        section = unwrap(raw)
        if section is None:
            self._folders[folder] = self.base
            return []
        settings, problems = parse_folder_settings(section, self.base)
        if problems:
            settings = _keep_previous(settings, previous, problems)
        self._folders[folder] = settings
        fresh = [p for p in problems if str(p) not in self._shown.get(folder, set())]
        self._shown[folder] = {str(p) for p in problems}
        return fresh

    def update_all(self, raw: Any) -> list[SettingProblem]:
        """Settings pushed without a folder (didChangeConfiguration from clients without pull)."""
        problems: list[SettingProblem] = []
        for folder in list(self._folders) or [""]:
            if folder:
                problems += self.update(folder, raw)
        if not self._folders:
            from codefloor.settings import parse_folder_settings

            section = unwrap(raw)
            if section is not None:
                self.base, problems = parse_folder_settings(section, self.base)
        return _unique(problems)


def unwrap(raw: Any) -> Any:
    """Accept either the section itself or an object holding it under "codefloor"."""
    if isinstance(raw, dict) and SECTION in raw and isinstance(raw[SECTION], (dict, type(None))):
        return raw[SECTION]
    return raw


def _keep_previous(settings: FolderSettings, previous: FolderSettings, problems: list[SettingProblem]) -> FolderSettings:
    from codefloor.settings import FolderSettings

    data = settings.model_dump(by_alias=True)
    old = previous.model_dump(by_alias=True)
    for problem in problems:
        path = problem.key.split(".")
        src, dst = old, data
        for part in path[:-1]:
            src, dst = src.get(part) if isinstance(src, dict) else None, dst.get(part) if isinstance(dst, dict) else None
        if isinstance(src, dict) and isinstance(dst, dict) and path[-1] in src:
            dst[path[-1]] = src[path[-1]]
    return FolderSettings.model_validate(data)


def _unique(problems: list[SettingProblem]) -> list[SettingProblem]:
    seen: dict[str, SettingProblem] = {}
    for p in problems:
        seen.setdefault(str(p), p)
    return list(seen.values())


def _norm(uri: str) -> str:
    return uri.rstrip("/")
