"""How to run one exercise's tests, per language, offline. Each runner says why it cannot run here.

The commands follow Aider's benchmark harness, so a pass here is a pass there:
python `pytest`; javascript `jest` (after turning the exercises' `xtest` into `test`); go
`go test ./...`; rust `cargo test -- --include-ignored` (here `--offline`); cpp `cmake
-DEXERCISM_RUN_ALL_TESTS=1` then `make` (the build runs the bundled Catch2 tests); java: JUnit 5 on
the exercise's sources (Aider runs `./gradlew test`, which downloads Gradle and the jars from the
internet; here the same JUnit/AssertJ tests run on Debian's jars: `junit5`, `libassertj-core-java`).

Tool look-ups happen once per process. JavaScript needs jest and Babel from npm once:
`codefloor calibrate --setup` installs them (pinned, below) into the user cache directory; after
that no network is needed.
"""

from __future__ import annotations

import fcntl
import functools
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import platformdirs

from codefloor.actions.lines import split_lines
from codefloor.calibrate.exercises import Exercise
from codefloor.calibrate.sandbox import GiB, Limits

# What the exercises' package.json asks for, pinned to the versions this harness was proven with.
JS_PACKAGES = {
    "jest": "29.7.0",
    "babel-jest": "29.7.0",
    "@babel/core": "7.29.16",
    "@exercism/babel-preset-javascript": "0.2.1",
    "core-js": "3.37.1",
}
JAVA_JARS = ("junit-platform-console-standalone", "assertj-core")
_CRATE_LINE = re.compile(r"^\s*\[(?:dev-)?dependencies\]\s*$\s*^\s*[A-Za-z0-9_-]+\s*=", re.MULTILINE)


def cache_dir(env: dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("CODEFLOOR_CACHE_DIR"):
        return Path(env["CODEFLOOR_CACHE_DIR"]) / "calibrate"
    return Path(platformdirs.user_cache_dir("codefloor", appauthor=False)) / "calibrate"


def js_dir(env: dict[str, str] | None = None) -> Path:
    return cache_dir(env) / "js-jest-29.7.0"


@dataclass(frozen=True)
class Runner:
    language: str
    problem: Callable[[], str | None]  # why this machine cannot run it; None = it can
    command: Callable[[Path], list[str]]
    limits: Limits = field(default_factory=Limits)
    prepare: Callable[[Exercise, Path], None] = lambda exercise, workdir: None
    env: Callable[[Path], dict[str, str]] = lambda workdir: {}
    exercise_problem: Callable[[Exercise], str | None] = lambda exercise: None


def base_env(workdir: Path) -> dict[str, str]:
    """A small environment: no keys, no proxies, HOME in the run's own directory."""
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"], *_extra_paths()])
    if "RUSTUP_HOME" not in env and Path.home().joinpath(".rustup").is_dir():
        env["RUSTUP_HOME"] = str(Path.home() / ".rustup")
    env.update(HOME=str(workdir / ".home"), TMPDIR=str(workdir / ".tmp"), CI="true")
    (workdir / ".home").mkdir(exist_ok=True)
    (workdir / ".tmp").mkdir(exist_ok=True)
    return env


def _extra_paths() -> list[str]:
    return [p for p in (str(Path.home() / ".cargo" / "bin"), "/usr/lib/go/bin") if Path(p).is_dir()]


@functools.cache
def which(tool: str) -> str | None:
    return shutil.which(tool, path=os.pathsep.join([os.environ.get("PATH", ""), *_extra_paths()]))


def _needs(*tools: str, hint: str) -> Callable[[], str | None]:
    def problem() -> str | None:
        missing = [t for t in tools if not which(t)]
        return f"{', '.join(missing)} not found ({hint})" if missing else None
    return problem


# --- python -------------------------------------------------------------------------------------

def _python_problem() -> str | None:
    try:
        import pytest  # noqa: F401
    except ImportError:
        return f"pytest is not installed for {sys.executable} (pip install pytest)"
    return None


PYTHON = Runner(
    "python", _python_problem,
    lambda workdir: [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "."],
    env=lambda workdir: {"PYTHONDONTWRITEBYTECODE": "1"},
)


# --- javascript -----------------------------------------------------------------------------------

def _js_problem() -> str | None:
    if not which("node"):
        return "node not found (Debian: apt-get install nodejs)"
    if not (js_dir() / "node_modules" / "jest" / "bin" / "jest.js").exists():
        return "jest is not installed yet: run `codefloor calibrate --setup` once (needs npm and the npm registry)"
    return None


def _js_prepare(exercise: Exercise, workdir: Path) -> None:
    (workdir / "node_modules").symlink_to(js_dir() / "node_modules", target_is_directory=True)
    for test in exercise.tests:  # Exercism skips all but the first test; Aider's harness runs them all
        path = workdir / test
        path.write_text(re.sub(r"\bxtest\(", "test(", path.read_text(encoding="utf-8")), encoding="utf-8")


JAVASCRIPT = Runner(
    "javascript", _js_problem,
    lambda workdir: [which("node") or "node", str(js_dir() / "node_modules" / "jest" / "bin" / "jest.js"),
                     "--ci", "--no-cache", "--watchman=false", "--rootDir", str(workdir), str(workdir)],
    limits=Limits(memory_bytes=None),  # V8 reserves far more address space than it uses
    prepare=_js_prepare,
)


def setup_javascript(env: dict[str, str] | None = None) -> str:
    """Install jest + Babel (pinned) into the cache once. Returns what was done; raises RuntimeError."""
    target = js_dir(env)
    if (target / "node_modules" / "jest" / "bin" / "jest.js").exists():
        return f"javascript: jest already installed in {target}"
    npm = which("npm")
    if not npm:
        raise RuntimeError("npm not found: install node and npm (Debian: apt-get install nodejs npm)")
    target.mkdir(parents=True, exist_ok=True)
    specs = [f"{name}@{version}" for name, version in JS_PACKAGES.items()]
    done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(target), *specs],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"npm install failed: {done.stderr.strip()[-800:]}")
    return f"javascript: installed {', '.join(specs)} into {target}"


