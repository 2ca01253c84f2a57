"""`codefloor serve`: run the language server (stdio by default, or TCP for debugging)."""

from __future__ import annotations

import argparse
import logging

from codefloor.errors import SetupError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the language server (editors start this)",
        description="Run the codefloor language server. Editors start it over stdio; --tcp listens on a port "
        "instead (--port 0 picks a free one and says which on stderr). Logs go to stderr or --log-file.",
    )
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
    if args.log_file:
        from pathlib import Path

        from codefloor.private import private_file

        try:
            private_file(Path(args.log_file))  # 0600: logs name folders, models and costs
        except OSError as exc:
            raise SetupError(f"--log-file {args.log_file}: cannot write: {exc.strerror or exc}; "
                             f"choose a file in a folder you can write") from None
    logging.basicConfig(
        filename=args.log_file,
        level=logging.DEBUG if args.verbose else logging.WARNING,
    )
    for handler in logging.getLogger().handlers:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        handler.setLevel(logging.getLogger().level)  # a logger set lower for us (codefloor.lsp.server) stays quiet here
    from codefloor.lsp.server import create_server, serve_stdio, serve_tcp

    server = create_server()
    if args.tcp:
        _say(f"language server starting on TCP {args.host}:{args.port}; logs: {args.log_file or 'stderr'}")
        _say_where_it_listens()
        serve_tcp(server, args.host, args.port)  # the same framing as stdio (lsp/framing.py)
    else:
        serve_stdio(server)  # silent: editors log stderr as errors
    # LSP: `exit` after `shutdown` ends with 0, without it with 1 (a client that closes stdin
    # without either has not shut the server down either).
    return 0 if server.protocol.shut_down() else 1


def _say(line: str) -> None:
    import sys

    from codefloor import __version__

    print(f"codefloor {__version__}: {line}", file=sys.stderr, flush=True)


def _say_where_it_listens() -> None:
    """serve_tcp logs the bound address ("Serving on ('127.0.0.1', 40123)") at INFO; with --port 0 it
    is the only way to learn the port, so it goes to stderr whatever the log level."""
    import re

    class Listening(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found = re.findall(r"\('([^']*)', (\d+)", record.getMessage())
            if record.getMessage().startswith("Serving on") and found:
                _say("listening on " + ", ".join(f"{host}:{port}" for host, port in found))

    logger = logging.getLogger("codefloor.lsp.server")
    logger.setLevel(min(logger.getEffectiveLevel(), logging.INFO))
    logger.addHandler(Listening(logging.INFO))
