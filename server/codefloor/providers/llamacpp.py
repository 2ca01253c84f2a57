"""The embedded offline model: llama.cpp in-process (llama-cpp-python) on a GGUF file.

The model loads lazily, once. Generation runs in a worker thread, one at a time (a Llama
object is not thread-safe), and hands tokens to the event loop through a queue. Closing or
cancelling the stream sets a flag the worker checks after every token, so generation stops
within one token; the stream does not return until the worker has let go of the model.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from codefloor.config import EmbeddedConfig
from codefloor.providers import errors as e
from codefloor.providers.fim import stream_fim_via_chat
from codefloor.providers.types import ChatRequest, FimRequest, StreamChunk, Usage

NAME = "embedded"
_DONE = object()


class LlamaCppProvider:
    name = NAME

    def __init__(self, model_path: Path | None, settings: EmbeddedConfig | None = None) -> None:
        self.model_path = model_path
        self.settings = settings or EmbeddedConfig()
        self._llama: Any = None
        self._formatter: Any = None
        self._load_lock = threading.Lock()
        self._generate_lock = threading.Lock()
        self.tokens_generated = 0  # across all streams; lets tests see that generation really stopped

    def __repr__(self) -> str:
        return f"LlamaCppProvider(model_path={str(self.model_path)!r})"

    def _load(self) -> Any:
        with self._load_lock:
            if self._llama is None:
                self._llama, self._formatter = _load_model(self.model_path, self.settings)
            return self._llama

    async def stream_chat(self, model: str, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        loop = asyncio.get_running_loop()
        llama = await asyncio.to_thread(self._load)
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()

        def emit(item: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        worker = loop.run_in_executor(None, self._generate, llama, request, stop, emit)
        try:
            while True:
                item = await queue.get()
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            # Wait for the worker to leave the model (within a token); shielded so a second
            # cancellation cannot leave a generation running behind our back.
            await asyncio.shield(worker)

    async def stream_fim(self, model: str, request: FimRequest) -> AsyncIterator[StreamChunk]:
        async for chunk in stream_fim_via_chat(self, model, request):
            yield chunk

    async def aclose(self) -> None:
        await asyncio.to_thread(self._unload)

    def _unload(self) -> None:
        with self._load_lock, self._generate_lock:  # never free the model under a running generation
            llama, self._llama = self._llama, None
            if llama is not None:
                llama.close()

    def _generate(self, llama: Any, request: ChatRequest, stop: threading.Event, emit) -> None:
        """Worker thread: stream tokens to `emit` until done, `stop` is set, or an error."""
        try:
            # Queue behind a running generation, but give up as soon as this stream is cancelled.
            while not self._generate_lock.acquire(timeout=0.05):
                if stop.is_set():
                    return
            try:
                self._generate_locked(llama, request, stop, emit)
            finally:
                self._generate_lock.release()
        except e.ProviderError as exc:
            emit(exc)
        except Exception as exc:  # llama.cpp failures must reach the caller as a ProviderError
            emit(e.ServerError(f"{NAME}: generation failed: {exc}", provider=NAME))
        finally:
            emit(_DONE)

    def _generate_locked(self, llama: Any, request: ChatRequest, stop: threading.Event, emit) -> None:
        """One generation, holding the model; checks `stop` after every token."""
        prompt, stop_words = self._prompt(request)
        prompt_tokens = len(llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True))
        if prompt_tokens + request.max_tokens > llama.n_ctx():
            raise e.ContextTooLong(
                f"{NAME}: the prompt ({prompt_tokens} tokens) and answer ({request.max_tokens}) do not fit "
                f"the model's {llama.n_ctx()}-token context; raise [embedded].n_ctx or send less",
                provider=NAME,
            )
        pieces: list[str] = []
        finish = None
        stream = llama.create_completion(
            prompt=prompt,
            max_tokens=request.max_tokens,
            temperature=request.temperature,
            stop=[*stop_words, *request.stop],
            stream=True,
        )
        try:
            for chunk in stream:
                if stop.is_set():
                    return
                self.tokens_generated += 1
                choice = chunk["choices"][0]
                if choice.get("text"):
                    pieces.append(choice["text"])
                    emit(StreamChunk(text=choice["text"]))
                finish = choice.get("finish_reason") or finish
        finally:
            stream.close()
        answer = "".join(pieces)
        output_tokens = len(llama.tokenize(answer.encode("utf-8"), add_bos=False)) if answer else 0
        emit(StreamChunk(usage=Usage(prompt_tokens, output_tokens, 0.0), finish_reason=finish or "stop"))

    def _prompt(self, request: ChatRequest) -> tuple[str, list[str]]:
        messages = [{"role": m.role, "content": m.content} for m in request.messages]
        formatted = self._formatter(messages=messages)
        stop = formatted.stop or []
        return formatted.prompt, [stop] if isinstance(stop, str) else list(stop)


def _load_model(path: Path | None, settings: EmbeddedConfig) -> tuple[Any, Any]:
    """Llama + a chat formatter from the GGUF's own chat template (ChatML when it has none)."""
    hint = "install codefloor[local] or set [embedded].model_path in the user config"
    try:
        import llama_cpp
        from llama_cpp import llama_chat_format
    except ImportError:
        raise e.ProviderError(f"{NAME}: llama-cpp-python is not installed -- {hint}", provider=NAME) from None
    if path is None or not Path(path).is_file():
        raise e.ProviderError(f"{NAME}: no GGUF model file found ({path}) -- {hint}", provider=NAME)
    try:
        llama = llama_cpp.Llama(
            model_path=str(path), n_ctx=settings.n_ctx, n_threads=settings.n_threads, verbose=False
        )
    except Exception as exc:
        raise e.ProviderError(f"{NAME}: cannot load {path}: {exc}", provider=NAME) from None
    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        return llama, lambda messages: llama_chat_format.format_chatml(messages)
    eos = llama.detokenize([llama.token_eos()], special=True).decode("utf-8", "replace")
    bos = llama.detokenize([llama.token_bos()], special=True).decode("utf-8", "replace")
    formatter = llama_chat_format.Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)
    return llama, formatter
