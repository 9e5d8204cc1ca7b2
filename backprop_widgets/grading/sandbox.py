"""A Jupyter kernel that runs a hand-in under bubblewrap: the installed packages, folders of its own, nothing else.

``nbgrader autograde`` starts this kernel (``c.Execute.kernel_name = "bpw-sandbox"``) in
an empty folder of the grader's (``judge.Execute``).  The kernel then runs in ``bwrap``
(Debian's ``bubblewrap`` package) with:

- the system's ``/usr`` (and ``/bin``, ``/lib``…), Python's prefix (the virtual
  environment) and the kit's package, all read-only; a few files of ``/etc``; the root
  read-only;
- its writable folders, ``/tmp``, ``/dev/shm`` and ``$HOME`` with its working folder,
  each an empty tmpfs of ``BPW_SANDBOX_DISK_MB`` (100) that vanishes with the kernel:
  nothing it writes comes back (nbgrader gets the notebook over the kernel's sockets);
- an environment of a dozen variables set here, from bwrap's first process on (nothing
  of the grader's, such as a hub's API token, in ``/proc/1/environ``);
- no network (its own network namespace: the kernel talks to nbgrader over Unix
  sockets in a private folder), its own process, IPC and user namespaces, no
  capabilities;
- limits for the whole process tree in one cgroup where this machine allows it
  (``Cgroup``): memory of all processes together (``BPW_SANDBOX_MEMORY_MB``, 2048),
  processes at once (``BPW_SANDBOX_PROCESSES``, 64), CPU time of all together
  (``BPW_SANDBOX_CPU_SECONDS``, 300); else the same per process (``RLIMIT_AS``,
  ``RLIMIT_CPU``, ``RLIMIT_NPROC``); wall time (``BPW_SANDBOX_WALL_SECONDS``, 900);
  size of a file it writes (64 MB).  Linux does not apply ``RLIMIT_NPROC`` to root, so a
  grader running as root without a cgroup runs the sandbox as a user id of its own
  (``sandbox_uid``: no user namespace, ``setpriv`` inside bwrap), for which it does.

So the course folder (``source/``, ``release/``, ``gradebook.db``, other students'
hand-ins) does not exist for student code.  ``run_fresh`` runs a program in the same
sandbox without the kit (``judge.fresh_calls``).  Commands::

    python -m backprop_widgets.grading.sandbox install [--prefix PREFIX]   # the kernel spec
    python -m backprop_widgets.grading.sandbox check [FILE ...]             # every check; what holds here
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = [
    "KERNEL_NAME",
    "Cgroup",
    "bwrap",
    "bwrap_works",
    "sandbox_command",
    "sandbox_environment",
    "run_fresh",
    "check",
    "socket_prefix",
    "install",
    "main",
]

KERNEL_NAME = "bpw-sandbox"
DEFAULTS = {
    "BPW_SANDBOX_MEMORY_MB": 2048,  # all the sandbox's processes together (cgroup), else each process
    "BPW_SANDBOX_CPU_SECONDS": 300,  # all together (cgroup), else each process
    "BPW_SANDBOX_WALL_SECONDS": 900,
    "BPW_SANDBOX_PROCESSES": 64,  # processes and threads at once
    "BPW_SANDBOX_DISK_MB": 100,  # each writable folder (tmpfs): /tmp, $HOME with the working folder
}
# A grader running as root without a cgroup runs each sandbox as a user id of its own in this range (no such user
# exists), so that RLIMIT_NPROC, which Linux does not apply to root, counts that sandbox's processes alone.
SANDBOX_UIDS = range(2_000_000_000, 2_001_000_000)
FILE_SIZE_LIMIT = 64 * 2**20
OUTPUT_READ = 16 * 2**20  # bytes: the most of a fresh process's output read back (its end: the report)
ETC_FILES = (
    "fonts",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "alternatives",
    "nsswitch.conf",
    "passwd",
    "group",
    "os-release",
    "mime.types",
)
SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")


def bwrap() -> str | None:
    """The bubblewrap program, if installed."""
    return shutil.which("bwrap")


def bwrap_works() -> tuple[bool, str]:
    """Whether bubblewrap can make a sandbox here (a container may forbid the namespaces it needs), and why not."""
    program = bwrap()
    if not program:
        return False, "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    command = [
        program,
        "--unshare-all",
        "--die-with-parent",
        "--cap-drop",
        "ALL",
        *_system_binds(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "true",
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return False, f"bubblewrap cannot make a sandbox here: {done.stderr.strip()}"
    return True, ""


def _system_binds() -> list[str]:
    args: list[str] = []
    for name in SYSTEM_DIRS:
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def _read_only_paths() -> list[Path]:
    """Python's prefixes and the kit's package (only the package, not the folder of a clone it lives in)."""
    import backprop_widgets

    bound = [Path("/") / name for name in SYSTEM_DIRS]
    paths: list[Path] = []
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        path = Path(prefix).resolve()
        if not _under(path, bound + paths):
            paths.append(path)
    package = Path(backprop_widgets.__file__).resolve().parent
    if not _under(package, bound + paths):
        paths.append(package)
    return paths


WORK = "/home/student/work"  # the kernel's folder inside the sandbox: a size-limited tmpfs, empty at start


def sandbox_environment(kit: bool = True) -> dict[str, str]:
    """The whole environment of the sandbox, from its first process on (nothing of the grader's is passed)."""
    import backprop_widgets

    package_parent = Path(backprop_widgets.__file__).resolve().parent.parent
    environment = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/home/student",
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(package_parent) if kit else "",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": "/tmp/.matplotlib",
        "IPYTHONDIR": "/tmp/.ipython",
        "JUPYTER_PLATFORM_DIRS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    if os.environ.get("BPW_STUDENT_ID"):  # `BPW_STUDENT_ID=test nbgrader validate …` on a source
        environment["BPW_STUDENT_ID"] = os.environ["BPW_STUDENT_ID"]
    return environment


def _package_dirs() -> list[Path]:
    """The folders installed packages are imported from (site-packages, dist-packages) that exist here."""
    import site
    import sysconfig

    found = list(site.getsitepackages())
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        paths = sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})
        found += [paths["purelib"], paths["platlib"]]
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    found += ["/usr/lib/python3/dist-packages", f"/usr/local/lib/{version}/dist-packages"]
    return sorted({Path(p).resolve() for p in found if Path(p).is_dir()})


