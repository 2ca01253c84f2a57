"""`codefloor serve`: run the language server (stdio by default, or TCP for debugging)."""

from __future__ import annotations

import argparse
import logging


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run the language server (editors start this)")
    parser.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    parser.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="TCP host (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2087, help="TCP port (default 2087)")
    parser.add_argument("--log-file", help="write server logs here (stderr by default; stdout is the LSP channel)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.set_defaults(func=run)


class RedactingFormatter(logging.Formatter):
    """Debug logs echo whole LSP messages and library errors; keys never reach the log file."""

    def format(self, record: logging.LogRecord) -> str:
        from codefloor.providers.errors import redact

        return redact(super().format(record))


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        filename=args.log_file,
        level=logging.DEBUG if args.verbose else logging.WARNING,
    )
    for handler in logging.getLogger().handlers:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    from codefloor.lsp.server import create_server, serve_stdio

    server = create_server()
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        serve_stdio(server)  # pygls' message loop on an asyncio.StreamReader, as for TCP
    return 0
