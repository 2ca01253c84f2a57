"""The harness proves itself: through the real runners and sandbox, every language this machine runs
passes the reference solutions under .meta/ and fails the stubs; a hung, fork-bombing or
network-using solution fails its own run and nothing else. In CI every language must run (a
missing runner fails there instead of skipping)."""

from __future__ import annotations

import os
import socket
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from codefloor.calibrate import sandbox
from codefloor.calibrate.exercises import LANGUAGES, TOTAL_EXERCISES, load_all, select
from codefloor.calibrate.protocol import parse_files, run_tests
from codefloor.calibrate.runners import RUNNERS

IN_CI = os.environ.get("CI") == "true"
# Two exercises per language (one with several solution files where the language has one), so CI
# stays fast; benchmarks/calibrate/run.py --check runs all 225 the same way.
SAMPLE = {
    "python": ("affine-cipher", "bowling"),
    "javascript": ("affine-cipher", "bowling"),
    "go": ("alphametics", "bowling"),
    "rust": ("accumulate", "bowling"),
    "cpp": ("all-your-base", "bank-account"),  # bank-account: 1,000 threads, header + source
    "java": ("affine-cipher", "bowling"),  # bowling: the reference has a helper class
}


def _runs_here(language: str) -> None:
    why = RUNNERS[language].problem()
    if why:
        if IN_CI:
            pytest.fail(f"{language} must run in CI (.ci/run installs it): {why}")
        pytest.skip(f"{language} cannot run on this machine: {why}")


def _exercise(language: str, name: str):
    return next(e for e in load_all() if e.language == language and e.name == name)


def test_the_bundled_tarball_has_all_225_exercises_with_tests_stubs_and_references():
    exercises = load_all()
    assert len(exercises) == TOTAL_EXERCISES
    counts = {lang: sum(e.language == lang for e in exercises) for lang in LANGUAGES}
    assert counts == {"cpp": 26, "go": 39, "java": 47, "javascript": 49, "python": 34, "rust": 30}
    for e in exercises:
        assert e.instructions.strip() and e.solution and e.tests and e.reference, e.key
        assert not any(path.startswith(".meta/") for path in e.files), e.key  # tests never see the reference
        assert set(e.tests) <= set(e.files), e.key


def test_a_limited_selection_samples_every_language_in_a_fixed_order():
    chosen = select(None, 12)
    assert {e.language for e in chosen} == set(LANGUAGES)
    assert [e.key for e in chosen] == [e.key for e in select(None, 12)]


@pytest.mark.parametrize("language,name", [(lang, name) for lang, names in SAMPLE.items() for name in names])
def test_reference_passes_and_stub_fails_through_the_real_runner(language, name):
    _runs_here(language)
    exercise = _exercise(language, name)
    reference = run_tests(exercise, exercise.reference, reference=True)
    assert reference.passed, reference.output[-2000:]
    stub = run_tests(exercise, {})
    assert not stub.passed and not stub.timed_out, stub.output[-2000:]


def test_test_files_are_never_taken_from_the_model():
    _runs_here("python")
    exercise = _exercise("python", "affine-cipher")
    cheat = {exercise.tests[0]: "def test_nothing():\n    pass\n", **{p: "" for p in exercise.solution}}
    assert not run_tests(exercise, cheat).passed
    answer = f"{exercise.tests[0]}\n```python\ndef test_nothing():\n    pass\n```\n"
    assert parse_files(answer, exercise) == {}


def test_whole_file_answers_are_parsed_by_name_and_a_lone_file_by_default():
    exercise = _exercise("cpp", "all-your-base")
    answer = "Here you go.\n\nall_your_base.h\n```cpp\n#pragma once\n```\n\n**all_your_base.cpp**\n```\nint x;\n```\n"
    assert parse_files(answer, exercise) == {"all_your_base.h": "#pragma once\n", "all_your_base.cpp": "int x;\n"}
    single = _exercise("python", "bowling")
    assert parse_files("```python\nX = 1\n```", single) == {"bowling.py": "X = 1\n"}
    assert parse_files("no code at all", single) == {}


# --- the sandbox --------------------------------------------------------------------------------

def _python(tmp_path: Path, code: str, limits: sandbox.Limits) -> sandbox.RunResult:
    (tmp_path / "main.py").write_text(textwrap.dedent(code))
    return sandbox.run([sys.executable, "main.py"], tmp_path, limits, {"PATH": os.environ.get("PATH", "")})


