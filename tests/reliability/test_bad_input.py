"""Bad input through the real server (bounded versions of scenarios_input), plus the settings
rules the server relies on. Each test asserts on what was observed, not only on the row."""

from __future__ import annotations

import pytest

from codefloor.settings import parse_folder_settings
from tests.reliability import scenarios_input as sc
from tests.reliability.rawlsp import CAPABILITIES, session


async def test_malformed_params_are_answered_and_the_server_keeps_serving():
    observed: dict = {}
    async with session() as s:
        row = await sc.malformed_params(s, 0.1, observed)
        bad = await s.client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": "file:///x.py"}, "range": {"start": {"line": "one", "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}},
        )
    seen = observed["malformed"]
    assert seen["unanswered"] == 0 and seen["internal"] == 0, observed.get("internal_errors")
    assert seen["invalid_params"] > 0 and seen["answered"] > 0  # the mutations hit both kinds
    assert seen["alive"] and seen["serves_after"]
    assert bad["error"]["code"] == -32602 and "params.range.start.line" in bad["error"]["message"]
    assert "contentChanges" in "".join(m for m in s.client.shown() if "didChange" in m)  # LSP's names, not Python's
    assert row.lost == 0 and row.tried >= 24


async def test_unknown_uris_get_empty_answers_and_nothing_is_read_or_edited():
    observed: dict = {}
    async with session() as s:
        row = await sc.unknown_uris(s, observed)
    seen = observed["unknown_uris"]
    assert seen["internal"] == 0 and seen["non_empty"] == 0, observed.get("unknown_uri_answers")
    assert seen["edits"] == 0 and seen["disk_unchanged"]
    assert seen["told"] == 3 * 8  # resolve, applyAction and editSelection say "not open" for each URI
    assert row.lost == 0


async def test_a_document_out_of_sync_is_not_edited_until_reopened():
    observed: dict = {}
    async with session() as s:
        row = await sc.broken_document_sync(s, observed)
    assert observed["sync"] == {"crash_popups": [], "warned": True, "out_of_sync_edit": False, "listed_out_of_sync": False, "reopened": True}
    assert row.lost == 0


async def test_positions_past_the_end_are_clamped_into_the_document():
    observed: dict = {}
    async with session() as s:
        row = await sc.positions_past_the_end(s, observed)
    seen = observed["past_end"]
    assert seen["internal"] == 0, observed.get("past_end_errors")
    assert seen["out_of_bounds"] == 0, observed.get("out_of_bounds")
    assert seen["edits"] > 0  # edits were produced and checked, not skipped
    assert row.lost == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
async def test_no_edit_or_completion_lands_inside_a_code_point(encoding):
    observed: dict = {}
    async with session(capabilities={**CAPABILITIES, "general": {"positionEncodings": [encoding]}}) as s:
        row = await sc.unicode_around_the_cursor(s, observed, encoding)
    seen = observed[f"unicode {encoding}"]
    assert seen["negotiated"] == encoding
    assert seen["edits"] > 10 and seen["split"] == 0 and seen["corrupted"] == 0 and seen["internal"] == 0
    assert row.lost == 0


def test_splits_char_detects_a_column_inside_a_code_point():
    line = "a👋b"
    assert [sc._splits_char(line, c, "utf-16") for c in range(5)] == [False, False, True, False, False]
    assert [sc._splits_char(line, c, "utf-8") for c in range(7)] == [False, False, True, True, True, False, False]


async def test_a_five_megabyte_document_is_served_quickly():
    observed: dict = {}
    async with session() as s:
        row = await sc.five_megabyte_document(s, observed)
    big = observed["big"]
    assert big["bytes"] >= 5 * 1024 * 1024
    assert big["edit_ok"] and big["completion_answered"]
    assert big["action_prompt_chars"] < 40_000 and big["completion_prompt_chars"] < 20_000  # context is cut, not 5 MB
    assert big["listed_ms"] < 3000  # was ~5 s when every listing parsed the whole file
    assert row.lost == 0


async def test_lifecycle_requests_are_all_answered():
    observed: dict = {}
    row = await sc.lifecycle(observed)
    seen = observed["lifecycle"]
    assert "timeout" not in seen["answered"] and len(seen["answered"]) == 5
    assert seen["after_shutdown"]["error"]["code"] == -32600 and seen["exit_status"] == 0
    assert seen["before_initialize"]["error"]["code"] == -32002  # ServerNotInitialized
    assert row.lost == 0


