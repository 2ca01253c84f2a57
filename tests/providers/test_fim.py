"""Fill-in-the-middle through a chat model: the prompt asks for the middle, cleanup keeps only it."""

from __future__ import annotations

import pytest

from codefloor.providers.fim import HOLE, clean_fim_answer, fim_as_chat, stream_fim_via_chat
from codefloor.providers.openai_compat import OpenAICompatProvider
from codefloor.providers.types import FimRequest
from tests.providers.streams import collect, endpoint

REQ = FimRequest("def add(a, b):\n    return ", "\n\nprint(add(1, 2))\n", max_tokens=20, stop=("\n\n",))


def test_prompt_marks_the_hole_between_prefix_and_suffix():
    chat = fim_as_chat(REQ)
    assert chat.messages[0].role == "system" and "only" in chat.messages[0].content
    assert chat.messages[-1].content == REQ.prefix + HOLE + REQ.suffix
    assert (chat.max_tokens, chat.temperature, chat.stop) == (20, 0.0, ("\n\n",))


@pytest.mark.parametrize("answer, middle", [
    ("a + b", "a + b"),
    ("```python\na + b\n```", "a + b"),
    ("Here you go:\n```\na + b\n```\nThis adds them.", "a + b"),
    ("    return a + b", "a + b"),  # repeated the current line
    ("def add(a, b):\n    return a + b", "a + b"),  # repeated the whole prefix
    ("a + b\n\nprint(add(1, 2))\n", "a + b"),  # ran on into the suffix
    ("a + b\n\nprint(add(1, 2))", "a + b"),
    (f"a + b{HOLE}", "a + b"),
    ("a + b\n```", "a + b"),  # a stray closing fence
    ("\n```", ""),
    ("```python\n", ""),
])
def test_cleanup(answer, middle):
    assert clean_fim_answer(answer, REQ) == middle


def test_cleanup_leaves_short_coincidental_overlaps_alone():
    request = FimRequest("x = ", "\n")
    assert clean_fim_answer("= 5", request) == "= 5"  # "= " is too short to count as repetition


async def test_fim_via_chat_on_a_chat_only_route(fake_provider):
    fake = fake_provider("openai", text="```python\na + b\n```")
    provider = OpenAICompatProvider(endpoint("openai", fake.url + "/v1"))
    result = await collect(stream_fim_via_chat(provider, "gpt-x", REQ))
    await provider.aclose()
    assert result.text == "a + b" and result.final.finish_reason == "stop" and result.final.usage is not None
    assert fake.last.path == "/v1/chat/completions" and HOLE in fake.last.body["messages"][-1]["content"]
