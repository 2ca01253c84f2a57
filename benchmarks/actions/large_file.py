"""Code actions on large files: listing and keystroke cost with per-document trees (actions/trees.py)
against parsing the whole file each time, measured in the same run.

    python benchmarks/actions/large_file.py [--mb-listing 5] [--mb-typing 20] [--n 200]

Figures (ms, wall time on this machine): listing p50/p99 on an unchanged 5 MB file (one class, as
in issue 13 item 6); listings between keystrokes, elsewhere in the file (answered from the edited
tree) and in the function just edited (that function parsed alone); the loop time of one keystroke on a
20 MB file (the rope's edit + Tree.edit; benchmarks/actions/keystrokes.py measures the whole didChange
path through `codefloor serve`); and the baseline, one full parse of each file.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from codefloor.actions.edits import Pos
from codefloor.actions.offers import list_offers
from codefloor.actions.rope import Rope
from codefloor.actions.trees import DocumentTrees


def one_class(megabytes: float) -> str:
    method = "    def method_{i}(self, x: int) -> int:\n        \"\"\"Doc {i} é.\"\"\"\n        return x * {i} + len('名前')\n\n    def stub_{i}(self):\n        pass\n\n"
    parts, size, i = ["class Big:\n"], 0, 0
    while size < megabytes * 1_000_000:
        part = method.format(i=i)
        parts.append(part)
        size += len(part.encode())
        i += 1
    return "".join(parts)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb-listing", type=float, default=5)
    parser.add_argument("--mb-typing", type=float, default=20)
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    print("load average " + " ".join(f"{v:.1f}" for v in os.getloadavg()))
    rng = random.Random(7)

    text = one_class(args.mb_listing)
    lines = text.count("\n")
    trees, rope = DocumentTrees(), Rope(text)
    started = time.perf_counter()
    trees.get("a", text=rope, language_id="python", path="/a.py", version=0)
    baseline_listing = (time.perf_counter() - started) * 1000  # what a listing costs when it parses the file

    listing = []
    for _ in range(args.n):
        line = rng.randrange(lines)
        t = time.perf_counter()
        parsed = trees.get("a", text=rope, language_id="python", path="/a.py", version=0)
        list_offers(parsed, path="/a.py", start=Pos(line, 4), problems=[])
        listing.append((time.perf_counter() - t) * 1000)

    elsewhere, edited_fn = [], []
    version = 0
    for i in range(args.n):
        version += 1
        row = 2 + 7 * rng.randrange(lines // 7 - 1)  # a `return` line: insert a digit, keep it valid
        rope.replace((row, 19), (row, 19), "1")
        trees.change("a", version, rope)
        t = time.perf_counter()
        parsed = trees.get("a", text=rope, language_id="python", path="/a.py", version=version)
        if i % 10:  # the usual case: the user lists actions somewhere they did not just type
            list_offers(parsed, path="/a.py", start=Pos(rng.randrange(lines), 4), problems=[])
            elsewhere.append((time.perf_counter() - t) * 1000)
        else:  # in the function just edited: that function is parsed alone
            list_offers(parsed, path="/a.py", start=Pos(row, 4), problems=[])
            edited_fn.append((time.perf_counter() - t) * 1000)

    big = one_class(args.mb_typing)
    big_lines = big.count("\n")
    typing_trees, big_rope = DocumentTrees(), Rope(big)
    started = time.perf_counter()
    typing_trees.get("b", text=big_rope, language_id="python", path="/b.py", version=0)
    baseline_typing = (time.perf_counter() - started) * 1000
    keystroke, keystroke_cpu = [], []
    for version in range(1, args.n + 1):
        row = 2 + 7 * rng.randrange(big_lines // 7 - 1)
        t, c = time.perf_counter(), time.thread_time()
        big_rope.replace((row, 19), (row, 19), "1")
        typing_trees.change("b", version, big_rope)
        keystroke.append((time.perf_counter() - t) * 1000)
        keystroke_cpu.append((time.thread_time() - c) * 1000)
    splice, buffer = [], bytearray(big.encode())
    for _ in range(args.n):  # the floor under a keystroke: moving the tail of a 20 MB buffer by one byte
        at = rng.randrange(len(buffer))
        t = time.perf_counter()
        buffer[at:at] = b"1"
        splice.append((time.perf_counter() - t) * 1000)
    assert typing_trees.full_parses == 1 and trees.full_parses == 1, "every change must be incremental"
    assert bytes(trees.get("a", text=rope, language_id="python", path="/a.py", version=version).fresh().data).count(b"1 + len") >= 1

    print(f"listing, unchanged {args.mb_listing:g} MB file: p50 {pct(listing, .5):.3f} ms, p99 {pct(listing, .99):.3f} ms (target <= 50)")
    print(f"listing after keystrokes, elsewhere in the {args.mb_listing:g} MB file (edited tree, no parse): p50 {pct(elsewhere, .5):.3f} ms, p99 {pct(elsewhere, .99):.3f} ms")
    print(f"listing in the function just edited ({args.mb_listing:g} MB, that function parsed alone): p50 {pct(edited_fn, .5):.1f} ms, p99 {pct(edited_fn, .99):.1f} ms")
    print(f"keystroke (rope edit + Tree.edit), {args.mb_typing:g} MB file: p50 {pct(keystroke, .5):.3f} ms, p99 {pct(keystroke, .99):.3f} ms (target <= 5); "
          f"thread CPU p50 {pct(keystroke_cpu, .5):.3f} ms, p99 {pct(keystroke_cpu, .99):.3f} ms")
    print(f"  for comparison, what the tree's bytearray cost before the rope: a 1-byte splice of the 20 MB buffer: p50 {pct(splice, .5):.3f} ms, p99 {pct(splice, .99):.3f} ms")
    sliced = DocumentTrees()  # the first listing's parse as the server does it: in slices
    slices, started = [], time.perf_counter()
    t = started
    for _ in sliced.parse_in_slices("c", text=rope, language_id="python", path="/a.py", version=version):
        now = time.perf_counter()
        slices.append((now - t) * 1000)
        t = now
    sliced_total = (time.perf_counter() - started) * 1000
    print(f"first listing's parse in slices, {args.mb_listing:g} MB: {len(slices) + 1} slices, longest {max(slices, default=0):.1f} ms, "
          f"p99 {pct(slices, .99) if slices else 0:.1f} ms, all {sliced_total:.0f} ms (the event loop runs between slices)")
    print(f"baseline full parse: {baseline_listing:.0f} ms ({args.mb_listing:g} MB), {baseline_typing:.0f} ms ({args.mb_typing:g} MB)")
    print(f"ratio listing p99 / full parse: {pct(listing, .99) / baseline_listing:.5f}; keystroke p99 / full parse: {pct(keystroke, .99) / baseline_typing:.5f}; "
          f"listing in the edited function p50 / full parse: {statistics.median(edited_fn) / baseline_listing:.3f}")


if __name__ == "__main__":
    main()