async def test_initialization_options_and_pushed_settings_follow_the_same_rules():
    observed: dict = {}
    row = await sc.pushed_and_initial_settings(observed)
    seen = observed["pushed"]
    assert seen["initial"] == (70.0, "cheapest") and seen["pushed"] == (70.0, "cheapest")
    assert any("'policy'" in m for m in seen["init_reported"]) and any("'completion.debounceMs'" in m for m in seen["init_reported"])
    assert any("'minCodingScore' = True" in m for m in seen["pushed_reported"]) and any("'localOnly'" in m for m in seen["pushed_reported"])
    assert row.lost == 0


async def test_ten_thousand_diagnostics_get_a_bounded_answer():
    observed: dict = {}
    async with session() as s:
        row = await sc.diagnostics_flood(s, observed)
    seen = observed["diagnostics"]
    assert seen["error"] is None and seen["fixes"] == 20 and seen["actions"] == 21  # + generate body
    assert row.lost == 0


async def test_bad_settings_are_reported_by_key_and_never_applied():
    observed: dict = {}
    async with session() as s:
        row = await sc.bad_settings(s, observed)
    seen = observed["settings"]
    assert seen["applied"] == [] and seen["silent"] == []
    assert seen["good"][0][:2] == (70.0, "strongest") and seen["good"][1][0] == 60.0  # the good values did apply
    assert seen["null_floor"] == 50.0
    assert row.lost == 0 and row.tried == len(sc.BAD_SETTINGS) + 1


async def test_a_flood_of_bad_settings_pops_up_a_few_messages_and_applies_the_good_key():
    observed: dict = {}
    async with session() as s:
        row = await sc.settings_flood(s, observed)
    assert observed["flood"] == {"popups": 6, "logged": 300, "floor": 65.0, "alive": True}
    assert row.lost == 0


@pytest.mark.parametrize(
    "raw",
    [{"minCodingScore": True}, {"minCodingScore": "60"}, {"localOnly": "true"}, {"completion": {"debounceMs": False}},
     {"maxCostPerRequestUsd": True}, {"completion": {"enabled": 1}}],
)
def test_lax_coercions_are_refused(raw):
    settings, problems = parse_folder_settings(raw)
    assert len(problems) == 1 and not problems[0].security
    assert settings.min_coding_score == 50 and settings.local_only is False and settings.completion.debounce_ms == 150


def test_json_numbers_still_work_as_numbers():
    settings, problems = parse_folder_settings({"minCodingScore": 60, "maxCostPerRequestUsd": 1, "completion": {"minCodingScore": 42.5}})
    assert problems == []
    assert (settings.min_coding_score, settings.max_cost_per_request_usd, settings.completion.min_coding_score) == (60, 1, 42.5)


@pytest.mark.parametrize(
    "raw",
    [{"providers": {"openai": {"baseUrl": "http://attacker.example"}}}, {"openai": {"apiBase": "x"}}, {"models": [{"id": "m", "via": "https://attacker.example"}]},
     {"serverCommand": ["sh", "-c", "id"]}, {"apiKeyEnv": "HOME"}, {"completion": {"proxy": "socks5://attacker.example"}}],
)
def test_hostile_keys_are_security_problems_with_hidden_values(raw):
    settings, problems = parse_folder_settings(raw)
    assert len(problems) == 1 and problems[0].security
    assert "attacker" not in str(problems[0]) and "HOME" not in str(problems[0]) and "<hidden>" in str(problems[0])
    assert settings == parse_folder_settings({})[0]


def test_large_files_find_the_same_function_as_a_whole_file_parse():
    from codefloor.actions.languages import PYTHON
    from codefloor.actions.source import function_at, parse

    tail = (
        "@decorator\nclass Box:\n    '''A box.'''\n\n    @property\n    def size(self):\n# a comment at column 0 inside the method\n"
        "        return 1\n\n    async def fill(self, items):\n        ...\n\n\nS = '''\nnot code at column 0\n'''\n\ndef after():\n    pass\n"
    )
    padding = "def filler_{n}():\n    return {n}\n\n\n"
    big = "".join(padding.format(n=n) for n in range(20_000)) + tail
    offset = big.count("\n") - tail.count("\n")
    big_tree, tail_tree = parse(PYTHON, big), parse(PYTHON, tail)
    for line_in_tail in (5, 6, 7, 10, 14, 18):
        line = offset + line_in_tail
        fast = function_at(big_tree, line)
        slow = function_at(tail_tree, line_in_tail)
        if line_in_tail == 14:  # inside a module-level string: no function, and no false one either
            assert fast is None and slow is None
            continue
        assert fast is not None and slow is not None
        assert (fast.qualname, fast.header_line - offset, fast.is_stub, fast.body_start.line - offset) == (
            slow.qualname, slow.header_line, slow.is_stub, slow.body_start.line)