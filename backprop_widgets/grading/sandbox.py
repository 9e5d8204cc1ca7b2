"""A Jupyter kernel that runs a hand-in under bubblewrap: its own folder, the installed packages, nothing else.

``nbgrader autograde`` starts this kernel (``c.Execute.kernel_name = "bpw-sandbox"``) in
the folder of the hand-in it grades, ``autograded/<student>/<assignment>/``.  The
kernel then runs in ``bwrap`` (Debian's ``bubblewrap`` package) with:

- the system's ``/usr`` (and ``/bin``, ``/lib``…), Python's prefix (the virtual
  environment) and the kit's package, all read-only; a few files of ``/etc``;
- the hand-in's folder, read-write: the only folder outside the sandbox it can
  change;  ``/tmp`` and ``$HOME`` are empty and vanish with the kernel;
- no network (its own network namespace: the kernel talks to nbgrader over Unix
  sockets in a private folder), its own process, IPC and user namespaces, no
  capabilities;
- limits per notebook: address space (``BPW_SANDBOX_MEMORY_MB``, 2048), CPU time
  (``BPW_SANDBOX_CPU_SECONDS``, 300), wall time (``BPW_SANDBOX_WALL_SECONDS``, 900),
  size of a file it writes (64 MB).

So the course folder (``source/``, ``release/``, ``gradebook.db``, other students'
hand-ins) does not exist for student code.  Commands::

    python -m backprop_widgets.grading.sandbox install [--prefix PREFIX]   # the kernel spec
    python -m backprop_widgets.grading.sandbox check                        # what the sandbox lets through
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["KERNEL_NAME", "bwrap", "bwrap_works", "sandbox_command", "socket_prefix", "install", "main"]

KERNEL_NAME = "bpw-sandbox"
DEFAULTS = {"BPW_SANDBOX_MEMORY_MB": 2048, "BPW_SANDBOX_CPU_SECONDS": 300, "BPW_SANDBOX_WALL_SECONDS": 900}
FILE_SIZE_LIMIT = 64 * 2**20
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


def refuse_folder(folder: Path) -> str | None:
    """Why a folder must not be a hand-in's writable folder (it holds the course), or None."""
    if folder == Path("/") or folder == Path.home():
        return f"{folder} is / or a home folder"
    for name in ("gradebook.db", "source", "release", "nbgrader_config.py"):
        if (folder / name).exists():
            return f"{folder} holds {name}: it looks like a course folder, not one hand-in's folder"
    return None


def sandbox_command(folder: Path, private: Path, command: list[str]) -> list[str]:
    """The ``bwrap`` command that runs ``command`` in ``folder`` (read-write) with ``private`` (the sockets)."""
    import backprop_widgets

    package_parent = Path(backprop_widgets.__file__).resolve().parent.parent
    args = [
        bwrap() or "bwrap",
        "--unshare-all",
        "--die-with-parent",
        "--cap-drop",
        "ALL",
        "--hostname",
        "sandbox",
        *_system_binds(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        "--dir",
        "/tmp/home",
    ]
    for path in _read_only_paths():  # after /tmp's tmpfs, which would hide what is bound below it
        args += ["--ro-bind", str(path), str(path)]
    args += [
        "--bind",
        str(private),
        str(private),
        "--bind",
        str(folder),
        str(folder),
        "--chdir",
        str(folder),
        "--clearenv",
    ]
    environment = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp/home",
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(package_parent),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": "/tmp/home/.matplotlib",
        "IPYTHONDIR": "/tmp/home/.ipython",
        "JUPYTER_PLATFORM_DIRS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    if os.environ.get("BPW_STUDENT_ID"):  # `BPW_STUDENT_ID=test nbgrader validate …` on a source
        environment["BPW_STUDENT_ID"] = os.environ["BPW_STUDENT_ID"]
    for name, value in environment.items():
        args += ["--setenv", name, value]
    return args + ["--", *command]


def _limit(name: str) -> int:
    return int(os.environ.get(name, DEFAULTS[name]))


def _apply_limits() -> None:  # runs in the child, before bwrap starts
    memory = _limit("BPW_SANDBOX_MEMORY_MB") * 2**20
    cpu = _limit("BPW_SANDBOX_CPU_SECONDS")
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_kernel(connection_file: str, extra: list[str]) -> int:
    """Start ipykernel in the sandbox, connected to the client through Unix sockets in a private folder."""
    folder = Path.cwd().resolve()
    problem = refuse_folder(folder)
    if problem:
        print(f"bpw-sandbox: refusing to run: {problem}", file=sys.stderr)
        return 2
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
    private = Path(tempfile.mkdtemp(prefix="bpw-sandbox-"))
    links = []
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
            folder,
            private,
            [sys.executable, "-m", "ipykernel_launcher", "-f", str(private / "connection.json"), *extra],
        )
        # the kernel's own stdout only repeats how to connect to it; its stderr stays in nbgrader's log
        child = subprocess.Popen(command, preexec_fn=_apply_limits, stdout=subprocess.DEVNULL)

        def forward(signum, _frame):
            child.send_signal(signum)

        signal.signal(signal.SIGINT, forward)
        signal.signal(signal.SIGTERM, forward)
        try:
            return child.wait(timeout=_limit("BPW_SANDBOX_WALL_SECONDS"))
        except subprocess.TimeoutExpired:
            print("bpw-sandbox: the notebook ran over its wall-time limit; stopped", file=sys.stderr)
            child.kill()
            child.wait()
            return 3
    finally:
        for link in links:
            if link.is_symlink():
                link.unlink()
        shutil.rmtree(private, ignore_errors=True)


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
import os, socket, sys
results = {}
def attempt(name, action):
    try:
        action()
        results[name] = "allowed"
    except Exception as error:
        results[name] = "blocked (%s)" % type(error).__name__
for path in sys.argv[1:]:
    attempt("read " + path, lambda: open(path).read())
    attempt("list " + os.path.dirname(path), lambda: os.listdir(os.path.dirname(path)))
attempt("write next to its folder", lambda: open(os.path.join(os.path.dirname(os.getcwd()), "bpw-written"), "w").write("x"))
attempt("write in its folder", lambda: open("written-in-sandbox", "w").write("x"))
attempt("network", lambda: socket.create_connection(("1.1.1.1", 53), timeout=2))
attempt("import backprop_widgets", lambda: __import__("backprop_widgets"))
import json; print(json.dumps(results))
"""


def check(folder: Path, secrets: list[str]) -> dict:
    """Run a few attempts in the sandbox (as a hand-in would) and return what each one met."""
    private = Path(tempfile.mkdtemp(prefix="bpw-sandbox-"))
    try:
        command = sandbox_command(folder.resolve(), private, [sys.executable, "-c", CHECKS, *secrets])
        done = subprocess.run(command, capture_output=True, text=True, preexec_fn=_apply_limits, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        results = json.loads(done.stdout.strip().splitlines()[-1])
        outside = folder.resolve().parent / "bpw-written"
        results["write next to its folder, seen outside"] = "yes" if outside.exists() else "no"
        return results
    finally:
        shutil.rmtree(private, ignore_errors=True)


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
    checker.add_argument("secrets", nargs="*", help="files a hand-in must not read")
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
    with tempfile.TemporaryDirectory() as folder:
        for name, outcome in check(Path(folder), options.secrets).items():
            print(f"{name}: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
