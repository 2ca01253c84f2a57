"""Run one test command on untrusted code: fresh directory, limits, no network, everything killed after.

What each run gets (and what happens where the OS does not allow it; `isolation()` says which):

- CPU time, address space (per runner: Go and Node reserve large virtual ranges), file size and
  core-dump limits, set with setrlimit in the child before exec;
- a wall-clock timeout; at the end of every run, finished or not, the whole process group is
  SIGKILLed, and so is every process left in the run's pids cgroup (so a daemonised child dies too);
- a process-count limit: a pids cgroup (v2 or v1 `pids` controller) when this process may create
  one, else RLIMIT_NPROC (which the kernel ignores for root, hence the cgroup);
- no network: the command runs under `unshare -rn` (a new user + network namespace, loopback only)
  when that works here; else with the network the machine has, and `isolation()` says so;
- output into a file (never a pipe a child can hold open), of which only the head and tail are kept.

A hung, memory-hungry or fork-bombing solution therefore fails its own exercise and nothing else.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

OUTPUT_KEEP_BYTES = 64 * 1024  # of a run's output, kept (head + tail)
MAX_FILE_BYTES = 256 * 1024 * 1024
GiB = 1024 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    wall_s: float = 180.0  # Aider's harness gives a test run 3 minutes
    cpu_s: int = 300  # per process (RLIMIT_CPU); compilers run as separate processes
    memory_bytes: int | None = 4 * GiB  # RLIMIT_AS; None where a runtime reserves huge address space
    processes: int = 2048  # threads count too: cpp/bank-account starts 1,000


@dataclass(frozen=True)
class RunResult:
    returncode: int | None  # None: killed at the wall timeout
    output: str
    seconds: float

    @property
    def passed(self) -> bool:
        return self.returncode == 0

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


@functools.cache
def network_isolation() -> str | None:
    """The prefix that runs a command without network, or None when this machine cannot."""
    unshare = shutil.which("unshare")
    if not unshare:
        return None
    try:
        ok = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return unshare if ok else None


def cgroup_candidates(proc_self_cgroup: str) -> list[Path]:
    """Where this process's pids cgroup may be, from the text of /proc/self/cgroup (v2 and v1)."""
    candidates = []
    for line in proc_self_cgroup.split("\n"):  # kernel text: \n only
        if not line:  # the file ends with a newline
            continue
        number, controllers, path = line.split(":", 2)
        if number == "0" and controllers == "":
            candidates += [Path("/sys/fs/cgroup") / path.lstrip("/"), Path("/sys/fs/cgroup/unified") / path.lstrip("/")]
        elif "pids" in controllers.split(","):
            candidates.append(Path("/sys/fs/cgroup/pids") / path.lstrip("/"))
    return candidates


@functools.cache
def _pids_cgroup_root() -> Path | None:
    """A cgroup directory where we may create children with pids.max, or None."""
    try:
        candidates = cgroup_candidates(Path("/proc/self/cgroup").read_text())
    except (OSError, ValueError):
        return None
    for base in candidates:
        probe = base / f"codefloor-probe-{os.getpid()}"
        try:
            probe.mkdir()
        except OSError:
            continue
        try:
            if (probe / "pids.max").exists():
                return base
        finally:
            try:
                probe.rmdir()
            except OSError:
                pass
    return None


def isolation() -> dict[str, str]:
    """What the sandbox does on this machine, in words (shown by `codefloor calibrate`)."""
    return {
        "network": "none (unshare -rn)" if network_isolation() else
                   "NOT isolated: `unshare -rn` does not work here (needs user namespaces)",
        "processes": "pids cgroup" if _pids_cgroup_root() else
                     ("RLIMIT_NPROC" if os.geteuid() != 0 else
                      "NOT limited: no writable pids cgroup and RLIMIT_NPROC does not bind root"),
        "time_memory": "setrlimit CPU/AS/FSIZE + wall timeout + process-group kill",
    }


def run(argv: list[str], cwd: Path, limits: Limits, env: dict[str, str], *, network: bool = False) -> RunResult:
    """Run argv in cwd under the limits; never raises for anything the command does."""
    cgroup = _new_cgroup(limits.processes)
    prefix = [network_isolation()] if network_isolation() and not network else []
    command = [prefix[0], "-rn", "--", *argv] if prefix else argv
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        try:
            process = subprocess.Popen(
                command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=functools.partial(_child_setup, limits, cgroup),
            )
        except OSError as exc:
            _remove_cgroup(cgroup)
            return RunResult(127, f"cannot start {argv[0]}: {exc}", 0.0)
        try:
            returncode: int | None = process.wait(timeout=limits.wall_s)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:
            _kill_all(process, cgroup)
        seconds = time.monotonic() - started
        output = _read_kept(out)
    if returncode is None:
        output += f"\n[codefloor: killed after the {limits.wall_s:g} s time limit]"
    return RunResult(returncode, output, seconds)


def _child_setup(limits: Limits, cgroup: Path | None) -> None:
    """Runs in the forked child before exec, while other threads of the parent may hold locks:
    only plain system calls here (no imports, no Python file objects, no logging)."""
    if cgroup is not None:
        fd = os.open(os.path.join(cgroup, "cgroup.procs"), os.O_WRONLY)
        try:
            os.write(fd, b"%d" % os.getpid())
        finally:
            os.close(fd)
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    if cgroup is None and os.geteuid() != 0:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


def _new_cgroup(processes: int) -> Path | None:
    root = _pids_cgroup_root()
    if root is None:
        return None
    path = root / f"codefloor-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    try:
        path.mkdir()
        (path / "pids.max").write_text(str(processes))
    except OSError:
        _remove_cgroup(path)
        return None
    return path


def _kill_all(process: subprocess.Popen, cgroup: Path | None) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if cgroup is not None:
        for _ in range(50):  # a fork bomb may still be forking: repeat until the group is empty
            try:
                pids = [int(p) for p in (cgroup / "cgroup.procs").read_text().split()]
            except (OSError, ValueError):
                break
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.02)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    _remove_cgroup(cgroup)


def _remove_cgroup(cgroup: Path | None) -> None:
    if cgroup is None:
        return
    for _ in range(100):
        try:
            cgroup.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)  # the last killed processes are still being reaped


def _read_kept(out) -> str:
    size = out.seek(0, os.SEEK_END)
    out.seek(0)
    if size <= OUTPUT_KEEP_BYTES:
        data = out.read()
    else:
        half = OUTPUT_KEEP_BYTES // 2
        head = out.read(half)
        out.seek(size - half)
        data = head + f"\n[... {size - 2 * half} bytes of output cut ...]\n".encode() + out.read()
    return data.decode("utf-8", errors="replace")