def test_a_hung_solution_is_killed_at_the_wall_limit_with_its_children(tmp_path):
    started = time.monotonic()
    result = _python(tmp_path, """
        import os, subprocess, sys, time
        r, w = os.pipe()  # the hung solution: a child that leaves the process group, then both hang
        subprocess.Popen([sys.executable, "-c", "import os, sys, time; os.setsid(); open('child.pid','w').write(str(os.getpid())); os.write(int(sys.argv[1]), b'x'); time.sleep(600)", str(w)], pass_fds=(w,))
        os.read(r, 1)  # the child has written its pid
        time.sleep(600)
    """, sandbox.Limits(wall_s=10))
    assert result.timed_out and "time limit" in result.output
    assert time.monotonic() - started < 40
    pid_file = tmp_path / "child.pid"
    assert pid_file.exists(), result.output  # written before the parent hung (it waited for it)
    if sandbox.isolation()["processes"] == "pids cgroup":  # the cgroup reaches a child that left the group
        pid = int(pid_file.read_text())
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_a_cpu_burning_solution_stops_at_the_cpu_limit(tmp_path):
    result = _python(tmp_path, "while True:\n    pass\n", sandbox.Limits(wall_s=60, cpu_s=1))
    assert not result.passed and not result.timed_out and result.seconds < 30


def test_a_memory_hog_fails_at_the_memory_limit(tmp_path):
    result = _python(tmp_path, "x = bytearray(3 * 1024 ** 3)\n", sandbox.Limits(memory_bytes=512 * 1024 ** 2))
    assert not result.passed and "MemoryError" in result.output


def test_a_fork_bomb_costs_one_run_and_the_next_run_works(tmp_path):
    if "NOT" in sandbox.isolation()["processes"] and not os.environ.get("CI"):
        # CI's machine (root, cgroup v1 or v2) has a pids cgroup: there a missing limit is a failure
        pytest.skip("no process limit binds here: " + sandbox.isolation()["processes"])
    bomb = tmp_path / "bomb"
    bomb.mkdir()
    result = _python(bomb, """
        import os, time
        for _ in range(10000):
            try:
                if os.fork() == 0:
                    time.sleep(600)
                    os._exit(0)
            except OSError:
                pass
        time.sleep(600)
    """, sandbox.Limits(wall_s=5, processes=64))
    assert not result.passed
    fine = tmp_path / "fine"
    fine.mkdir()
    assert _python(fine, "print('ok')\n", sandbox.Limits(wall_s=30)).passed


def test_output_is_truncated_to_head_and_tail(tmp_path):
    result = _python(tmp_path, "print('A' * 500000)\nprint('END')\n", sandbox.Limits(wall_s=30))
    assert result.passed and len(result.output) < sandbox.OUTPUT_KEEP_BYTES + 200
    assert "bytes of output cut" in result.output and result.output.rstrip().endswith("END")


def test_tests_have_no_network(tmp_path):
    if not sandbox.network_isolation():  # an OS capability (user namespaces), not a dependency to install
        pytest.skip("unshare -rn does not work on this machine: " + sandbox.isolation()["network"])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    threading.Thread(target=lambda: listener.accept(), daemon=True).start()
    code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)\nprint('connected')\n"
    try:
        isolated = _python(tmp_path, code, sandbox.Limits(wall_s=30))
        assert not isolated.passed and "connected" not in isolated.output
        (tmp_path / "main.py").write_text(code)  # the same code with the network reaches the listener
        open_run = sandbox.run([sys.executable, "main.py"], tmp_path, sandbox.Limits(wall_s=30),
                               {"PATH": os.environ.get("PATH", "")}, network=True)
        assert open_run.passed and "connected" in open_run.output
    finally:
        listener.close()


def test_the_pids_cgroup_is_found_in_a_proc_self_cgroup_that_ends_with_a_newline():
    # cgroup v1 beside a v2 "unified" mount, as on this CI machine; the kernel ends the file with \n
    text = "9:name=systemd:/\n8:pids:/\n4:memory:/some/job\n0::/\n"
    assert sandbox.cgroup_candidates(text) == [
        Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified")]
    assert sandbox.cgroup_candidates("1:cpu,pids:/a/b\n") == [Path("/sys/fs/cgroup/pids/a/b")]
