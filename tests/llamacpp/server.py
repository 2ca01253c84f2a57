"""The real llama.cpp HTTP server (llama.cpp's own tools/server, as xllamacpp ships it) on a GGUF.

    python -m tests.llamacpp.server --model FILE [--n-ctx 2048] [--threads 1]

Prints its base URL (http://127.0.0.1:PORT, a free port) as the first stdout line once the model is
loaded, then serves until SIGTERM or stdin closes. Tests talk to it over HTTP like any OpenAI-
compatible server; it is the same engine the embedded adapter runs in process.
"""

from __future__ import annotations

import argparse
import signal
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.n_ctx = args.n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.warmup = False
    params.verbosity = -1
    params.ui = False
    server = xllamacpp.Server(params)
    print(server.listening_address, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.stdin.read()  # until the parent closes our stdin (or SIGTERM)
    del server


if __name__ == "__main__":
    main()
