"""Keys never appear in LSP messages, server logs, ledger rows or CLI output on any failure path
(bounded: a representative subset here; benchmarks/reliability/run.py runs all of FAILURES), and a
hostile workspace configuration is ignored and reported."""

from __future__ import annotations

import pytest

from codefloor.providers.errors import StreamRedactor, redact_known, register_secret
from tests.reliability import scenarios_secrets as sc

SUBSET = ["401 echoing every key", "error event in a 200 stream echoing keys", "SSE cut mid-stream", "hang past the timeout", "answer text echoing every key"]


@pytest.mark.parametrize("name", SUBSET)
async def test_no_key_appears_anywhere(name):
    behaviour = dict(sc.FAILURES)[name]
    observed: dict = {}
    row = await sc.failure_path(name, behaviour, 1, observed)
    seen = observed["failures"][name]
    assert seen["found"] == {"lsp": [], "server log": [], "ledger": [], "cli": []}
    assert seen["alive"]
    # The search was over real output, with the keys really in play.
    assert seen["channel_sizes"]["lsp"] > 1000 and seen["channel_sizes"]["server log"] > 1000 and seen["channel_sizes"]["cli"] > 100
    assert seen["channel_sizes"]["ledger"] > 0 and seen["upstream"] > 0
    assert len(seen["sent_keys"]) >= 2  # requests went out with keys (the fakes record them masked)
    if name.startswith("answer"):
        # Generate body and the completion are served; the edit-selection answer (an indented
        # `return` replacing `X = "` at module level) would break the file, so the answer check
        # refuses it on every route and the user is told.
        assert seen["served"] == 2 and seen["told"] >= 1 and "[redacted]" in seen["cli"]
    else:
        assert seen["served"] == 0 and seen["told"] >= 2  # every failure was explained to the user
    assert row.lost == 0


async def test_hostile_workspace_settings_are_ignored_and_reported():
    observed: dict = {}
    row = await sc.hostile_workspace(observed)
    seen = observed["hostile"]
    assert seen["attacker_calls"] == 0 and seen["served"] and seen["user_key_used"]
    assert seen["unreported"] == [] and seen["echoed"] == [] and not seen["pwned"]
    assert all("<hidden>" in e for e in seen["errors"] if "cannot set endpoints" in e)
    assert 1 <= len(seen["popups"]) <= 6  # security errors pop up first, capped per update
    assert not seen["attacker_in_output"]  # not even the server's debug log repeats the hostile key
    assert row.lost == 0


@pytest.mark.parametrize("key", ["CanarySplitKey7d1e5f9a3b", "CaCaCanaryOverlap9f8e7d"])  # the second overlaps itself
def test_a_key_split_across_stream_chunks_is_still_redacted(key):
    register_secret(key)
    text = f"before {key} middle {key[:5]} after CaCa{key}"
    for cut in range(1, len(text)):
        for second in (cut + 1, cut + 7, len(text)):
            redactor = StreamRedactor()
            pieces = [text[:cut], text[cut:second], text[second:]]
            out = "".join(redactor.feed(p) for p in pieces) + redactor.flush()
            assert out == redact_known(text), (cut, second)
    assert redact_known(text).count("[redacted]") == 2 and f"middle {key[:5]} after" in redact_known(text)  # a mere prefix stays


async def test_a_broken_user_config_names_the_field_never_the_key():
    observed: dict = {}
    row = await sc.broken_user_config(observed)
    seen = observed["broken_config"]
    assert seen["found"] == {name: [] for name in sc.BROKEN_CONFIGS}
    assert seen["told"] == 2 * len(sc.BROKEN_CONFIGS)
    assert row.lost == 0
