"""The embedded offline model: llama.cpp in-process (xllamacpp: llama.cpp's own server engine) on a GGUF file.

The model loads lazily, once (the default GGUF is fetched first: codefloor.embedded_model).
Loading, generating and freeing the model block, so each runs on a thread through _off_loop(), the
one place this provider leaves the event loop. Generation runs one at a time and hands tokens to
the event loop through a queue. Closing or cancelling the stream sets a flag the worker checks at every token, so
generation stops within one token; the stream does not return until the worker has let go of
the model.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import AsyncIterator, Callable
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
        self._load_lock = threading.Lock()
        self._generate_lock = threading.Lock()
        self.tokens_generated = 0  # across all streams; lets tests see that generation really stopped

    def __repr__(self) -> str:
        return f"LlamaCppProvider(model_path={str(self.model_path)!r})"

    @property
    def loaded(self) -> bool:
        """The model is in memory: a request now waits for no load (the router learns latency only then)."""
        return self._llama is not None

    def _load(self) -> Any:
        with self._load_lock:
            if self._llama is None:
                self._llama = _load_model(self.model_path, self.settings)
            return self._llama

    async def stream_chat(self, model: str, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        loop = asyncio.get_running_loop()
        llama = await _off_loop(self._load)
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()

        def emit(item: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        worker = _off_loop(self._generate, llama, request, stop, emit)
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
        await _off_loop(self._unload)

    def _unload(self) -> None:
        with self._load_lock, self._generate_lock:  # never free the model under a running generation
            self._llama = None  # the last reference: llama.cpp stops its engine and frees the model

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

    def _generate_locked(self, server: Any, request: ChatRequest, stop: threading.Event, emit) -> None:
        """One generation, holding the model; every streamed piece checks `stop` (returning True from
        the callback makes llama.cpp cancel the task)."""
        body: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if request.stop:
            body["stop"] = list(request.stop)
        state: dict[str, Any] = {"finish": None, "usage": None, "error": None}

        def on_chunk(chunk: Any) -> bool:
            if stop.is_set():
                return True
            if isinstance(chunk, dict) and chunk.get("error"):
                state["error"] = chunk["error"]
                return True
            for choice in chunk.get("choices") or ():
                text = (choice.get("delta") or {}).get("content")
                if text:
                    self.tokens_generated += 1
                    emit(StreamChunk(text=text))
                state["finish"] = choice.get("finish_reason") or state["finish"]
            state["usage"] = chunk.get("usage") or state["usage"]
            return False

        server.handle_chat_completions(body, on_chunk)
        if stop.is_set():
            return
        if state["error"]:
            raise _error(state["error"])
        usage = state["usage"] or {}
        emit(StreamChunk(
            usage=Usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0)), 0.0),
            finish_reason=state["finish"] or "stop",
        ))


def _off_loop(blocking: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
    """Run a blocking llama.cpp call on the default executor's thread; the future ends with it
    (awaiting is optional: cancelling the future does not stop the call, `stop` does)."""
    return asyncio.get_running_loop().run_in_executor(None, blocking, *args)


def _error(error: Any) -> e.ProviderError:
    """llama.cpp's error object as one of ours."""
    error = error if isinstance(error, dict) else {"message": str(error)}
    if error.get("type") == "exceed_context_size_error":
        return e.ContextTooLong(
            f"{NAME}: the prompt ({error.get('n_prompt_tokens', '?')} tokens) does not fit the model's "
            f"{error.get('n_ctx', '?')}-token context; raise [embedded].n_ctx or send less",
            provider=NAME,
        )
    return e.ServerError(f"{NAME}: generation failed: {error.get('message', error)}", provider=NAME)


def _load_model(path: Path | None, settings: EmbeddedConfig) -> Any:
    """llama.cpp's own server engine, in this process, on the GGUF (the default one is fetched once).

    xllamacpp always opens llama.cpp's HTTP listener as well (loopback, a random port); it gets a
    random API key that never leaves this process, so nothing else can use it."""
    try:
        import xllamacpp
    except ImportError:
        raise e.ProviderError(f"{NAME}: xllamacpp (llama.cpp) is not installed -- pip install 'codefloor[local]'",
                              provider=NAME) from None
    if path is None:
        from codefloor.embedded_model import FetchError, fetch

        try:
            path = fetch()
        except FetchError as exc:
            raise e.ProviderError(f"{NAME}: {exc}", provider=NAME) from None
    elif not Path(path).is_file():
        raise e.ProviderError(
            f"{NAME}: no GGUF model file found at {path} -- fix [embedded] model_path in the user config, "
            "or remove it to use the default SmolLM2",
            provider=NAME,
        )
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.n_ctx = settings.n_ctx
    params.n_parallel = 1  # one generation at a time, as the lock above serialises them
    if settings.n_threads:
        params.cpuparams.n_threads = settings.n_threads
        params.cpuparams_batch.n_threads = settings.n_threads
    params.warmup = False
    params.verbosity = -1  # llama.cpp logs every request on stderr otherwise
    params.api_keys = [secrets.token_urlsafe(32)]
    params.ui = False
    params.n_threads_http = 1
    try:
        return xllamacpp.Server(params)
    except Exception as exc:
        raise e.ProviderError(f"{NAME}: cannot load {path}: {exc}", provider=NAME) from None
