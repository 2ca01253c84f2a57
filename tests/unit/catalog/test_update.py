"""`codefloor catalog update` against a real loopback HTTP server serving copies of the four sources."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

import pytest
import yaml

from codefloor.catalog import update as update_module
from codefloor.catalog.build import BUNDLED_CATALOG
from codefloor.catalog.load import load_catalog, user_catalog_path
from codefloor.catalog.update import CACHE_DIR, Timeouts, seconds_until_due, update_catalog
from codefloor.cli import main
from codefloor.config import load_user_config
from tests.fakes.sources import NAMES, SourceServer, bundled_bodies

TODAY = dt.date(2026, 12, 1)
FAST = Timeouts(connect_s=2.0, read_s=0.3, total_s=10.0)  # read_s: the "server never answers" case


def with_new_model(bodies: dict[str, bytes], slug: str = "acme/coder-9", score: float = 91.0) -> dict[str, bytes]:
    """The bundled copies plus one model OpenRouter lists and Aider measured (so it gets a card)."""
    listing = json.loads(bodies["openrouter"])
    listing["data"].append({"id": slug, "name": f"Acme: {slug}", "context_length": 128000, "expiration_date": None,
                            "pricing": {"prompt": "0.0000001", "completion": "0.0000002"},
                            "top_provider": {"context_length": 128000, "max_completion_tokens": 16000},
                            "supported_parameters": ["tools"]})
    runs = yaml.safe_load(bodies["aider_polyglot"])
    runs.append({"model": slug, "command": f"aider --model openrouter/{slug}", "date": "2026-11-20",
                 "pass_rate_2": score, "edit_format": "diff"})
    return {**bodies, "openrouter": json.dumps(listing).encode(), "aider_polyglot": yaml.safe_dump(runs).encode()}


@pytest.fixture
def server():
    started = SourceServer(with_new_model(bundled_bodies())).start()
    yield started
    started.stop()


@pytest.fixture
def env(tmp_path, server, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(server.config_toml(), encoding="utf-8")
    values = {"CODEFLOOR_CONFIG": str(config), "CODEFLOOR_DATA_DIR": str(tmp_path / "data")}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def run(env, **kw):
    return update_catalog(load_user_config(env), env=env, timeouts=FAST, today=TODAY, **kw)


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_update_downloads_checks_builds_and_swaps_in(env, server):
    bundled_before = digest(BUNDLED_CATALOG)
    result = run(env)
    assert result.ok and result.wrote, result.sources
    assert {n: o.status for n, o in result.sources.items()} == dict.fromkeys(NAMES, "updated")
    target = user_catalog_path(env)
    assert result.catalog == target and target.is_file()
    document = json.loads(target.read_text())
    assert document["as_of"] == TODAY.isoformat()
    assert {m["id"] for m in document["models"]} >= {"coder-9"}
    card = next(m for m in document["models"] if m["id"] == "coder-9")
    assert card["coding_score"] == 91.0 and card["routes"][0]["provider"] == "openrouter"
    assert document["downloads"]["swebench"] == {"url": server.url("swebench"), "fetched": "2026-12-01"}
    assert document["sources"]["openrouter"] == "2026-12-01" and "litellm" in document["sources"]
    assert result.cards == len(document["models"]) and result.scored == sum(m["coding_score"] is not None for m in document["models"])
    # The new catalog is the one in use; the bundled snapshot is untouched and nothing is left staged.
    catalog = load_catalog(env=env)
    assert catalog.get("coder-9") is not None and catalog.origin == "catalog update" and catalog.as_of == "2026-12-01"
    assert digest(BUNDLED_CATALOG) == bundled_before
    assert not list(target.parent.glob(".catalog-build-*")) and not list(target.parent.glob(".*.tmp"))


def test_a_second_update_sends_the_etag_and_304_is_unchanged(env, server):
    assert run(env).ok
    first = user_catalog_path(env).read_bytes()
    result = run(env)
    assert {n: o.status for n, o in result.sources.items()} == dict.fromkeys(NAMES, "unchanged")
    assert result.ok and not result.wrote  # same bytes: the file (and a server following it) is left alone
    assert user_catalog_path(env).read_bytes() == first
    second_round = server.requests[len(NAMES):]
    assert all(r.if_none_match and r.if_none_match.startswith('"') for r in second_round)
    # A changed source is downloaded again, the unchanged ones come from the kept copies.
    server.serve("openrouter", body=with_new_model(with_new_model(bundled_bodies()), "acme/coder-10")["openrouter"])
    result = run(env)
    assert result.sources["openrouter"].status == "updated" and result.sources["aider_polyglot"].status == "unchanged"
    catalog = load_catalog(env=env)
    assert catalog.get("coder-9").coding_score == 91.0  # from aider's kept copy
    assert catalog.get("coder-10") is None  # listed, but no score anywhere: not routed


def _truncate(body: bytes) -> dict:
    return {"body": body[: len(body) // 2]}


FAULTS = {
    "http 500": ("swebench", lambda body: {"status": 500}, "HTTP 500"),
    "no answer within the timeout": ("litellm", lambda body: {"hang": True}, "sent nothing for 0.3 s"),
    "truncated JSON": ("openrouter", _truncate, "not valid JSON"),
    "truncated YAML": ("aider_polyglot", lambda body: {"body": body[: len(body) // 2] + b"\n  - [unclosed"}, "not valid YAML"),
    "changed schema": ("openrouter", lambda body: {"body": json.dumps({"models": json.loads(body)["data"]}).encode()},
                       "expected a JSON object with a 'data' list"),
    "changed schema inside": ("swebench", lambda body: {"body": json.dumps({"leaderboards": [{"name": "bash-only", "rows": []}]}).encode()},
                              "not in the shape the build reads"),
    "oversized, Content-Length": ("litellm", lambda body: {"body": body + b"\n", "declared_length": 10 * 1024 * 1024}, "bytes announced, the cap is"),
    "oversized, streamed without Content-Length": ("litellm", lambda body: {"body": body * 40, "no_length": True},
                                                   "the cap; download stopped"),
}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_any_failure_keeps_the_previous_catalog_and_names_the_source(env, server, monkeypatch, fault):
    name, change, reason = FAULTS[fault]
    assert run(env).ok
    target = user_catalog_path(env)
    before, stat_before = target.read_bytes(), target.stat()
    # Without the fault this round would change the catalog (a new model), so keeping it is visible.
    bodies = with_new_model(with_new_model(bundled_bodies()), "acme/coder-10", 93.0)
    for source in NAMES:
        server.serve(source, body=bodies[source])
    server.serve(name, **change(bodies[name]))
    caps = {"litellm": 1024 * 1024}  # a small cap, so "oversized" needs no huge body
    monkeypatch.setattr(update_module, "SOURCES", tuple(
        dataclasses.replace(s, max_bytes=caps.get(s.name, s.max_bytes)) for s in update_module.SOURCES))
    result = run(env)
    assert not result.ok and not result.wrote
    failed = {n: o.detail for n, o in result.sources.items() if o.status == "failed"}
    assert list(failed) == [name] and reason in failed[name], failed
    assert target.read_bytes() == before and target.stat().st_ino == stat_before.st_ino
    assert result.catalog == target and result.cards == len(json.loads(before)["models"])
    assert load_catalog(env=env).get("coder-10") is None
    # The sources that did arrive are kept: once the fault is gone, they answer 304.
    server.serve(name, status=200, hang=False, no_length=False, declared_length=None, body=bodies[name])
    result = run(env)
    assert result.ok and result.wrote and load_catalog(env=env).get("coder-10") is not None
    assert all(result.sources[n].status == "unchanged" for n in NAMES if n != name)


def test_cli_json_prints_exactly_the_documented_object(env, capsys):
    assert main(["catalog", "update", "--json"]) == 0
    captured = capsys.readouterr()
    printed = json.loads(captured.out)
    assert set(printed) == {"catalog", "cards", "scored", "sources"}
    assert printed["catalog"] == str(user_catalog_path(env)) and printed["cards"] > printed["scored"] > 0
    assert set(printed["sources"]) == set(NAMES)
    assert all(set(v) == {"status", "detail"} and v["status"] == "updated" for v in printed["sources"].values())
    # Not a terminal: one line per source on stderr.
    assert len([line for line in captured.err.splitlines() if line.strip()]) == len(NAMES)


def test_cli_failure_exits_1_naming_the_source_and_the_catalog_in_use(env, server, capsys):
    server.serve("swebench", status=500)
    assert main(["catalog", "update"]) == 1
    err = capsys.readouterr().err
    assert "swebench (HTTP 500" in err and "bundled snapshot" in err and "stays in use" in err
    assert not user_catalog_path(env).exists()


def test_offline_is_one_line(tmp_path, monkeypatch, capsys):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    config = tmp_path / "config.toml"
    config.write_text("[catalog.sources]\n" + "".join(f'{n} = "http://127.0.0.1:{closed}/{n}"\n' for n in NAMES))
    monkeypatch.setenv("CODEFLOOR_CONFIG", str(config))
    monkeypatch.setenv("CODEFLOOR_DATA_DIR", str(tmp_path / "data"))
    assert main(["catalog", "update"]) == 1
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("codefloor: offline? cannot connect to 127.0.0.1") and "stays in use" in line
    assert "Traceback" not in captured.err and captured.out == ""


def test_source_urls_come_only_from_the_user_config(tmp_path):
    from codefloor.config import ConfigError

    config = tmp_path / "config.toml"
    config.write_text('[catalog.sources]\nswebench = "file:///etc/passwd"\n')
    with pytest.raises(ConfigError, match="catalog.sources.swebench"):
        load_user_config({"CODEFLOOR_CONFIG": str(config)})
    config.write_text('[catalog.sources]\nmirror = "https://example.org/x.json"\n')
    with pytest.raises(ConfigError, match="mirror"):
        load_user_config({"CODEFLOOR_CONFIG": str(config)})
    defaults = update_module.source_urls(load_user_config({"CODEFLOOR_CONFIG": str(tmp_path / "none.toml")}))
    assert defaults == {
        "openrouter": "https://openrouter.ai/api/v1/models",
        "aider_polyglot": "https://raw.githubusercontent.com/Aider-AI/aider/main/aider/website/_data/polyglot_leaderboard.yml",
        "swebench": "https://raw.githubusercontent.com/SWE-bench/swe-bench.github.io/master/data/leaderboards.json",
        "litellm": "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json",
    }


def test_auto_update_is_due_from_the_last_attempt(env, server):
    assert seconds_until_due(7, env) == 0.0  # never tried
    run(env)
    state = json.loads((user_catalog_path(env).parent / CACHE_DIR / "state.json").read_text())
    last = state["_last_attempt"]["at"]
    assert seconds_until_due(7, env, now=last + 86400) == pytest.approx(6 * 86400)
    assert seconds_until_due(7, env, now=last + 8 * 86400) == 0.0


def test_catalog_build_writes_the_user_catalog_by_default_never_the_bundled_one(env, capsys):
    bundled_before = digest(BUNDLED_CATALOG)
    assert main(["catalog", "build"]) == 0
    assert f"wrote {user_catalog_path(env)}" in capsys.readouterr().out
    assert user_catalog_path(env).read_bytes() == BUNDLED_CATALOG.read_bytes()
    assert digest(BUNDLED_CATALOG) == bundled_before


def test_progress_is_live_on_a_terminal_and_one_line_per_source_otherwise(env):
    import io

    from codefloor.cli.catalog import _Display

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    live, plain = Terminal(), io.StringIO()
    for stream in (live, plain):
        display = _Display(stream)
        run(env, progress=display.progress, on_done=display.done)
        assert display.finish(len(NAMES)) is None
    assert "\r" in live.getvalue() and "\x1b[K" in live.getvalue() and "updated" in live.getvalue()
    lines = plain.getvalue().splitlines()
    assert len(lines) == len(NAMES) and "\r" not in plain.getvalue()
    assert [line.split()[:2] for line in lines] == [[n, "unchanged"] for n in NAMES]  # the second run: 304s
