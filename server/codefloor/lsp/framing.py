"""LSP base-protocol framing (`Content-Length: N\\r\\n...\\r\\n\\r\\n` + N bytes) for every transport.

pygls 2.1.1's reader (pygls.io_.run_async) only takes an exact `Content-Length: N\\r\\n` line at the
start of a line, has no length cap and never resynchronises: after one frame whose length is 5
bytes short, 10 long, negative, not a number, absent or 10^14, the server kept running and never
answered again (issue 13, item 4). This reader instead:

- finds the next `Content-Length:` header anywhere in the stream (case-insensitive), so the rest of
  a bad frame is skipped as junk and the next frame is read; what was skipped is logged;
- takes a length only if it is a whole number of bytes up to MAX_BODY; anything else (negative,
  not a number, over the cap) is an error logged and that header block is skipped, never read;
- gives each body to protocol.receive(), which returns what follows the first JSON value: a frame
  that claimed too many bytes (a client counting characters, not UTF-8 bytes) swallowed the start
  of the next header, which is put back in front of the stream.

It needs only `await read(n) -> bytes` (b"" at the end of the stream): an asyncio.StreamReader's
read for the stdin pipe and TCP alike, a thread for stdin that is a file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024 * 1024  # 64 MiB: no LSP message is bigger (a 20 MB file in a didOpen is)
MAX_HEADER = 64 * 1024  # a header block longer than this without its blank line is not a header
CHUNK = 1 << 16

_HEADER_START = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
_BLOCK_END = re.compile(rb"\r?\n\r?\n")
_LENGTH = re.compile(rb"[0-9]{1,20}")


async def run_framed(read: Callable[[int], Awaitable[bytes]], protocol: Any) -> None:
    """Read frames until the end of the stream and hand each body to protocol.receive(body)."""
    buffer = bytearray()
    skipped = 0  # junk bytes since the last frame, logged once the next header is found

    async def more() -> bool:
        chunk = await read(CHUNK)
        buffer.extend(chunk)
        return bool(chunk)

    while True:
        start = _HEADER_START.search(buffer)
        if start is None:
            keep = len(b"content-length") + 8  # a header split across reads stays whole
            if len(buffer) > keep:
                skipped += _junk(buffer[:-keep])
                del buffer[:-keep]
            if not await more():
                break
            continue
        skipped += _junk(buffer[: start.start()])
        if skipped:
            log.error("codefloor: skipped %d bytes that were not part of an LSP frame", skipped)
            skipped = 0
        end = _BLOCK_END.search(buffer, start.start())
        if end is None:
            if len(buffer) - start.start() > MAX_HEADER:
                log.error("codefloor: a Content-Length header without the blank line that ends it within %d bytes was skipped", MAX_HEADER)
                del buffer[: start.end()]
                continue
            if not await more():
                break
            continue
        header = bytes(buffer[start.start() : end.start()])
        del buffer[: end.end()]
        value = header.split(b"\n", 1)[0].split(b":", 1)[1].strip()
        if not _LENGTH.fullmatch(value) or int(value) > MAX_BODY:
            log.error("codefloor: a frame with Content-Length %r was skipped: not a number of bytes from 0 to %d; "
                      "reading on from the next header", value.decode("ascii", "replace")[:40], MAX_BODY)
            continue
        length = int(value)
        while len(buffer) < length:
            if not await more():
                log.error("codefloor: the stream ended %d bytes into a %d-byte message", len(buffer), length)
                return
        body = bytes(buffer[:length])
        del buffer[:length]
        rest = protocol.receive(body)
        if rest:
            buffer[:0] = rest


def _junk(data: bytes | bytearray) -> int:
    """Bytes between frames that count as skipped (line ends between frames do not)."""
    return len(data.strip())
