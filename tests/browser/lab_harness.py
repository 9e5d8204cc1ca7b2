"""Drive a private JupyterLab in headless Chromium: start it, open notebooks, run them, collect errors."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = [
    "CHROMIUM_ENV",
    "CHROMIUM_FLAGS",
    "SKIP_ENV",
    "HOW_TO_GET_CHROMIUM",
    "PAGE_HELPERS_JS",
    "WIDGETS_EXTENSION",
    "find_chromium",
    "browser_tests_skipped",
    "JupyterLabServer",
    "JupyterNotebookServer",
    "Lab",
    "LabSession",
    "NotebookPage",
    "RunResult",
    "Tab",
    "summarize",
]

CHROMIUM_ENV = "BPW_CHROMIUM"
SKIP_ENV = "BPW_SKIP_BROWSER"
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"

# Flags this kind of machine needs: no sandbox as root, no GPU, and no calls home
# (without the networking flags Chromium keeps trying services it cannot reach).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

HOW_TO_GET_CHROMIUM = (
    "The browser tests need Chromium and none was found. Either\n"
    "  - install it: sudo apt-get install chromium   (Debian/Ubuntu; or run .ci/install-chromium as root), or\n"
    f"  - point {CHROMIUM_ENV} at a Chromium or Chrome binary: export {CHROMIUM_ENV}=/path/to/chromium, or\n"
    f"  - skip the browser tests: export {SKIP_ENV}=1"
)

# Lab settings for a quiet, predictable page: every cell attached to the DOM (so widgets
# in cells below the fold render too), no kernel dialog, no news, no toasts, no autosave.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
    },
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}

# Installed into every page before JupyterLab's own scripts; the Python side calls these
# through page.evaluate. Needs the server flag LabApp.expose_app_in_browser.
PAGE_HELPERS_JS = r"""
window.__bpw = {
  runs: {},
  appReady() {
    const app = window.jupyterapp;
    if (!app || !app.restored) return false;
    if (!this.watching) {
      this.watching = true;
      app.restored.then(() => { window.__bpw.restored = true; });
    }
    return this.restored === true;
  },
  open(path) {
    this.runs[path] = undefined;
    window.jupyterapp.commands.execute('docmanager:open', {path: path, factory: 'Notebook'});
  },
  panel(path) {
    const app = window.jupyterapp;
    if (!app || !app.shell) return null;
    for (const w of app.shell.widgets('main')) {
      if (w.context && w.context.path === path && !w.isDisposed) return w;
    }
    return null;
  },
  panelId(path) {
    return this.panel(path).id;
  },
  kernelStatus(path) {
    const p = this.panel(path);
    const kernel = p && p.sessionContext.session && p.sessionContext.session.kernel;
    return kernel ? kernel.status : null;
  },
  ready(path) {
    const p = this.panel(path);
    return !!p && p.context.isReady && p.sessionContext.isReady
      && this.kernelStatus(path) === 'idle';
  },
  runAll(path) {
    const p = this.panel(path);
    window.jupyterapp.shell.activateById(p.id);
    this.runs[path] = null;
    window.jupyterapp.commands.execute('notebook:run-all-cells').then(
      ok => { window.__bpw.runs[path] = {ok: ok}; },
      err => { window.__bpw.runs[path] = {ok: false, error: String(err)}; });
  },
  cellsRunning(path) {
    // Code cells queued or running show "[*]" as their prompt.
    return [...this.panel(path).node.querySelectorAll('.jp-InputArea-prompt')]
      .filter(e => e.textContent.includes('*')).length;
  },
  widgetsLoading(path) {
    return [...this.panel(path).node.querySelectorAll('.jp-OutputArea-output')]
      .filter(e => e.textContent.trim() === 'Loading widget...').length;
  },
  cellsDone(path) {
    return !!this.runs[path] && this.kernelStatus(path) === 'idle' && this.cellsRunning(path) === 0;
  },
  widgetsDone(path) {
    return this.widgetsLoading(path) === 0;
  },
  notebook(path) {
    return this.panel(path).context.model.toJSON();
  },
  widgetErrors(path) {
    return [...this.panel(path).node.querySelectorAll('.jp-OutputArea-output')]
      .map(e => e.textContent.trim())
      .filter(t => t.startsWith('Error displaying widget') || t === 'Loading widget...');
  },
  dialogs() {
    return document.querySelectorAll('.jp-Dialog').length;
  },
  close(path) {
    const p = this.panel(path);
    if (p) p.dispose();  // no "save changes?" dialog: the copy on disk does not matter
  },
};
"""


def browser_tests_skipped(environ: dict | None = None) -> bool:
    """True when the user opted out of browser tests with BPW_SKIP_BROWSER=1 (or true/yes)."""
    environ = os.environ if environ is None else environ
    return environ.get(SKIP_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def find_chromium(environ: dict | None = None) -> str | None:
    """Path of the Chromium to drive: $BPW_CHROMIUM, else /usr/bin/chromium, else `chromium` on PATH."""
    environ = os.environ if environ is None else environ
    named = environ.get(CHROMIUM_ENV, "").strip()
    if named:
        found = shutil.which(named)
        return found if found else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name, path=environ.get("PATH"))
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _isolated_env(home: Path) -> dict[str, str]:
    """The server's environment: the caller's minus every Jupyter/IPython/user setting, plus temp dirs."""
    dropped_prefixes = ("JUPYTER", "JPY_", "IPYTHON", "MPL", "XDG_")
    dropped = {"HOME", "PYTHONSTARTUP", "PYTHONUSERBASE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped_prefixes) and k not in dropped}
    dirs = {
        "HOME": home,
        "JUPYTER_CONFIG_DIR": home / "jupyter-config",
        "JUPYTER_DATA_DIR": home / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": home / "jupyter-runtime",
        "IPYTHONDIR": home / "ipython",
        "MPLCONFIGDIR": home / "matplotlib",
        "XDG_CONFIG_HOME": home / "xdg-config",
        "XDG_CACHE_HOME": home / "xdg-cache",
        "XDG_DATA_HOME": home / "xdg-data",
    }
    for name, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    # Our temp data dir first (it holds the kernelspec below); the venv's share/jupyter
    # is still searched after it, which is where the prebuilt widgets extension lives.
    env["JUPYTER_PREFER_ENV_PATH"] = "0"
    env["PYTHONNOUSERSITE"] = "1"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


class JupyterLabServer:
    """A JupyterLab on 127.0.0.1 with its own token, root dir and config, run from this Python."""

    def __init__(self, workdir: Path, python: str = sys.executable):
        self.workdir = Path(workdir)
        self.python = python
        self.root_dir = self.workdir / "notebooks"
        self.log_path = self.workdir / "jupyterlab.log"
        self.token = uuid.uuid4().hex
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        """Launch the server and poll until it answers; raise RuntimeError with its log if it does not."""
        self.root_dir.mkdir(parents=True, exist_ok=True)
        env = _isolated_env(self.workdir / "home")
        env["JUPYTER_TOKEN"] = self.token  # in the environment, not on the command line
        self._write_kernelspec(Path(env["JUPYTER_DATA_DIR"]))
        self._write_lab_settings(Path(env["JUPYTER_CONFIG_DIR"]))
        for attempt in range(3):
            try:
                return self._launch(env, timeout)
            except RuntimeError:
                # Someone else may have taken the free port we picked: pick another.
                if "already in use" not in self.log_tail() or attempt == 2:
                    raise

    # What `python -m <app_module>` starts, and the flags of that application only.
    app_module = "jupyterlab"
    app_flags = (
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    )
    # Where a notebook opens: in JupyterLab, inside the app's one page (see Lab.open).
    opens_notebooks_in_own_page = False

    def _launch(self, env: dict[str, str], timeout: float) -> None:
        self.port = _free_port()
        command = [
            self.python,
            "-m",
            self.app_module,
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--ServerApp.root_dir={self.root_dir}",
            "--ServerApp.terminals_enabled=False",
            *self.app_flags,
        ]
        if os.geteuid() == 0:  # containers and CI often run as root
            command.append("--allow-root")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.root_dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app_module} exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.app_module} did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server and everything it started (kernels), by its process group."""
        if self.process is None or self.process.poll() is not None:
            return
        try:  # kernels run in process groups of their own: shut them down by the API first
            for kernel in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=30)
        except (OSError, ValueError):
            pass  # the server is going away anyway; SIGTERM below also stops its kernels
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=10)
        try:  # anything left in the server's own group
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def api(self, method: str, path: str, timeout: float = 10.0):
        """Call the server's REST API with the token; return the decoded JSON (or None)."""
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def page_config(self) -> dict:
        """The JSON JupyterLab embeds in its page (extensions, settings, flags)."""
        request = urllib.request.Request(self.url + "/lab", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            html = response.read().decode()
        start = html.index('id="jupyter-config-data"')
        start = html.index(">", start) + 1
        end = html.index("</script>", start)
        return json.loads(html[start:end])

    def lab_extensions(self) -> list[str]:
        """Names of the prebuilt (federated) lab extensions this server serves."""
        return [ext["name"] for ext in self.page_config().get("federated_extensions", [])]

    def app_url(self) -> str:
        """JupyterLab in a fresh, empty workspace, so a tab never reopens another test's notebooks."""
        workspace = "bpw-" + uuid.uuid4().hex[:8]
        return f"{self.url}/lab/workspaces/{workspace}?token={self.token}"

    def notebook_url(self, path: str) -> str:
        """The page of one notebook on its own (Notebook 7 has one; JupyterLab opens it in app_url)."""
        return f"{self.url}/notebooks/{urllib.parse.quote(path)}?token={self.token}"

    def shutdown_kernels(self, path: str) -> int:
        """Delete every session (and so its kernel) opened on `path`; return how many."""
        sessions = [s for s in self.api("GET", "/api/sessions") if s.get("path") == path]
        for session in sessions:
            try:
                self.api("DELETE", f"/api/sessions/{session['id']}", timeout=30)
            except urllib.error.HTTPError as error:
                if error.code != 404:
                    raise
        return len(sessions)

    def _write_kernelspec(self, data_dir: Path) -> None:
        # The notebooks' "python3" kernel is this very Python, whatever else is installed.
        spec_dir = data_dir / "kernels" / "python3"
        spec_dir.mkdir(parents=True, exist_ok=True)
        spec = {
            "argv": [self.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))

    @staticmethod
    def _write_lab_settings(config_dir: Path) -> None:
        for plugin, values in LAB_SETTINGS.items():
            target = config_dir / "lab" / "user-settings" / f"{plugin}.jupyterlab-settings"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values, indent=1))


