"""The data dir is 0700, the ledger and --log-file 0600 whatever the umask; a ledger that cannot be
opened names the file and what to do (issue 13, item 14)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from codefloor.cli import main
from codefloor.config import ensure_data_dir
from codefloor.ledger import Ledger, LedgerError
from tests.unit.ledger.test_ledger import attempt


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0)  # the most permissive umask: nothing may depend on it
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_data_dir_is_0700_and_the_ledger_files_0600(tmp_path, open_umask):
    folder = tmp_path / "share" / "codefloor"
    ledger = Ledger(folder / "usage.sqlite3")
    ledger.record(attempt())
    try:
        assert mode(folder) == 0o700
        for name in ("usage.sqlite3", "usage.sqlite3-wal", "usage.sqlite3-shm"):
            assert mode(folder / name) == 0o600, name
    finally:
        ledger.close()


def test_ensure_data_dir_creates_it_0700(tmp_path, open_umask):
    made = ensure_data_dir({"CODEFLOOR_DATA_DIR": str(tmp_path / "d")})
    assert made == tmp_path / "d" and mode(made) == 0o700


def test_a_ledger_an_older_version_left_0644_becomes_0600(tmp_path, open_umask):
    path = tmp_path / "usage.sqlite3"
    Ledger(path).close()
    os.chmod(path, 0o644)
    Ledger(path).close()
    assert mode(path) == 0o600


@pytest.mark.parametrize("broken", ["directory", "not-a-database"])
def test_an_unopenable_ledger_names_the_file_and_what_to_do(tmp_path, broken):
    path = tmp_path / "usage.sqlite3"
    if broken == "directory":
        path.mkdir()
    else:
        path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(LedgerError) as caught:
        Ledger(path)
    assert str(path) in str(caught.value) and "CODEFLOOR_DATA_DIR" in str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes a 0400 file anyway; the directory case covers root")
def test_a_read_only_ledger_names_the_file(tmp_path):
    path = tmp_path / "usage.sqlite3"
    Ledger(path).close()
    os.chmod(path, 0o400)
    with pytest.raises(LedgerError, match="chmod u\\+w"):
        Ledger(path)


def test_codefloor_usage_says_which_ledger_it_cannot_open(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CODEFLOOR_DATA_DIR", str(tmp_path))
    (tmp_path / "usage.sqlite3").mkdir()
    assert main(["usage"]) != 0
    err = capsys.readouterr().err
    assert str(tmp_path / "usage.sqlite3") in err and "Traceback" not in err


def test_serve_log_file_is_0600(tmp_path):
    log = tmp_path / "server.log"
    done = subprocess.run([sys.executable, "-m", "codefloor", "serve", "--log-file", str(log), "-v"],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
                          preexec_fn=lambda: os.umask(0))
    assert log.exists(), done.stderr
    assert mode(log) == 0o600