def sandbox_command(
    private: Path, command: list[str], kit: bool = True, uid: int | None = None, packages: bool = True
) -> list[str]:
    """The ``bwrap`` command that runs ``command`` in an empty folder of its own, with ``private`` (the sockets).

    Its writable places (``/tmp``, ``$HOME`` and the working folder) are tmpfs of ``BPW_SANDBOX_DISK_MB`` each, in
    memory (so counted in the memory limit where a cgroup holds it) and gone with the kernel: nothing written
    in the sandbox ever comes back to the grader, which gets the notebook over the kernel's sockets only.
    Start it with ``env=sandbox_environment()``: bwrap's first process (``/proc/1`` inside) keeps the
    environment it was started with.

    With ``uid`` (``sandbox_uid``; the grader is root and has no cgroup) bwrap, run by root, makes no user namespace
    and ``command`` runs as that user id (``setpriv``), with no capabilities: a user Linux applies ``RLIMIT_NPROC`` to.
    Its writable folders are then open to everyone (there is no one else), and the folders bwrap makes on the way to
    what it binds can be read.
    """
    disk = str(_limit("BPW_SANDBOX_DISK_MB") * 2**20)
    # As another user: every namespace but a user namespace (in one, its user id would still be root outside), and
    # the two capabilities setpriv needs to change user (setpriv then runs the command with none).
    unshare = ["--unshare-all"] if uid is None else ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
    caps = [] if uid is None else ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    writable = [] if uid is None else ["--perms", "1777"]
    args = [
        bwrap() or "bwrap",
        *unshare,
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        *caps,
        "--hostname",
        "sandbox",
        *_system_binds(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
    ]
    for folder in ("/dev/shm", "/tmp", "/home/student"):
        args += [*writable, "--size", disk, "--tmpfs", folder]
    args += [*writable, "--dir", WORK]
    import backprop_widgets

    package = Path(backprop_widgets.__file__).resolve().parent
    bound = [Path("/") / name for name in SYSTEM_DIRS] + _read_only_paths()
    for path in _read_only_paths():  # after the tmpfs, which would hide what is bound below them
        if kit or path != package:
            if uid is not None:  # bwrap makes the folders on the way with their modes (/root: 0700): make them readable
                for parent in reversed(path.parents[:-1]):
                    if not _under(parent, bound):
                        args += ["--perms", "0755", "--dir", str(parent)]
            args += ["--ro-bind", str(path), str(path)]
    if not kit and _under(package, [p for p in _read_only_paths() if p != package]):
        args += ["--tmpfs", str(package)]  # installed inside a prefix: an empty folder in its place
    if not packages:  # Python's standard library only: an empty folder in place of every site-packages
        args += [arg for path in _package_dirs() for arg in ("--tmpfs", str(path))]
    args += ["--bind", str(private), str(private), "--remount-ro", "/", "--chdir", WORK, "--clearenv"]
    for name, value in sandbox_environment(kit).items():
        args += ["--setenv", name, value]
    if uid is not None:
        command = [
            shutil.which("setpriv") or "setpriv",
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--no-new-privs",
            *command,
        ]
    return args + ["--", *command]


def sandbox_uid(group: Cgroup | None) -> int | None:
    """A user id of its own for a sandbox whose process count only RLIMIT_NPROC can hold, when the grader is root.

    Linux does not apply RLIMIT_NPROC to root (real user id 0), inside a user namespace or not; with a cgroup's
    ``pids`` the count holds for root too, and a grader that is not root is counted as itself (with all its other
    processes).  None when no other user id is needed or none can be had (no ``setpriv``; ``sandbox check`` says
    the count does not hold then).
    """
    if os.geteuid() != 0 or (group is not None and "pids" in group.paths) or not shutil.which("setpriv"):
        return None
    return SANDBOX_UIDS[secrets.randbelow(len(SANDBOX_UIDS))]


def _give(private: Path, uid: int | None) -> None:
    """The sandbox's private folder (its sockets) to the sandbox's own user, when it has one."""
    if uid is not None:
        os.chown(private, uid, uid)


def run_fresh(program: str, task: str, timeout: float = 60, packages: bool = True) -> str:
    """Run ``program`` (Python, ``task`` on its stdin) in a fresh sandbox without the kit; its last line of output.

    ``packages=False``: with Python's standard library only (no installed package can be imported).
    With ``BPW_GRADING_SANDBOX=off`` it runs as a plain isolated Python process (trying things out only).
    """
    sandboxed = os.environ.get("BPW_GRADING_SANDBOX", "on").lower() not in ("off", "0", "no", "false")
    private = Path(tempfile.mkdtemp(prefix="bpw-fresh-", dir=_private_root()))
    group = Cgroup.make(_limit("BPW_SANDBOX_MEMORY_MB") * 2**20, _limit("BPW_SANDBOX_PROCESSES")) if sandboxed else None
    try:
        command = [sys.executable, "-I", *([] if packages else ["-S"]), "-c", program]
        if sandboxed:
            uid = sandbox_uid(group)
            _give(private, uid)
            command = sandbox_command(private, command, kit=False, uid=uid, packages=packages)
        # Its output goes to a file, not a pipe: the file size limit (RLIMIT_FSIZE) stops a program that prints
        # without end, and only the file's end is read back (a pipe would hold all it printed in the grader).
        with open(private / "output", "w+b") as output:
            child = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=output,
                stderr=subprocess.DEVNULL,
                preexec_fn=functools.partial(_apply_limits, group) if sandboxed else None,
                env=sandbox_environment(kit=False),
                cwd=str(private),
            )
            try:
                child.communicate(task.encode(), timeout=timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
                raise
            output.seek(max(0, output.seek(0, os.SEEK_END) - OUTPUT_READ))
            lines = output.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else ""
    finally:
        if group is not None:
            group.close()
        shutil.rmtree(private, ignore_errors=True)


def _limit(name: str) -> int:
    return int(os.environ.get(name, DEFAULTS[name]))


def _apply_limits(group: Cgroup | None, memory_mb: int | None = None) -> None:  # runs in the child, before bwrap
    if group is not None:
        group.enter()
    memory = (memory_mb or _limit("BPW_SANDBOX_MEMORY_MB")) * 2**20
    cpu = _limit("BPW_SANDBOX_CPU_SECONDS")
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if group is None or "pids" not in group.paths:  # no process count for the whole: one per user (not for root)
        processes = _limit("BPW_SANDBOX_PROCESSES")
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))