class JupyterNotebookServer(JupyterLabServer):
    """Jupyter Notebook 7 (the `notebook` package): the same server, one page per notebook.

    Its front end is built from JupyterLab's components, so the page helpers work
    there too; only opening differs: a notebook is a page of its own, /notebooks/<path>.
    """

    app_module = "notebook"
    app_flags = ("--JupyterNotebookApp.expose_app_in_browser=True",)
    opens_notebooks_in_own_page = True

    def page_config(self) -> dict:
        request = urllib.request.Request(self.url + "/tree", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            html = response.read().decode()
        start = html.index('id="jupyter-config-data"')
        start = html.index(">", start) + 1
        end = html.index("</script>", start)
        return json.loads(html[start:end])

    def app_url(self) -> str:
        return f"{self.url}/tree?token={self.token}"


@dataclass(repr=False)
class RunResult:
    """What a notebook showed after running: error outputs, stderr text and widget failures."""

    path: str
    errors: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    widget_errors: list[str] = field(default_factory=list)
    unexecuted: list[int] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Everything that makes a lesson fail: tracebacks and widgets that did not display."""
        return self.errors + self.widget_errors

    def __str__(self) -> str:
        lines = [f"{self.path}: {len(self.problems)} problem(s)"]
        lines += [f"  error: {e}" for e in self.errors]
        lines += [f"  widget: {e}" for e in self.widget_errors]
        lines += [f"  stderr: {e}" for e in self.stderr]
        if self.unexecuted:
            lines.append(f"  code cells not run: {self.unexecuted}")
        return "\n".join(lines)

    __repr__ = __str__  # pytest prints assertion messages with repr


def summarize(path: str, notebook: dict, widget_errors: list[str]) -> RunResult:
    """Sort a notebook's outputs (nbformat JSON) into errors, stderr and cells that never ran."""
    result = RunResult(path=path, widget_errors=widget_errors)
    code_cells = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    for number, cell in enumerate(code_cells, start=1):
        source = "".join(cell.get("source", ""))
        if source.strip() and cell.get("execution_count") is None:
            result.unexecuted.append(number)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                result.errors.append(f"code cell {number}: {output.get('ename')}: {output.get('evalue')}")
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                result.stderr.append(f"code cell {number}: {''.join(output.get('text', '')).strip()}")
    return result


class Tab:
    """A browser tab showing JupyterLab, with the console errors it has logged so far."""

    def __init__(self, context, url: str, timeout: float = 60.0):
        self.page = context.new_page()
        self.console_errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(f"page error: {e}"))
        self.page.goto(url, timeout=timeout * 1000)
        try:
            self.page.wait_for_function(
                "() => window.__bpw && window.__bpw.appReady()", timeout=timeout * 1000, polling=100
            )
        except Exception as error:
            raise AssertionError(
                f"JupyterLab did not start in the browser within {timeout:.0f} s; "
                f"browser console: {self.console_errors[-5:]}"
            ) from error

    @property
    def usable(self) -> bool:
        """Still open, and no dialog left over that could swallow the next notebook's clicks."""
        if self.page.is_closed():
            return False
        try:
            return self.page.evaluate("() => window.__bpw.dialogs()") == 0
        except Exception:
            return False

    def close(self) -> None:
        if not self.page.is_closed():
            self.page.close(run_before_unload=False)


