"""`codefloor catalog update`: download the public sources, check them, build, swap in atomically.

1. Fetch each of SOURCES from its URL (the user config's [catalog.sources] may change it; a
   workspace never can) with a size cap and timeouts, conditionally (If-None-Match /
   If-Modified-Since) when the last download of the same URL is kept in <data dir>/catalog-sources/.
   304 -> that copy is used again ("unchanged").
2. Stage in a temporary folder inside the data dir: a copy of the bundled sources folder (it also
   holds files nobody downloads, e.g. measured_locally.json), each source under the name
   build.read_sources expects (openrouter_models_<today>.json, ...), each download checked with the
   reader the build itself uses, so a changed schema fails here with the source's name.
3. If every source was updated or unchanged: build, write catalog.json.tmp, fsync, rename over
   <data dir>/catalog.json (a running server notices it: load.CatalogFollower). On ANY failure the
   catalog in use stays as it is; validated downloads are still kept for the next run.

The bundled snapshot (catalog/data/catalog.json) is never written here; it stays the fallback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx

from codefloor import __version__
from codefloor.catalog.build import BUNDLED_SOURCES, catalog_document, read_sources, render
from codefloor.catalog.load import CatalogError, catalog_in_use, user_catalog_path
from codefloor.catalog.sources import (
    AIDER_POLYGLOT,
    LITELLM,
    SWEBENCH_BOARD,
    SourceError,
    read_aider,
    read_litellm,
    read_openrouter,
    read_swebench,
)
from codefloor.config import UserConfig, data_dir

MiB = 1024 * 1024
CACHE_DIR = "catalog-sources"  # in the data dir: the last good download of each source + state.json
STATE_FILE = "state.json"
Status = Literal["updated", "unchanged", "failed"]


class Invalid(Exception):
    """A download is not in the shape the build reads; str() says what was expected."""


@dataclass(frozen=True)
class Timeouts:
    connect_s: float = 10.0
    read_s: float = 30.0  # longest silence while a body streams
    total_s: float = 300.0  # one source, from request to last byte


@dataclass(frozen=True)
class Source:
    name: str  # the [catalog.sources] key and the name in every message
    url: str  # the canonical public location
    staged: str  # file name read_sources expects; {date} = today
    max_bytes: int  # several times today's size
    check: Callable[[Path], str]  # raises Invalid; returns what was found ("336 models")


@dataclass(frozen=True)
class Outcome:
    status: Status
    detail: str
    offline: bool = False  # failed before any answer: no connection at all


@dataclass
class UpdateResult:
    catalog: Path  # the catalog in use afterwards (the new one, or the one that stayed)
    cards: int
    scored: int
    sources: dict[str, Outcome]
    wrote: bool = False

    @property
    def ok(self) -> bool:
        return all(o.status != "failed" for o in self.sources.values())

    def as_json(self) -> dict[str, Any]:
        return {"catalog": str(self.catalog), "cards": self.cards, "scored": self.scored,
                "sources": {n: {"status": o.status, "detail": o.detail} for n, o in self.sources.items()}}


# --- checks: the shape the build reads (its own readers, after a plain structural test) ---------------


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except ValueError as exc:
        raise Invalid(f"not valid JSON ({exc}); a cut-off download?") from None


def _read(reader: Callable[[Path], Any], path: Path) -> Any:
    try:
        return reader(path)
    except SourceError as exc:
        raise Invalid(str(exc).replace(f"{path}: ", "")) from None
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        raise Invalid(f"not in the shape the build reads ({type(exc).__name__}: {exc}); has the format changed?") from None


def _check_openrouter(path: Path) -> str:
    data = _json(path)
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise Invalid("expected a JSON object with a 'data' list of models (the /api/v1/models shape); has the format changed?")
    entries = _read(read_openrouter, path)
    if not entries:
        raise Invalid("no model with an id and numeric pricing.prompt / pricing.completion; has the format changed?")
    return f"{len(entries)} priced models"


def _check_aider(path: Path) -> str:
    import yaml

    try:
        runs = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise Invalid(f"not valid YAML ({str(exc).splitlines()[0]}); a cut-off download?") from None
    if not isinstance(runs, list) or not all(isinstance(run, dict) and "date" in run for run in runs):
        raise Invalid("expected a YAML list of runs with model, command, date and pass_rate_2; has the format changed?")
    records = _read(lambda p: read_aider(p, "aider-polyglot"), path)
    if not records:
        raise Invalid("no run with a --model in its command and a pass_rate_2; has the format changed?")
    return f"{len(records)} runs"


def _check_swebench(path: Path) -> str:
    data = _json(path)
    if not isinstance(data, dict) or not isinstance(data.get("leaderboards"), list):
        raise Invalid("expected a JSON object with a 'leaderboards' list; has the format changed?")
    records = _read(read_swebench, path)
    if not records:
        raise Invalid(f"the '{SWEBENCH_BOARD}' leaderboard has no result with a 'Model: ...' tag")
    return f"{len(records)} {SWEBENCH_BOARD} results"


def _check_litellm(path: Path) -> str:
    data = _json(path)
    if not isinstance(data, dict):
        raise Invalid("expected a JSON object keyed by model name; has the format changed?")
    entries, _ = _read(read_litellm, path)
    if not entries:
        raise Invalid("no entry with litellm_provider, input_cost_per_token and output_cost_per_token "
                      "for a provider codefloor calls; has the format changed?")
    return f"{len(entries)} first-party prices"


SOURCES: tuple[Source, ...] = (
    Source("openrouter", "https://openrouter.ai/api/v1/models", "openrouter_models_{date}.json", 16 * MiB,
           _check_openrouter),
    Source("aider_polyglot",
           "https://raw.githubusercontent.com/Aider-AI/aider/main/aider/website/_data/polyglot_leaderboard.yml",
           AIDER_POLYGLOT, 4 * MiB, _check_aider),
    Source("swebench", "https://raw.githubusercontent.com/SWE-bench/swe-bench.github.io/master/data/leaderboards.json",
           "swebench_leaderboards_{date}.json", 64 * MiB, _check_swebench),
    Source("litellm", "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json",
           LITELLM, 32 * MiB, _check_litellm),
)


def source_urls(config: UserConfig) -> dict[str, str]:
    configured = config.catalog.sources
    return {s.name: getattr(configured, s.name) or s.url for s in SOURCES}


# --- download ----------------------------------------------------------------------------------------


class Failed(Exception):
    def __init__(self, detail: str, offline: bool = False) -> None:
        super().__init__(detail)
        self.offline = offline


@dataclass
class Download:
    body: bytes | None  # None: 304, the kept copy is current
    etag: str | None
    last_modified: str | None


Progress = Callable[[str, int, int | None], None]  # (source, bytes so far, Content-Length or None)


def _fetch(client: httpx.Client, source: Source, url: str, kept: dict | None, timeouts: Timeouts,
           progress: Progress | None) -> Download:
    headers = {}
    if kept:
        if kept.get("etag"):
            headers["If-None-Match"] = kept["etag"]
        if kept.get("last_modified"):
            headers["If-Modified-Since"] = kept["last_modified"]
    host = httpx.URL(url).host
    deadline = time.monotonic() + timeouts.total_s
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304 and kept:
                return Download(None, kept.get("etag"), kept.get("last_modified"))
            if response.status_code != 200:
                raise Failed(f"HTTP {response.status_code} {response.reason_phrase} from {url}")
            declared = response.headers.get("content-length")
            length = int(declared) if declared and declared.isdigit() else None
            if length is not None and length > source.max_bytes:
                raise Failed(f"too large: {length:,} bytes announced, the cap is {source.max_bytes:,}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > source.max_bytes:
                    raise Failed(f"too large: more than {source.max_bytes:,} bytes, the cap; download stopped")
                if time.monotonic() > deadline:
                    raise Failed(f"took longer than {timeouts.total_s:g} s; download stopped")
                if progress:
                    progress(source.name, len(body), length)
            return Download(bytes(body), response.headers.get("etag"), response.headers.get("last-modified"))
    except httpx.ConnectTimeout:
        raise Failed(f"no connection to {host} within {timeouts.connect_s:g} s (offline?)", offline=True) from None
    except httpx.ConnectError as exc:
        raise Failed(f"cannot connect to {host}: {_reason(exc)} (offline?)", offline=True) from None
    except httpx.TimeoutException:
        raise Failed(f"{host} sent nothing for {timeouts.read_s:g} s (timeout)") from None
    except httpx.HTTPError as exc:
        raise Failed(f"download from {host} failed: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]


# --- files -----------------------------------------------------------------------------------------


def write_atomically(path: Path, data: bytes) -> None:
    """Write a temporary file beside `path`, fsync it, rename it over `path`, fsync the folder:
    a reader sees the old file or the new one, never a part, even after a crash."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        folder = os.open(path.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows cannot open a folder
        return
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _read_state(cache: Path) -> dict[str, dict]:
    try:
        state = json.loads((cache / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def seconds_until_due(days: int, env: Mapping[str, str] | None = None, now: float | None = None) -> float:
    """For [catalog] auto_update_days: how long until the next update is due (0 = now), counting
    from the last attempt by anyone (the CLI or a server), successful or not."""
    state = _read_state(data_dir(env) / CACHE_DIR)
    last = state.get("_last_attempt", {}).get("at") if isinstance(state.get("_last_attempt"), dict) else None
    now = time.time() if now is None else now
    if not isinstance(last, (int, float)):
        return 0.0
    return max(0.0, last + days * 86400 - now)


# --- the update ------------------------------------------------------------------------------------


def update_catalog(
    config: UserConfig,
    *,
    env: Mapping[str, str] | None = None,
    timeouts: Timeouts = Timeouts(),
    progress: Progress | None = None,
    on_done: Callable[[str, Outcome], None] | None = None,
    today: dt.date | None = None,
    transport: httpx.BaseTransport | None = None,
) -> UpdateResult:
    """Download, check, build and swap in. Never raises for a source problem: each outcome says it."""
    today = today or dt.date.today()
    folder = data_dir(env)
    cache = folder / CACHE_DIR
    target = user_catalog_path(env)
    cache.mkdir(parents=True, exist_ok=True)
    state = _read_state(cache)
    state["_last_attempt"] = {"at": time.time()}
    urls = source_urls(config)
    outcomes: dict[str, Outcome] = {}
    new: dict[str, tuple[bytes, Download]] = {}
    wrote = False

    def done(name: str, outcome: Outcome) -> None:
        outcomes[name] = outcome
        if on_done:
            on_done(name, outcome)

    stage = Path(tempfile.mkdtemp(prefix=".catalog-build-", dir=folder))
    try:
        shutil.copytree(BUNDLED_SOURCES, stage, dirs_exist_ok=True)
        client = httpx.Client(
            timeout=httpx.Timeout(timeouts.read_s, connect=timeouts.connect_s),
            follow_redirects=True,
            headers={"User-Agent": f"codefloor/{__version__} (catalog update)"},
            transport=transport,
        )
        with client:
            for source in SOURCES:
                url = urls[source.name]
                kept_file = cache / source.name
                kept = state.get(source.name)
                kept = kept if isinstance(kept, dict) and kept.get("url") == url and kept_file.is_file() else None
                staged = stage / source.staged.format(date=today.isoformat())
                for old in stage.glob(source.staged.format(date="????-??-??")):
                    old.unlink()  # the bundled copy of a dated source: today's file replaces it
                try:
                    download = _fetch(client, source, url, kept, timeouts, progress)
                    if download.body is None:
                        shutil.copyfile(kept_file, staged)
                        done(source.name, Outcome("unchanged", f"not modified since {kept.get('fetched')} ({url})"))
                        continue
                    staged.write_bytes(download.body)
                    found = source.check(staged)
                except Failed as exc:
                    done(source.name, Outcome("failed", str(exc), exc.offline))
                    continue
                except Invalid as exc:
                    done(source.name, Outcome("failed", f"{url}: {exc}"))
                    continue
                new[source.name] = (download.body, download)
                done(source.name, Outcome("updated", f"{found}, {len(download.body):,} bytes from {url}"))

        if all(o.status != "failed" for o in outcomes.values()):
            try:
                document = catalog_document(read_sources(stage))
            except Exception as exc:  # a build bug on new data must not cost the catalog in use
                blamed = [n for n in new] or list(outcomes)
                for name in blamed:
                    outcomes[name] = Outcome("failed", f"the build failed on it: {type(exc).__name__}: {exc}")
            else:
                document["sources"].setdefault("litellm", today.isoformat())  # upstream carries no date
                document["downloads"] = {n: {"url": urls[n], "fetched": today.isoformat()} for n in outcomes}
                data = render(document).encode("utf-8")
                if not (target.is_file() and target.read_bytes() == data):
                    write_atomically(target, data)
                    wrote = True
        for name, (body, download) in new.items():
            if outcomes[name].status == "updated":
                write_atomically(cache / name, body)
                state[name] = {"url": urls[name], "etag": download.etag, "last_modified": download.last_modified,
                               "fetched": today.isoformat()}
        for name, outcome in outcomes.items():
            if outcome.status == "unchanged":
                state[name]["fetched"] = today.isoformat()
        write_atomically(cache / STATE_FILE, (json.dumps(state, indent=1, sort_keys=True) + "\n").encode())
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return _result(env, target, outcomes, wrote)


def _result(env: Mapping[str, str] | None, target: Path, outcomes: dict[str, Outcome], wrote: bool) -> UpdateResult:
    try:
        catalog = catalog_in_use(env)
    except CatalogError:  # the bundled snapshot itself is unreadable: a broken install
        return UpdateResult(target, 0, 0, outcomes, wrote)
    scored = sum(1 for card in catalog.cards if card.coding_score is not None)
    return UpdateResult(Path(catalog.path), len(catalog.cards), scored, outcomes, wrote)
