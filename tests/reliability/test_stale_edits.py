"""A document edited or closed while its generation runs is never overwritten; the user is told.
Every case has unchanged controls that must get their (versioned) edit, so dropping everything fails."""

from __future__ import annotations

from tests.reliability import scenarios_stale as sc
from tests.reliability.rawlsp import session

CASES = {
    "resolve: typed during generation": (sc.resolve_edit, sc.type_a_character),
    "resolve: closed during generation": (sc.resolve_edit, sc.close),
    "editSelection: typed during generation": (sc.edit_selection, sc.type_a_character),
    "inline completion: typed during generation": (sc.completion, sc.type_a_character),
}


async def test_edits_for_a_changed_document_are_never_applied():
    observed: dict = {}
    async with session() as s:
        rows = [await sc.case(s, name, run, mutation, 2, observed) for name, (run, mutation) in CASES.items()]
        rows.append(await sc.listed_then_edited(s, 2, observed))
    for name in CASES:
        seen = observed[name]
        assert seen["stale"] == 0 and seen["controls_ok"] == 2 and seen["alive"], (name, seen)
        if name.startswith("inline"):
            assert seen["told"] == 0  # no popup per keystroke
        else:
            assert seen["told"] == 2, (name, seen)
            assert seen["versions"] == [1, 1]  # the controls' edits are pinned to the version they were computed for
    relisted = observed["resolve: edited between listing and picking"]
    assert relisted == {"rounds": 2, "stale": 0, "told": 2}
    assert all(row.lost == 0 for row in rows)


async def test_clients_without_resolve_get_no_apply_edit_for_a_changed_document():
    observed: dict = {}
    async with session(capabilities=sc.NO_RESOLVE) as s:
        row = await sc.case(s, "applyAction", sc.apply_action, sc.type_a_character, 2, observed)
    assert observed["applyAction"]["stale"] == 0 and observed["applyAction"]["told"] == 2
    assert observed["applyAction"]["controls_ok"] == 2
    assert row.lost == 0


async def test_an_open_test_file_is_appended_to_as_the_editor_has_it_and_never_when_it_changed():
    observed: dict = {}
    async with session() as s:
        row = await sc.open_test_file(s, 1, observed)
    assert observed["write tests: the test file is open with unsaved text"] == {"rounds": 1, "stale": 0, "told": 1, "misplaced": 0}
    assert row.lost == 0
