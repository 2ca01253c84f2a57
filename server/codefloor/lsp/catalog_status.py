"""The catalog as the server reports it, and its optional background update.

- catalog_info(): the date and origin of the catalog in use, for codefloor/status and
  codefloor.explainRouting; note_catalog() logs it once per catalog (at start-up, and when a newer
  one was taken up: the router follows <data dir>/catalog.json, see catalog.load.CatalogFollower).
- [catalog] auto_update_days = N (user config; default 0 = never): a task the server keeps runs
  `codefloor catalog update` in a child process when the last attempt (by anyone) is N days old.
  A child process, not a thread: the download never touches this loop, and the build (CPU-bound
  Python parsing megabytes of JSON and YAML) cannot hold the GIL against it. The new file is
  picked up by the next request, like one written from a terminal.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from lsprotocol import types

if TYPE_CHECKING:
    from codefloor.catalog.load import Catalog
    from codefloor.lsp.server import CodefloorServer

RETRY_S = 3600.0  # after a failed attempt that recorded nothing, try again no sooner than this


def catalog_info(catalog: Catalog) -> dict[str, Any]:
    return {"asOf": catalog.as_of, "origin": catalog.origin, "path": catalog.path, "warning": catalog.staleness()}


def note_catalog(ls: CodefloorServer, catalog: Catalog) -> None:
    if catalog is ls.catalog_seen:
        return
    first = ls.catalog_seen is None
    ls.catalog_seen = catalog
    ls.log(f"codefloor: {'routing with' if first else 'now routing with'} the {catalog.describe()}")
    if warning := catalog.staleness():
        ls.log(f"codefloor: {warning} (or set [catalog] auto_update_days in the user config)", types.MessageType.Warning)


def start_auto_update(ls: CodefloorServer, days: int) -> None:
    if days > 0 and not ls.catalog_updating:
        ls.catalog_updating = True
        ls.spawn(_keep_current(ls, days))


async def _keep_current(ls: CodefloorServer, days: int) -> None:
    from codefloor.catalog.update import seconds_until_due

    delay = seconds_until_due(days, ls.env)
    while True:
        await asyncio.sleep(delay)
        await update_once(ls, days)
        delay = max(seconds_until_due(days, ls.env), RETRY_S)


async def update_once(ls: CodefloorServer, days: int) -> None:
    ls.log(f"codefloor: updating the catalog in the background ([catalog] auto_update_days = {days})")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "codefloor", "catalog", "update", "--json",
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ls.env,
    )
    try:
        out, _ = await proc.communicate()
    finally:
        if proc.returncode is None:  # cancelled (shutdown): the catalog in use stays as it is
            proc.kill()
            await proc.wait()
    try:
        result = json.loads(out)
        sources = ", ".join(f"{name} {o['status']}" + (f" ({o['detail']})" if o["status"] == "failed" else "")
                            for name, o in result["sources"].items())
    except (ValueError, KeyError, TypeError, AttributeError):
        ls.log(f"codefloor: the background catalog update failed (exit {proc.returncode}); "
               "run `codefloor catalog update` in a terminal to see why", types.MessageType.Warning)
        return
    kind = types.MessageType.Info if proc.returncode == 0 else types.MessageType.Warning
    ls.log(f"codefloor: background catalog update: {sources}; catalog {result['catalog']} "
           f"({result['scored']} of {result['cards']} models scored)", kind)