# --- go -----------------------------------------------------------------------------------------

GO = Runner(
    "go", _needs("go", hint="Debian: apt-get install golang-go"),
    lambda workdir: [which("go") or "go", "test", "./..."],
    limits=Limits(memory_bytes=None),  # the Go runtime reserves large arenas up front
    env=lambda workdir: {"GOCACHE": str(workdir / ".gocache"), "GOPATH": str(workdir / ".gopath"),
                         "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"},
)


# --- rust ---------------------------------------------------------------------------------------

def _rust_exercise_problem(exercise: Exercise) -> str | None:
    manifest = exercise.solution.get("Cargo.toml") or exercise.files.get("Cargo.toml", b"").decode()
    if _CRATE_LINE.search(manifest):
        return "needs crates from crates.io, which `cargo test --offline` cannot fetch"
    return None


RUST = Runner(
    "rust", _needs("cargo", hint="Debian: apt-get install cargo, or rustup"),
    lambda workdir: [which("cargo") or "cargo", "test", "--offline", "--quiet", "--", "--include-ignored"],
    limits=Limits(memory_bytes=None),
    env=lambda workdir: {"CARGO_HOME": str(workdir / ".cargo"), "CARGO_TARGET_DIR": str(workdir / "target"),
                         "CARGO_NET_OFFLINE": "true", "CARGO_TERM_COLOR": "never"},
    exercise_problem=_rust_exercise_problem,
)


# --- cpp ----------------------------------------------------------------------------------------

def _cpp_prepare(exercise: Exercise, workdir: Path) -> None:
    """Link a Catch2 main compiled once (the exercises bundle the same catch.hpp and tests-main.cpp)
    instead of compiling that 17,000-line header for every run: about 45 s saved per test run.
    CMake takes a .o listed among a target's sources as an object to link."""
    main_cpp, cmake_lists = workdir / "test" / "tests-main.cpp", workdir / "CMakeLists.txt"
    if not main_cpp.exists() or not cmake_lists.exists():
        return
    obj = _catch_main_object(main_cpp)
    if obj is not None:
        cmake_lists.write_text(cmake_lists.read_text(encoding="utf-8").replace("test/tests-main.cpp", str(obj)),
                               encoding="utf-8")


