"""Secrets: with a distinctive fake key for every remote provider, no key appears anywhere the
server or the CLI writes, on every failure path; a hostile workspace configuration cannot
redirect traffic, supply keys or commands, and is reported.

Where we look: every LSP frame the server sent, its stderr at debug level, every ledger row,
the output of `codefloor ask` / `usage` / `models`. Every provider endpoint is a loopback fake
that echoes all the keys back in its error texts, stream errors and even its answers.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

from tests.fakes import behaviour as b
from tests.fakes.server import FakeServer, mask_secret
from tests.lsp import harness
from tests.reliability.rawlsp import REPO_ROOT, STUB, Session, session
from tests.reliability.report import Row

AREA = "secrets"

# Distinctive canaries: each has a unique core to search for, in every provider's key shape
# (Mistral's has no recognisable prefix, so only registration can catch it).
KEYS = {
    "OPENAI_API_KEY": "sk-proj-CanaryOpenAI7f3e9a1c5b2d",
    "ANTHROPIC_API_KEY": "sk-ant-api03-CanaryAnthropic4e8b2f6a",
    "GEMINI_API_KEY": "AIzaSyCanaryGemini9d1c7e3b5a0f",
    "DEEPSEEK_API_KEY": "sk-CanaryDeepseek2b6f0e4d8c",
    "MISTRAL_API_KEY": "CanaryMistral5a9e3d7c1b0f4e",
    "XAI_API_KEY": "xai-CanaryXai8c2e6a0d4f9b",
    "OPENROUTER_API_KEY": "sk-or-v1-CanaryOpenRouter3f7b1d5e9a",
}
CORES = [key.split("Canary", 1)[1] for key in KEYS.values()]  # found even if a prefix was cut off
ECHO = "invalid credentials: " + " ".join(KEYS.values())

FAILURES: list[tuple[str, b.Behaviour]] = [
    ("401 echoing every key", b.status(401, ECHO)),
    ("403 echoing every key", b.status(403, ECHO)),
    ("400 echoing every key", b.status(400, ECHO)),
    ("500 echoing every key", b.status(500, ECHO)),
    ("429 + Retry-After", b.rate_limited("1")),
    ("529 overloaded", b.overloaded()),
    ("503", b.server_error(503)),
    ("malformed JSON", b.malformed_json(1)),
    ("SSE cut mid-stream", b.cut(2)),
    ("empty choices", b.empty_choices()),
    ("error event in a 200 stream echoing keys", b.stream_error("invalid_request_error", ECHO, 1)),
    ("hang past the timeout", b.hang(5)),
    ("connection refused", b.refuse()),
    ("answer text echoing every key", b.ok("```python\n    return '" + ECHO + "'\n```")),
]
# Short timeouts (the hang case), and Mistral's key in the user config file rather than the
# environment: both places a key can come from are covered.
CONFIG_KEYS = {"mistral": KEYS["MISTRAL_API_KEY"]}
USER_CONFIG = "".join(
    f"\n[providers.{p}]\ntimeout_s = 1.0\nconnect_timeout_s = 1.0\n" + (f'api_key = "{CONFIG_KEYS[p]}"\n' if p in CONFIG_KEYS else "")
    for p in ("openai", "anthropic", "gemini", "deepseek", "mistral", "xai", "openrouter")
)


def provider_env(openai: FakeServer, anthropic: FakeServer, gemini: FakeServer) -> dict[str, str]:
    root = openai.url
    return {
        **{var: key for var, key in KEYS.items() if key not in CONFIG_KEYS.values()},
        "CODEFLOOR_OPENAI_BASE_URL": root + "/v1",
        "CODEFLOOR_DEEPSEEK_BASE_URL": root,
        "CODEFLOOR_MISTRAL_BASE_URL": root + "/v1",
        "CODEFLOOR_XAI_BASE_URL": root + "/v1",
        "CODEFLOOR_OPENROUTER_BASE_URL": root + "/v1",
        "CODEFLOOR_ANTHROPIC_BASE_URL": anthropic.url,
        "CODEFLOOR_GEMINI_BASE_URL": gemini.url,
    }


def leaks(text: str) -> list[str]:
    """Every key (or key core) found in `text`."""
    return [core for core in CORES if core in text]


def ledger_text(data_dir: Path) -> str:
    path = data_dir / "usage.sqlite3"
    if not path.exists():
        return ""
    with sqlite3.connect(path) as db:
        return "\n".join(" ".join(map(str, row)) for row in db.execute("SELECT * FROM attempts"))


async def run_cli(env: dict[str, str], *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "codefloor", *args, cwd=REPO_ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return out.decode("utf-8", "replace") + err.decode("utf-8", "replace")


async def scenarios(scale: float, observed: dict | None = None) -> list[Row]:
    observed = {} if observed is None else observed
    rounds = max(1, round(3 * scale))
    rows = [await failure_path(name, behaviour, rounds, observed) for name, behaviour in FAILURES]
    rows.append(await hostile_workspace(observed))
    rows.append(await broken_user_config(observed))
    return rows


BROKEN_CONFIGS = {
    "a key where a table belongs": f'[providers]\nopenai = "{KEYS["OPENAI_API_KEY"]}"\n',
    "a key next to a bad value": f'[providers.anthropic]\napi_key = "{KEYS["ANTHROPIC_API_KEY"]}"\ntimeout_s = "slow"\n',
    "a key in a broken line": f'[providers.mistral]\napi_key = "{KEYS["MISTRAL_API_KEY"]}\n',
}


async def broken_user_config(observed: dict) -> Row:
    """A user config that does not parse or validate, with a key in it: the server and the CLI say
    which file and field is wrong, never the value."""
    found: dict[str, list[str]] = {}
    told = 0
    for name, config in BROKEN_CONFIGS.items():
        async with session(config_extra=config) as s:
            await s.client.wait_for(lambda: any("config.toml" in m for m in s.client.shown()), 10)
            told += any("config.toml" in m for m in s.client.shown())
            cli = await run_cli(dict(s.client.env), "ask", "hello")
            told += "config.toml" in cli
            found[name] = leaks(s.client.all_text() + cli)
    observed["broken_config"] = {"found": found, "told": told}
    lost = sum(len(v) for v in found.values()) + (2 * len(BROKEN_CONFIGS) - told)
    outcome = f"server and CLI name the file and field {told}/{2 * len(BROKEN_CONFIGS)} times; {lost} keys shown"
    return Row(AREA, "broken user config holding a key (wrong shape, bad neighbour, unterminated string)", 2 * len(BROKEN_CONFIGS), outcome, lost)


async def failure_path(name: str, behaviour: b.Behaviour, rounds: int, observed: dict) -> Row:
    with FakeServer("anthropic") as anthropic, FakeServer("gemini") as gemini:
        fakes: list[FakeServer] = [anthropic, gemini]

        def env_for(openai: FakeServer) -> dict[str, str]:
            fakes.append(openai)
            return provider_env(openai, anthropic, gemini)

        async with session(env_for=env_for, config_extra=USER_CONFIG) as s:
            for fake in fakes:
                fake.set_default(behaviour)
            served, told, tried = await _requests(s, rounds)
            cli_env = dict(s.client.env)
            commands = [["ask", "--min-coding-score", "40", "write hello world in Python"],
                        ["ask", "--json", "--min-coding-score", "80", "write hello world in Python"], ["usage"]]
            if name == FAILURES[0][0]:
                commands.append(["models"])  # lists availability, calls no provider: once is enough
            outputs = await asyncio.gather(*(run_cli(cli_env, *command) for command in commands))
            for fake in fakes:
                fake.wait_idle()
            sent_keys = {r.headers.get("authorization") or r.headers.get("x-api-key") or r.headers.get("x-goog-api-key") for f in fakes for r in f.requests}
            alive = s.client.alive
            channels = {
                "lsp": "\n".join(s.client.frames),
                "server log": s.client.stderr_text(),
                "ledger": ledger_text(Path(s.client.env["CODEFLOOR_DATA_DIR"])),
                "cli": "\n".join(outputs),
            }
    found = {channel: leaks(text) for channel, text in channels.items()}
    lost = sum(len(v) for v in found.values()) + (0 if alive else 1)
    upstream = sum(len(f.requests) for f in fakes)
    observed.setdefault("failures", {})[name] = {
        "found": found, "served": served, "told": told, "tried": tried, "upstream": upstream, "sent_keys": sent_keys,
        "channel_sizes": {k: len(v) for k, v in channels.items()}, "alive": alive, "cli": outputs[0][-400:],
    }
    outcome = (f"{served} served, {told} clear errors; {upstream} upstream calls; "
               f"0 keys in {sum(len(t) for t in channels.values()) // 1024} KB of LSP/log/ledger/CLI" if lost == 0
               else f"keys found: {found}")
    return Row(AREA, f"keys set; provider: {name}", tried + len(outputs), outcome, lost)


async def _requests(s: Session, rounds: int) -> tuple[int, int, int]:
    """Code action resolve, inline completion, edit-selection, explainRouting and usage, `rounds` times each."""
    client = s.client
    served = told = tried = 0
    for n in range(rounds):
        uri = client.open(s.folder / f"m{n}.py", STUB)
        data = {"kind": "generateBody", "uri": uri, "version": 1, "line": 0, "start": [2, 4], "end": [2, 4], "model": "test-cheap"}
        shown = len(client.shown())
        edits = len(client.applied_edits)
        resolved = await client.request("codeAction/resolve", {"title": "Generate body", "data": data}, timeout=120)
        completion = await client.request("textDocument/inlineCompletion", {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 4}, "context": {"triggerKind": 1}}, timeout=120)
        selection = {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 5}}
        edited = await client.request("workspace/executeCommand", {"command": "codefloor.editSelection", "arguments": [uri, selection, "rename"]}, timeout=120)
        for command, args in (("codefloor.explainRouting", [uri]), ("codefloor.usage", [])):
            await client.request("workspace/executeCommand", {"command": command, "arguments": args})
        tried += 5
        served += bool((resolved.get("result") or {}).get("edit")) + bool(completion.get("result")) + (len(client.applied_edits) > edits)
        told += len(client.shown()) - shown
        assert "error" not in resolved and "error" not in edited, (resolved, edited)
    return served, told, tried


# -- a hostile workspace -----------------------------------------------------------------------------------
async def hostile_workspace(observed: dict) -> Row:
    with FakeServer("openai") as attacker:
        hostile = {
            "openaiBaseUrl": attacker.url + "/v1",
            "providers": {"openai": {"baseUrl": attacker.url + "/v1", "apiKey": "sk-attacker-0000000000"}},
            "apiKey": "sk-attacker-1111111111",
            "apiKeyEnv": "HOME",
            "openaiApiKeyEnvVar": "PATH",
            "serverCommand": ["sh", "-c", "touch pwned"],
            "server": {"command": "sh", "args": ["-c", "touch pwned"]},
            "env": {"CODEFLOOR_OPENAI_BASE_URL": attacker.url},
            "completion": {"endpoint": attacker.url, "debounceMs": 0},
            "proxy": "http://" + attacker.url.split("://", 1)[1],
        }
        async with session(settings=hostile, init_options={"codefloor": {"baseUrl": attacker.url, "minCodingScore": 40}}) as s:
            uri = s.client.open(s.folder / "h.py", STUB)
            data = {"kind": "generateBody", "uri": uri, "version": 1, "line": 0, "start": [2, 4], "end": [2, 4], "model": "test-cheap"}
            resolved = await s.client.request("codeAction/resolve", {"title": "Generate body", "data": data})
            s.fake.wait_idle()
            sent_with = [r.headers.get("authorization") for r in s.fake.requests]
            # Errors pop up (at most a few per update, then "N more"); the log lists every one.
            errors = [m["params"]["message"] for m in s.client.messages
                      if m.get("method") in ("window/showMessage", "window/logMessage") and m["params"]["type"] == 1]
            popups = [e for e in s.client.shown() if "cannot set endpoints" in e]
            everything = s.client.all_text()
            said = "\n".join(m["params"]["message"] for m in s.client.messages if m.get("method") in ("window/showMessage", "window/logMessage"))
            echoed = [v for v in ("sk-attacker", "touch pwned", "HOME'", "PATH'", attacker.url.split("://")[1]) if v in said]
            pwned = (s.folder / "pwned").exists() or (REPO_ROOT / "pwned").exists() or Path("pwned").exists()
    expected = [k for k in hostile if k != "completion"] + ["completion.endpoint", "baseUrl"]  # baseUrl: initializationOptions
    unreported = [name for name in expected if not any(f"'{name}'" in e for e in errors)]
    attacker_calls = len(attacker.requests)
    user_key_used = bool(sent_with) and all(h == "Bearer " + mask_secret(harness.FAKE_KEY) for h in sent_with)
    observed["hostile"] = {"attacker_calls": attacker_calls, "served": bool((resolved.get("result") or {}).get("edit")), "sent_with": sent_with,
                           "errors": errors, "popups": popups, "unreported": unreported, "echoed": echoed, "pwned": pwned, "user_key_used": user_key_used,
                           "attacker_in_output": "sk-attacker" in everything}
    lost = attacker_calls + len(unreported) + len(echoed) + int(pwned) + (0 if user_key_used else 1) + (0 if popups else 1)
    outcome = (f"{len(expected) - len(unreported)}/{len(expected)} reported as errors ({len(popups)} popups, all in the log), "
               f"{len(echoed)} values echoed, {attacker_calls} calls to the attacker, "
               f"served {'with' if user_key_used else 'WITHOUT'} the user's endpoint and key")
    return Row(AREA, "hostile workspace settings + initializationOptions (base URL, key, key env var, server command)", len(expected), outcome, lost)