class Cgroup:
    """One control group for the whole sandbox: memory of all its processes together, a process count, CPU time.

    cgroup v2 (a folder delegated to this user, as systemd does for ``systemd-run --user --scope``) or cgroup v1's
    ``memory``, ``pids`` and ``cpuacct`` hierarchies, whichever this process may write to.  ``Cgroup.make()``
    returns None where neither can be had (then ``_apply_limits`` falls back to limits per process).
    """

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paths = paths  # controller -> folder ("memory", "pids", "cpu"); v2 has one folder for all

    @staticmethod
    def _own(controller: str) -> Path | None:
        """This process's cgroup folder for a v1 controller, or the v2 one for ``""``."""
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            number, controllers, where = line.split(":", 2)
            names = controllers.split(",")
            if (controller == "" and number == "0") or (controller and controller in names):
                root = Path("/sys/fs/cgroup") / (controller if controller else "")
                if controller == "" and not (root / "cgroup.controllers").exists():
                    root = Path("/sys/fs/cgroup/unified")
                folder = root / where.lstrip("/")
                return folder if folder.is_dir() else None
        return None

    @classmethod
    def make(cls, memory_bytes: int, processes: int) -> Cgroup | None:
        if os.environ.get("BPW_SANDBOX_CGROUP", "on").lower() in ("off", "0", "no", "false"):
            return None  # limits per process, as where no cgroup can be had (to try that fallback)
        name = f"bpw-sandbox-{os.getpid()}-{secrets.token_hex(4)}"
        paths: dict[str, Path] = {}
        try:
            v2 = cls._own("")
            if v2 is not None and {"memory", "pids"} <= set((v2 / "cgroup.controllers").read_text().split()):
                folder = v2 / name
                folder.mkdir()
                try:
                    (folder / "memory.max").write_text(str(memory_bytes))
                    (folder / "memory.swap.max").write_text("0")
                    (folder / "pids.max").write_text(str(processes))
                except OSError:
                    folder.rmdir()
                    raise
                return cls({"memory": folder, "pids": folder, "cpu": folder, "v2": folder})
        except OSError:
            pass
        try:
            for controller in ("memory", "pids", "cpuacct"):
                own = cls._own(controller)
                if own is None:
                    continue
                folder = own / name
                folder.mkdir()
                paths["cpu" if controller == "cpuacct" else controller] = folder
                if controller == "memory":
                    (folder / "memory.limit_in_bytes").write_text(str(memory_bytes))
                    swap = folder / "memory.memsw.limit_in_bytes"
                    if swap.exists():
                        swap.write_text(str(memory_bytes))
                elif controller == "pids":
                    (folder / "pids.max").write_text(str(processes))
        except OSError:
            cls(paths).close()
            return None
        if "memory" not in paths:
            cls(paths).close()
            return None
        return cls(paths)

    def enter(self) -> None:
        """Move this process (a child, before it runs bwrap) into the group."""
        for folder in set(self.paths.values()):
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def cpu_seconds(self) -> float:
        folder = self.paths.get("cpu")
        try:
            if folder is None:
                return 0.0
            if "v2" in self.paths:
                usage = dict(line.split() for line in (folder / "cpu.stat").read_text().splitlines())
                return int(usage["usage_usec"]) / 1e6
            return int((folder / "cpuacct.usage").read_text()) / 1e9
        except (OSError, KeyError, ValueError):
            return 0.0

    def memory_events(self) -> str:
        """Why the group's processes were stopped, in words, if by the memory limit."""
        try:
            if "v2" in self.paths:
                events = dict(
                    line.split() for line in (self.paths["memory"] / "memory.events").read_text().splitlines()
                )
                hit = int(events.get("oom_kill", 0))
            else:
                hit = int((self.paths["memory"] / "memory.failcnt").read_text())
        except (OSError, KeyError, ValueError):
            return ""
        return "the memory limit was reached" if hit else ""

    def close(self) -> None:
        """Stop every process left in the group, and remove it."""
        for folder in set(self.paths.values()):
            for _ in range(50):
                try:
                    pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
                except OSError:
                    break
                if not pids:
                    break
                for pid in pids:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                time.sleep(0.05)
            with contextlib.suppress(OSError):
                folder.rmdir()


