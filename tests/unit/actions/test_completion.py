from hypothesis import given, settings
from hypothesis import strategies as st

from codefloor.actions.completion import CompletionCache, Context, clean_completion, fit_context


def test_fit_context_keeps_everything_that_fits():
    text = "def f():\n    return 1\n"
    ctx = fit_context(text, 13, window_tokens=8192)
    assert ctx.prefix + ctx.suffix == text and ctx.prefix == text[:13]


def test_fit_context_trims_at_line_boundaries_to_the_window():
    text = "".join(f"line {i}\n" for i in range(5000))
    offset = text.index("line 2500")
    ctx = fit_context(text, offset, window_tokens=1024)
    assert len(ctx.prefix) + len(ctx.suffix) <= (1024 - 128 - 64) * 4
    assert ctx.prefix.startswith("line ") and ctx.prefix.endswith("line 2499\n")
    assert ctx.suffix.startswith("line 2500") and ctx.suffix.endswith(tuple("0123456789"))
    assert len(ctx.prefix) > len(ctx.suffix)


def test_clean_completion_drops_echo_and_suffix_overlap():
    ctx = Context(prefix="def f():\n    ret", suffix=")\n")
    assert clean_completion("    return g(1)", ctx) == "urn g(1"  # the echoed current line and the ")" that follows
    assert clean_completion("```python\nurn 1\n```", Context("x = 1\n    ret", "")) == "urn 1"
    assert clean_completion("urn g(1)", ctx) == "urn g(1"


def test_cache_evicts_least_recently_used():
    cache = CompletionCache(size=2)
    keys = [CompletionCache.key("f", "m", Context(str(i), "")) for i in range(3)]
    cache.put(keys[0], "a")
    cache.put(keys[1], "b")
    assert cache.get(keys[0]) == "a"
    cache.put(keys[2], "c")
    assert cache.get(keys[1]) is None and cache.get(keys[0]) == "a" and len(cache) == 2


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.integers(0, 400), min_size=1, max_size=150), at=st.floats(0, 1), window=st.integers(0, 10_000), nl=st.sampled_from(["\n", "\r\n"]))
def test_the_text_within_reach_of_the_cursor_gives_the_same_context_as_the_whole(lines, at, window, nl):
    """A completion in a 20 MB file reads only CONTEXT_REACH characters either side of the cursor."""
    from codefloor.actions.completion import CONTEXT_REACH

    text = "".join("é" * n + nl for n in lines)
    offset = int(at * len(text))
    start = max(0, offset - CONTEXT_REACH)
    assert fit_context(text[start : offset + CONTEXT_REACH], offset - start, window) == fit_context(text, offset, window)
