"""The Aider polyglot exercises, read straight from the bundled tarball (data/SOURCE.md says whence).

One exercise = its language, its name, the instructions the model reads, the stub solution files
it may rewrite, the test files it never touches, the reference solution (`.meta`), and every other
file of the exercise directory (build files, bundled Catch2, go.mod, ...) that a test run needs.
The tarball is read once per process (about 0.3 s); nothing is extracted to disk until a run
copies one exercise into its own temporary directory.
"""

from __future__ import annotations

import functools
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

TARBALL = Path(__file__).parent / "data" / "polyglot-benchmark-7e0611e.tar.gz"
SOURCE_COMMIT = "7e0611e77b54e2dea774cdc0aa00cf9f7ed6144f"
LANGUAGES = ("cpp", "go", "java", "javascript", "python", "rust")
TOTAL_EXERCISES = 225
# Directories of an exercise that a test run must not see (docs, reference solution, approaches).
_HIDDEN_DIRS = (".docs", ".meta", ".approaches", ".articles")


@dataclass(frozen=True)
class Exercise:
    language: str
    name: str
    instructions: str
    solution: dict[str, str]  # path -> stub content, in .meta/config.json order
    tests: tuple[str, ...]
    reference: dict[str, str]  # solution path -> reference content (from .meta)
    files: dict[str, bytes]  # every file a test run starts from (stubs and tests included)

    @property
    def key(self) -> str:
        return f"{self.language}/{self.name}"


@functools.cache
def load_all(tarball: Path = TARBALL) -> tuple[Exercise, ...]:
    """Every exercise in the tarball, sorted by language then name."""
    by_dir: dict[tuple[str, str], dict[str, bytes]] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            if not member.isfile():
                continue
            parts = PurePosixPath(member.name).parts
            parts = parts[1:] if parts and parts[0] == "." else parts
            # <lang>/exercises/practice/<name>/<rest...>
            if len(parts) < 5 or parts[1:3] != ("exercises", "practice") or parts[0] not in LANGUAGES:
                continue
            handle = archive.extractfile(member)
            if handle is not None:
                by_dir.setdefault((parts[0], parts[3]), {})["/".join(parts[4:])] = handle.read()
    return tuple(_exercise(lang, name, files) for (lang, name), files in sorted(by_dir.items()))


def _exercise(language: str, name: str, files: dict[str, bytes]) -> Exercise:
    config = json.loads(files[".meta/config.json"])["files"]
    text = lambda path: files[path].decode("utf-8")  # noqa: E731
    instructions = text(".docs/instructions.md")
    if ".docs/instructions.append.md" in files:
        instructions += "\n\n" + text(".docs/instructions.append.md")
    solution = {path: text(path) if path in files else "" for path in config["solution"]}
    reference = _reference(solution, config.get("example", []), files)
    visible = {p: data for p, data in files.items() if not p.startswith(_HIDDEN_DIRS)}
    return Exercise(language, name, instructions, solution, tuple(config["test"]), reference, visible)


def _reference(solution: dict[str, str], examples: list[str], files: dict[str, bytes]) -> dict[str, str]:
    """Map each .meta example file onto the solution file it stands for: same file name first
    (java: .meta/src/reference/java/X.java -> src/main/java/X.java), else the same extension
    (rust: .meta/example.rs -> src/lib.rs; cpp: example.h -> x.h)."""
    reference: dict[str, str] = {}
    for example in examples:
        if example not in files:
            continue
        base, suffix = PurePosixPath(example).name, PurePosixPath(example).suffix
        target = next((s for s in solution if PurePosixPath(s).name == base), None)
        if target is None and "/reference/java/" in example:  # a helper class of the Java reference
            target = "src/main/java/" + example.split("/reference/java/", 1)[1]
        target = target or next((s for s in solution if PurePosixPath(s).suffix == suffix and s not in reference), None)
        if target:
            reference[target] = files[example].decode("utf-8")
    return reference


def select(languages: tuple[str, ...] | None = None, limit: int | None = None,
           exercises: tuple[Exercise, ...] | None = None) -> list[Exercise]:
    """The exercises of these languages; with a limit, the first `limit` of a fixed interleaved
    order (language by language round-robin) so a small run still samples every language."""
    chosen = [e for e in (exercises or load_all()) if languages is None or e.language in languages]
    by_language: dict[str, list[Exercise]] = {}
    for exercise in chosen:
        by_language.setdefault(exercise.language, []).append(exercise)
    interleaved: list[Exercise] = []
    queues = [list(v) for _, v in sorted(by_language.items())]
    while any(queues):
        for queue in queues:
            if queue:
                interleaved.append(queue.pop(0))
    return interleaved if limit is None else interleaved[:limit]


def write_exercise(exercise: Exercise, directory: Path, solution: dict[str, str] | None = None,
                   *, only_solution_files: bool = True) -> None:
    """The exercise's files into directory, with `solution` (path -> content) over the stubs.
    Test files always come from the exercise, never from `solution`; other files only when
    only_solution_files is off (a reference solution's helper classes)."""
    for path, data in exercise.files.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if path in ("gradlew",):
            target.chmod(0o755)
    for path, content in (solution or {}).items():
        if path in exercise.tests or (only_solution_files and path not in exercise.solution):
            continue
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