def _wait(child: subprocess.Popen, group: Cgroup | None, wall: float, cpu: float) -> tuple[int, str]:
    """Wait for the sandbox; stop it at the wall-time limit, or when all its processes together used ``cpu`` s."""
    started = time.monotonic()
    while True:
        try:
            return child.wait(timeout=0.5), ""
        except subprocess.TimeoutExpired:
            pass
        over = ""
        if time.monotonic() - started > wall:
            over = "its wall-time limit"
        elif group is not None and group.cpu_seconds() > cpu:
            over = "its CPU-time limit (all its processes together)"
        if over:
            child.kill()
            child.wait()
            return 3, f"the notebook ran over {over}; stopped"


def run_kernel(connection_file: str, extra: list[str]) -> int:
    """Start ipykernel in the sandbox, connected to the client through Unix sockets in a private folder."""
    if not bwrap():
        print("bpw-sandbox: bubblewrap (bwrap) is not installed; see INSTRUCTORS.md", file=sys.stderr)
        return 2
    info = json.loads(Path(connection_file).read_text())
    if info.get("transport") != "ipc" or not os.path.isabs(info.get("ip", "")):
        print(
            "bpw-sandbox: the kernel has no network, so it needs c.KernelManager.transport = 'ipc' and "
            "c.KernelManager.ip = backprop_widgets.grading.sandbox.socket_prefix()",
            file=sys.stderr,
        )
        return 2
    private = Path(tempfile.mkdtemp(prefix="bpw-sandbox-", dir=_private_root()))
    links = []
    group = Cgroup.make(_limit("BPW_SANDBOX_MEMORY_MB") * 2**20, _limit("BPW_SANDBOX_PROCESSES"))
    uid = sandbox_uid(group)
    _give(private, uid)
    try:
        inside = dict(info, ip=str(private / "k"))
        for key in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):
            link = Path(f"{info['ip']}-{info[key]}")
            if link.exists() or link.is_symlink():
                link.unlink()
            link.symlink_to(private / f"k-{info[key]}")  # the client connects here; the kernel binds there
            links.append(link)
        (private / "connection.json").write_text(json.dumps(inside))
        command = sandbox_command(
            private,
            [sys.executable, "-m", "ipykernel_launcher", "-f", str(private / "connection.json"), *extra],
            uid=uid,
        )
        # the kernel's own stdout only repeats how to connect to it; its stderr stays in nbgrader's log
        child = subprocess.Popen(
            command,
            preexec_fn=functools.partial(_apply_limits, group),
            stdout=subprocess.DEVNULL,
            env=sandbox_environment(),
            cwd="/",
        )

        def forward(signum, _frame):
            child.send_signal(signum)

        signal.signal(signal.SIGINT, forward)
        signal.signal(signal.SIGTERM, forward)
        code, why = _wait(child, group, _limit("BPW_SANDBOX_WALL_SECONDS"), _limit("BPW_SANDBOX_CPU_SECONDS"))
        if group is not None and group.memory_events():
            why = (why + "; " if why else "") + group.memory_events()
        if why:
            print(f"bpw-sandbox: {why}", file=sys.stderr)
        return code
    finally:
        if group is not None:
            group.close()
        for link in links:
            if link.is_symlink():
                link.unlink()
        shutil.rmtree(private, ignore_errors=True)