class NotebookPage:
    """One notebook open in JupyterLab in the browser, with its own kernel."""

    def __init__(self, session: LabSession, tab: Tab, path: str, own_tab: bool):
        self.session = session
        self.tab = tab
        self.path = path
        self.own_tab = own_tab
        self.closed = False
        self._console_start = len(tab.console_errors)

    @property
    def page(self):
        """The Playwright page: locate, click and `expect` with it."""
        return self.tab.page

    @property
    def panel(self):
        """A Playwright locator for this notebook's panel: find buttons and pictures inside it."""
        return self.page.locator(f"[id='{self._call('panelId')}']")

    @property
    def console_errors(self) -> list[str]:
        """Errors the browser console logged since this notebook was opened."""
        return self.tab.console_errors[self._console_start :]

    def _call(self, helper: str):
        return self.page.evaluate(f"path => window.__bpw.{helper}(path)", self.path)

    def _wait(self, helper: str, timeout: float, what: str) -> None:
        try:
            self.page.wait_for_function(
                f"path => window.__bpw && window.__bpw.{helper}(path)",
                arg=self.path,
                timeout=timeout * 1000,
                polling=100,
            )
        except Exception as error:  # Playwright's TimeoutError, or the page went away
            raise AssertionError(
                f"{self.path}: {what} within {timeout:.0f} s "
                f"(kernel: {self._status()}); browser console: {self.console_errors[-5:]}"
            ) from error

    def _status(self) -> str | None:
        try:
            return self._call("kernelStatus")
        except Exception:
            return None

    def wait_for_kernel_idle(self, timeout: float = 60.0) -> None:
        """Wait until the notebook is loaded and its kernel has started and is idle."""
        self._wait("ready", timeout, "notebook not loaded with an idle kernel")

    def run_all(self, timeout: float = 300.0, widget_timeout: float = 30.0) -> RunResult:
        """Run every cell, wait for them and for every widget view, and report what the notebook shows.

        Cells still running after `timeout` s raise AssertionError; a widget still
        "Loading widget..." after a further `widget_timeout` s is reported in widget_errors.
        """
        self.wait_for_kernel_idle()
        self._call("runAll")
        self._wait("cellsDone", timeout, "cells still running")
        try:
            self._wait("widgetsDone", widget_timeout, "widgets still loading")
        except AssertionError:
            pass  # result() lists each widget that never appeared
        return self.result()

    def result(self) -> RunResult:
        """The notebook's error outputs, stderr and widget display errors as they are now."""
        return summarize(self.path, self._call("notebook"), self._call("widgetErrors"))

    def screenshot(self, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def close(self) -> None:
        """Close the notebook (or its own tab), then shut its kernel down to free the CPU."""
        if self.closed:
            return
        self.closed = True
        try:
            if self.own_tab:
                self.tab.close()
            elif not self.page.is_closed():
                self._call("close")
        finally:
            self.session.server.shutdown_kernels(self.path)


class LabSession:
    """The server and browser shared by all browser tests, and one warm JupyterLab tab."""

    def __init__(self, server: JupyterLabServer, context):
        self.server = server
        self.context = context
        self._shared: Tab | None = None

    def new_tab(self, timeout: float = 60.0) -> Tab:
        return Tab(self.context, self.server.app_url(), timeout)

    def shared_tab(self) -> Tab:
        """The tab notebooks open in by default, reloaded if it was closed or left in a bad state."""
        if self._shared is None or not self._shared.usable:
            self.discard_shared_tab()
            self._shared = self.new_tab()
        return self._shared

    def discard_shared_tab(self) -> None:
        if self._shared is not None:
            self._shared.close()
            self._shared = None


class Lab:
    """The handle a browser test gets: put notebooks in the server's root and open them."""

    def __init__(self, session: LabSession, artifact_dir: Path):
        self.session = session
        self.server = session.server
        self.artifact_dir = Path(artifact_dir)
        self.notebooks: list[NotebookPage] = []

    @property
    def root_dir(self) -> Path:
        """The server's root: notebooks and any files they read go here."""
        return self.server.root_dir

    def write_notebook(self, name: str, cells: list[str]) -> str:
        """Write a notebook of code cells (a str starting with '#md' becomes markdown); return its path."""
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        for source in cells:
            if source.startswith("#md"):
                notebook.cells.append(nbformat.v4.new_markdown_cell(source[3:].lstrip()))
            else:
                notebook.cells.append(nbformat.v4.new_code_cell(source))
        target = self.root_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        return name

    def add_notebook(self, source: Path, name: str | None = None) -> str:
        """Copy an existing notebook (e.g. a lesson) into the server's root; return its path there."""
        name = name or Path(source).name
        target = self.root_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return name

    def open(self, path: str, new_tab: bool = False, timeout: float = 60.0) -> NotebookPage:
        """Open `path` and wait until its kernel is idle.

        By default it opens in the session's warm JupyterLab tab (about 3 s faster than loading
        JupyterLab again); new_tab=True gives it a freshly loaded tab of its own.
        """
        if self.server.opens_notebooks_in_own_page:  # Notebook 7: the notebook's own page
            tab = Tab(self.session.context, self.server.notebook_url(path), timeout)
            notebook = NotebookPage(self.session, tab, path, own_tab=True)
            self.notebooks.append(notebook)
        else:
            tab = self.session.new_tab(timeout) if new_tab else self.session.shared_tab()
            notebook = NotebookPage(self.session, tab, path, own_tab=new_tab)
            self.notebooks.append(notebook)
            notebook.page.evaluate("path => window.__bpw.open(path)", path)
        notebook.wait_for_kernel_idle(timeout)
        return notebook

    def run(self, name: str, cells: list[str]) -> NotebookPage:
        """Write the notebook `name` of `cells` (as write_notebook), open it and run every cell; return it.

        Fails, showing the RunResult, if a cell raised, a widget did not display or a code cell did not run.
        It does not wait for the kit's pictures to be laid out: the harness knows Jupyter, not the pictures
        (a test that reads them calls graph_dom.wait_until_laid_out).
        """
        notebook = self.open(self.write_notebook(name, cells))
        result = notebook.run_all()
        if result.problems or result.unexecuted:
            raise AssertionError(str(result))
        return notebook

    def screenshot_all(self, label: str) -> list[Path]:
        """Save a picture of every tab this test still has open; return the files."""
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)
        shots, seen = [], set()
        for number, notebook in enumerate(self.notebooks):
            if notebook.closed or notebook.page.is_closed() or id(notebook.page) in seen:
                continue
            seen.add(id(notebook.page))
            try:
                # Bring this notebook to the front of a shared tab before the picture.
                notebook.page.evaluate(
                    "path => { const p = window.__bpw.panel(path); "
                    "if (p) window.jupyterapp.shell.activateById(p.id); }",
                    notebook.path,
                )
                shots.append(notebook.screenshot(self.artifact_dir / f"{stem}-{number}.png"))
            except Exception:
                pass  # a crashed page must not hide the test's own failure
        return shots

    def close_all(self) -> None:
        """Close every notebook this test opened and shut their kernels down."""
        for notebook in self.notebooks:
            notebook.close()
        self.notebooks.clear()
