"""Bounded fault-injection run through `codefloor serve` (the full 1,000-request run is
`python benchmarks/reliability/run.py`): every request ends served at or above the floor or with a
clear message, no partial edit, no crash, every fault shows in the ledger as the failure it is,
and routes cool down and recover."""

from __future__ import annotations

from collections import Counter

from tests.reliability import scenarios_faults as faults

SCALE = 0.25  # 250 routed requests, two server sessions


async def test_faults_lose_nothing_and_every_fault_is_seen_for_what_it_is():
    rows, tally = await faults.run(SCALE)
    assert [r for r in rows if r.lost] == [], tally.notes
    assert tally.crashes == 0 and tally.sessions == 2

    requests = sum(c["tried"] + c["unanswered"] for c in tally.by_kind.values())
    assert requests == 250
    served = sum(c["served first try"] + c["served after fallback"] for c in tally.by_kind.values())
    fell_back = sum(c["served after fallback"] for c in tally.by_kind.values())
    assert served >= 0.8 * requests and fell_back > 0  # the fallbacks did the work, not luck
    assert all(c["popup per keystroke"] == 0 for c in tally.by_kind.values())

    observed: dict[str, Counter] = {}
    for label, row in tally.lined_up:
        observed.setdefault(label, Counter())[row["error_kind"] or row["outcome"]] += 1
    drawn = set(observed) - {"ok"}
    assert len(drawn) >= len(faults.FAULTS) - 1, f"faults never drawn: {set(faults.FAULTS) - drawn}"
    assert observed["SSE cut mid-way"].keys() == {"StreamInterrupted"}
    assert observed["hang before answer (> timeout)"].keys() == {"ProviderTimeout"}
    assert observed["slow drip (20 ms/chunk)"].keys() == {"ok"}
    assert not [n for n in tally.notes if "ledger shows" in n], tally.notes

    [cooldown] = [r for r in rows if r.case.startswith("cooldown")]
    assert cooldown.tried > 20 and "routes that served again: 0" not in cooldown.outcome
    [floor] = [r for r in rows if r.case.startswith("attempts below")]
    assert floor.tried >= requests and floor.outcome.startswith("0 of ")