def _private_root() -> str | None:
    """Where the kernel's private folder (its sockets) goes: /dev/shm where it can, a tmpfs whose pages count in the
    sandbox's memory limit, so that writing there cannot fill the grader's disk; else the temporary folder."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def socket_prefix() -> str:
    """Where the grader's end of the kernels' Unix sockets go: a private folder of this process (absolute)."""
    folder = Path(tempfile.gettempdir()) / f"bpw-grading-{os.getuid()}-{os.getpid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return str(folder / "kernel")


def install(prefix: str | None = None, user: bool = False) -> Path:
    """Write the kernel spec ``bpw-sandbox`` (into ``prefix``/share/jupyter/kernels, by default this Python's)."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = {
        "argv": [sys.executable, "-m", "backprop_widgets.grading.sandbox", "kernel", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        "interrupt_mode": "message",
        "env": {name: str(value) for name, value in DEFAULTS.items()},
        "metadata": {"debugger": False},
    }
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "kernel.json").write_text(json.dumps(spec, indent=1))
        manager = KernelSpecManager()
        where = manager.install_kernel_spec(
            folder, KERNEL_NAME, user=user, prefix=None if user else (prefix or sys.prefix)
        )
    return Path(where)


CHECKS = r"""
import json, os, socket, sys, time
results = {}
def attempt(name, action):
    try:
        outcome = action()
        results[name] = outcome or "allowed"
    except Exception as error:
        results[name] = "blocked (%s)" % type(error).__name__
canary = sys.argv[1]
for path in sys.argv[2:]:
    attempt("read " + path, lambda: open(path).read() and None)
    attempt("list " + os.path.dirname(path), lambda: os.listdir(os.path.dirname(path)) and None)
def environment():
    seen = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                seen.append(open("/proc/%s/environ" % pid, "rb").read())
            except OSError:
                pass
    if any(canary.encode() in e for e in seen):
        return "the grader's environment is visible"
    return "%d processes seen, none with the grader's environment (a variable set for this check)" % len(seen)
attempt("read the environment of every process (/proc/*/environ)", environment)
for where in ("/", "/usr", sys.prefix, os.path.dirname(os.path.dirname(json.__file__))):
    attempt("write in " + where, lambda: open(os.path.join(where, "bpw-written"), "w").write("x") and None)
attempt("write in its own folder", lambda: open("written-in-sandbox", "w").write("x") and None)
attempt("network", lambda: socket.create_connection(("1.1.1.1", 53), timeout=2) and None)
def processes():
    children = []
    try:
        for _ in range(300):
            pid = os.fork()
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            children.append(pid)
    except OSError:
        pass
    finally:
        for pid in children:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    return "%d of 300 processes started" % len(children)
attempt("start 300 processes", processes)
def memory(each_mb):
    children = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            try:
                block = bytearray(each_mb * 2**20)
                for i in range(0, len(block), 4096):
                    block[i] = 1
                time.sleep(3)
                os._exit(0)
            except MemoryError:
                os._exit(1)
        children.append(pid)
        time.sleep(0.3)
    held = sum(1 for pid in children if os.waitpid(pid, 0)[1] == 0)
    return "%d of 3 children held %d MB each at once" % (held, each_mb)
attempt("3 children of %s MB each, under a limit of %s MB" % tuple(canary.split(":")[1:]), lambda: memory(int(canary.split(":")[1])))
def disk():
    written = 0
    try:
        for n in range(1000):
            with open("big-%d" % n, "wb") as f:
                for _ in range(10):
                    f.write(b"x" * 2**20)
                    written += 1
    except OSError:
        pass
    return "%d MB written in its folder" % written
attempt("write 1000 MB in its folder", disk)
import backprop_widgets
print(json.dumps(results))
"""

