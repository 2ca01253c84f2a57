"""Load through `codefloor serve`: 200 concurrent requests over 20 documents with a 300 ms
provider. Every request is answered with the whole edit (or a message) or cancelled, memory stays
bounded across waves, and listings were measured during the load. The listing latency itself is
a figure the runner prints (docs/reliability.md), not a timed assertion."""

from __future__ import annotations

from tests.reliability import scenarios_load as load

SCALE = 0.4  # 2 waves of 200


async def test_every_request_is_answered_or_cancelled_and_memory_stays_bounded():
    rows, run = await load.run(SCALE)
    assert [r for r in rows if r.lost] == [], run.notes
    assert run.waves == 2 and run.lost == 0
    actions = load.CONCURRENT - load.COMPLETIONS_PER_WAVE
    assert run.answered_edit == 2 * actions  # a healthy provider: every action is the whole edit
    # completions: the second per document supersedes the first, unless the first already finished
    assert run.completed + run.cancelled == 2 * load.COMPLETIONS_PER_WAVE and run.cancelled > 0
    assert run.upstream_calls >= 2 * actions
    assert len(run.load_ms) >= 20 and len(run.idle_ms) == load.IDLE_LISTINGS
    assert run.rss_after_wave_mb[-1] - run.rss_after_wave_mb[0] < 25, run.rss_after_wave_mb
    assert run.rss_peak_mb < 250
