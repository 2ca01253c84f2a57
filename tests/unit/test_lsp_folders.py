"""The per-folder settings cache (no pygls): layering, longest-prefix folders, bad values keep the previous one."""

from codefloor.lsp.folders import FolderSettingsStore


def test_documents_use_their_innermost_folder_and_defaults_outside():
    store = FolderSettingsStore()
    store.set_folders(["file:///w/a", "file:///w/a/inner", "file:///w/b/"])
    store.update("file:///w/a", {"minCodingScore": 40})
    store.update("file:///w/a/inner", {"codefloor": {"minCodingScore": 80}})
    assert store.settings_for("file:///w/a/x.py").min_coding_score == 40
    assert store.settings_for("file:///w/a/inner/y.py").min_coding_score == 80
    assert store.folder_for("file:///w/ab/z.py") == ""
    assert store.settings_for("file:///elsewhere.py").min_coding_score == 50


def test_bad_value_keeps_previous_and_is_reported_once():
    store = FolderSettingsStore()
    store.set_folders(["file:///w"])
    assert store.update("file:///w", {"minCodingScore": 70, "policy": "strongest"}) == []
    problems = store.update("file:///w", {"minCodingScore": 150, "policy": "strongest"})
    assert [p.key for p in problems] == ["minCodingScore"]
    assert "0 to 100" in str(problems[0]) and "150" in str(problems[0])
    assert store.settings_for("file:///w/f.py").min_coding_score == 70
    assert store.update("file:///w", {"minCodingScore": 150}) == []  # already reported


def test_forbidden_keys_are_security_problems_and_base_layers_apply():
    store = FolderSettingsStore()
    problems = store.set_base({"minCodingScore": 60}, {"codefloor": {"policy": "balanced", "openaiBaseUrl": "http://evil"}})
    assert [p.security for p in problems] == [True] and "evil" not in str(problems[0])
    store.set_folders(["file:///w"])
    store.update("file:///w", {"completion": {"debounceMs": 0}})
    settings = store.settings_for("file:///w/f.py")
    assert (settings.min_coding_score, settings.policy.value, settings.completion.debounce_ms) == (60, "balanced", 0)