CHECK_MEMORY_MB = 300  # the check's own limit for all processes together: 3 children of 120 MB cannot all fit


def check(paths: list[str]) -> dict:
    """Run a few attempts in the sandbox (as a hand-in would) and return what each one met."""
    private = Path(tempfile.mkdtemp(prefix="bpw-sandbox-", dir=_private_root()))
    canary = f"bpw-canary-{secrets.token_hex(8)}:120:{CHECK_MEMORY_MB}"
    group = Cgroup.make(CHECK_MEMORY_MB * 2**20, _limit("BPW_SANDBOX_PROCESSES"))
    uid = sandbox_uid(group)
    _give(private, uid)
    try:
        os.environ["BPW_CHECK_CANARY"] = canary  # in the grader's environment, as a hub's token would be
        command = sandbox_command(private, [sys.executable, "-c", CHECKS, canary, *paths], uid=uid)
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            preexec_fn=functools.partial(_apply_limits, group),
            env=sandbox_environment(),
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        results = json.loads(done.stdout.strip().splitlines()[-1])
        results["limits"] = describe_limits(group, uid)
        return results
    finally:
        os.environ.pop("BPW_CHECK_CANARY", None)
        if group is not None:
            group.close()
        shutil.rmtree(private, ignore_errors=True)


def describe_limits(group: Cgroup | None, uid: int | None = None) -> str:
    """The limits a hand-in runs under on this machine, in words (``uid``: the sandbox's own user id, if any)."""
    memory, processes = _limit("BPW_SANDBOX_MEMORY_MB"), _limit("BPW_SANDBOX_PROCESSES")
    cpu, wall, disk = (
        _limit("BPW_SANDBOX_CPU_SECONDS"),
        _limit("BPW_SANDBOX_WALL_SECONDS"),
        _limit("BPW_SANDBOX_DISK_MB"),
    )
    if uid is not None:
        count = f"{processes} processes at once (RLIMIT_NPROC, as a user id of its own, {uid}: the grader is root)"
    elif os.geteuid() == 0:
        count = (
            "processes NOT limited (Linux does not apply RLIMIT_NPROC to root, and setpriv, which would run the "
            "sandbox as another user, is not installed)"
        )
    else:
        count = f"{processes} processes at once for this user, its other processes included (RLIMIT_NPROC)"
    if group is None:
        off = os.environ.get("BPW_SANDBOX_CGROUP", "on").lower() in ("off", "0", "no", "false")
        kind = "no cgroup (BPW_SANDBOX_CGROUP=off)" if off else "no cgroup can be had here"
        kind += ": limits per process"
        together = (
            f"memory {memory} MB per process (not for all together: each process may hold that much), {count}, "
            f"CPU {cpu} s per process"
        )
    else:
        kind = "cgroup v2" if "v2" in group.paths else "cgroup v1 (" + ", ".join(sorted(group.paths)) + ")"
        together = f"memory {memory} MB for all processes together, " + (
            f"{processes} processes at once" if "pids" in group.paths else count
        )
        together += f", CPU {cpu} s for all together" if "cpu" in group.paths else f", CPU {cpu} s per process"
    return (
        f"{kind}: {together}; {wall} s in all; writable folders {disk} MB each (tmpfs, in memory), "
        f"{FILE_SIZE_LIMIT // 2**20} MB per file"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backprop_widgets.grading.sandbox",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    kernel = commands.add_parser("kernel", help="run a sandboxed kernel (Jupyter calls this)")
    kernel.add_argument("connection_file")
    kernel.add_argument("extra", nargs=argparse.REMAINDER)
    installer = commands.add_parser("install", help="install the kernel spec bpw-sandbox")
    installer.add_argument("--prefix", help="install into PREFIX/share/jupyter/kernels (default: this Python's)")
    installer.add_argument("--user", action="store_true", help="install for this user instead")
    checker = commands.add_parser("check", help="show what the sandbox lets a hand-in do")
    checker.add_argument("paths", nargs="*", help="files a hand-in must not read")
    options = parser.parse_args(argv)
    if options.command == "kernel":
        return run_kernel(options.connection_file, options.extra)
    works, why = bwrap_works()
    if not works:
        print(f"bpw-sandbox: {why}", file=sys.stderr)
        if options.command == "check":
            return 1
    if options.command == "install":
        print(f"installed the kernel spec {KERNEL_NAME} in {install(options.prefix, options.user)}")
        return 0
    for name, outcome in check(options.paths).items():
        print(f"{name}: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