def _catch_main_object(main_cpp: Path) -> Path | None:
    digest = hashlib.sha256(main_cpp.read_bytes() + (main_cpp.parent / "catch.hpp").read_bytes()).hexdigest()[:16]
    obj = cache_dir() / f"catch-main-{digest}.o"
    if obj.exists():
        return obj
    obj.parent.mkdir(parents=True, exist_ok=True)
    with open(obj.parent / "catch-main.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one compile even when several runs start at once
        if not obj.exists():
            partial = obj.with_suffix(f".{os.getpid()}.tmp")
            done = subprocess.run([which("g++") or "g++", "-std=c++17", "-g", "-c", str(main_cpp), "-o", str(partial)],
                                  capture_output=True)
            if done.returncode != 0:
                return None  # the build then compiles it itself, as the exercise's CMakeLists says
            os.replace(partial, obj)
    return obj


CPP = Runner(
    "cpp", _needs("cmake", "make", "g++", hint="Debian: apt-get install cmake g++ make"),
    lambda workdir: ["sh", "-c", "cmake -DEXERCISM_RUN_ALL_TESTS=1 -S . -B build >/dev/null && make -C build --no-print-directory"],
    # bank-account's test starts 1,000 threads, each reserving an 8 MiB stack
    limits=Limits(memory_bytes=16 * GiB),
    prepare=_cpp_prepare,
    exercise_problem=lambda exercise: (
        "needs Boost.DateTime (Debian: apt-get install libboost-date-time-dev)"
        if b"Boost" in exercise.files.get("CMakeLists.txt", b"") and not Path("/usr/include/boost/date_time").is_dir()
        else None),
)


# --- java ---------------------------------------------------------------------------------------

@functools.cache
def java_jars() -> dict[str, str]:
    found = {}
    for name in JAVA_JARS:
        hits = sorted(glob.glob(f"/usr/share/java/{name}*.jar"), key=len)
        if hits:
            found[name] = hits[0]
    return found


def _java_problem() -> str | None:
    if not which("javac") or not which("java"):
        return "javac/java not found (Debian: apt-get install default-jdk-headless)"
    missing = [n for n in JAVA_JARS if n not in java_jars()]
    if missing:
        return (f"{', '.join(missing)} jar not found in /usr/share/java (Debian: apt-get install junit5 "
                "libassertj-core-java); Gradle would download them, which needs the internet")
    return None


# AssertJ methods newer than Debian's assertj-core 3.14 that a test file calls (the exercises pin 3.25.1).
_NEWER_ASSERTJ = ("hasDimensions(",)


def _java_exercise_problem(exercise: Exercise) -> str | None:
    tests = "".join(exercise.files.get(t, b"").decode() for t in exercise.tests)
    newer = [m for m in _NEWER_ASSERTJ if m in tests]
    if newer:
        return f"its tests call AssertJ {newer[0].rstrip('(')} (3.17+), newer than Debian's assertj-core 3.14"
    gradle = exercise.files.get("build.gradle", b"").decode()
    extra = [line.split('"')[1] for line in split_lines(gradle)
             if line.strip().startswith("implementation ") and '"' in line]
    return f"needs {', '.join(extra)} from Maven Central, which is not reachable offline" if extra else None


def _java_command(workdir: Path) -> list[str]:
    jars = java_jars()
    classpath = os.pathsep.join([jars["assertj-core"], *_java_deps(jars)])
    script = (
        "set -e; mkdir -p .out; "
        f"javac -nowarn -encoding UTF-8 -d .out -cp '{jars['junit-platform-console-standalone']}{os.pathsep}{classpath}' "
        "$(find src -name '*.java'); "
        f"java -Xmx1g -jar '{jars['junit-platform-console-standalone']}' -cp '.out{os.pathsep}{classpath}' "
        "--scan-classpath --disable-banner --details=tree --details-theme=ascii --fail-if-no-tests"
    )
    return ["sh", "-c", script]


def _java_deps(jars: dict[str, str]) -> list[str]:
    return sorted(glob.glob("/usr/share/java/byte-buddy*.jar"), key=len)[:1]


def _java_prepare(exercise: Exercise, workdir: Path) -> None:
    for test in exercise.tests:  # Exercism disables all but the first test; Aider's harness removes @Disabled
        path = workdir / test
        if path.exists():
            path.write_text(re.sub(r"@Disabled\([^)]*\)\s*\n", "", path.read_text(encoding="utf-8")), encoding="utf-8")


JAVA = Runner(
    "java", _java_problem, _java_command,
    limits=Limits(memory_bytes=None),  # the JVM reserves its heap and code cache up front
    prepare=_java_prepare, exercise_problem=_java_exercise_problem,
)

RUNNERS: dict[str, Runner] = {r.language: r for r in (CPP, GO, JAVA, JAVASCRIPT, PYTHON, RUST)}


def availability() -> dict[str, str | None]:
    """language -> None when it runs here, else why not."""
    return {language: runner.problem() for language, runner in RUNNERS.items()}
