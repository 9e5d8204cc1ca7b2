"""Fixtures for browser tests: one JupyterLab and one headless Chromium per session, a Lab per test."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from .lab_harness import (
    CHROMIUM_ENV,
    CHROMIUM_FLAGS,
    HOW_TO_GET_CHROMIUM,
    PAGE_HELPERS_JS,
    SKIP_ENV,
    WIDGETS_EXTENSION,
    JupyterLabServer,
    JupyterNotebookServer,
    Lab,
    LabSession,
    browser_tests_skipped,
    find_chromium,
)

SKIP_REASON = f"browser tests skipped because {SKIP_ENV} is set"

# Window sizes a student's JupyterLab has: a laptop's and a desktop's.
SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}


def pytest_collection_modifyitems(config, items):
    if not browser_tests_skipped():
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # On a failing browser test, photograph its open tabs while they still show the failure.
    outcome = yield
    report = outcome.get_result()
    funcargs = getattr(item, "funcargs", {})
    lab = funcargs.get("lab") or funcargs.get("notebook7")
    if report.when != "call" or not report.failed or lab is None:
        return
    item.bpw_failed = True
    shots = lab.screenshot_all(item.name)
    lines = [f"screenshot: {shot}" for shot in shots]
    for notebook in lab.notebooks:
        lines += [f"{notebook.path} console: {text}" for text in notebook.console_errors[-10:]]
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in item.name)
    log_copy = lab.artifact_dir / f"{stem}-jupyterlab.log"
    try:  # the server's own copy goes when the session ends
        shutil.copyfile(lab.server.log_path, log_copy)
        lines.append(f"server log: {log_copy}")
    except OSError:
        lines.append(f"server log: {lab.server.log_path}")
    report.sections.append(("browser", "\n".join(lines)))


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The Chromium binary to drive; fails (not skips) with instructions when there is none."""
    if browser_tests_skipped():
        pytest.skip(SKIP_REASON)
    found = find_chromium()
    if found is None:
        named = os.environ.get(CHROMIUM_ENV)
        problem = f"{CHROMIUM_ENV}={named!r} is not an executable.\n" if named else ""
        pytest.fail(problem + HOW_TO_GET_CHROMIUM, pytrace=False)
    return found


@pytest.fixture(scope="session")
def browser_artifact_dir(tmp_path_factory) -> Path:
    """Where failure screenshots go: $BPW_ARTIFACT_DIR, else pytest's temp dir."""
    named = os.environ.get("BPW_ARTIFACT_DIR")
    path = Path(named) if named else tmp_path_factory.getbasetemp() / "browser-artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def jupyter_server(chromium_executable):
    """A private JupyterLab for the whole session (started only when a browser test runs)."""
    yield from _serve(JupyterLabServer, "bpw-lab-")


@pytest.fixture(scope="session")
def notebook7_server(chromium_executable):
    """A private Jupyter Notebook 7 (started only when a test asks for it)."""
    yield from _serve(JupyterNotebookServer, "bpw-nb7-")


def _serve(kind, prefix):
    # A short path of our own rather than pytest's deep temp dir: Jupyter puts sockets under it.
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    server = kind(workdir)
    try:
        server.start()
        problem = None
    except RuntimeError as error:
        problem = str(error)
    if problem:
        pytest.fail(problem, pytrace=False)
    try:
        extensions = server.lab_extensions()
        if WIDGETS_EXTENSION not in extensions:
            pytest.fail(
                f"{server.app_module} does not serve {WIDGETS_EXTENSION} (found {extensions}); "
                "install the test extras: pip install -e '.[lab,test]'",
                pytrace=False,
            )
        yield server
    finally:
        server.stop()
        if not os.environ.get("BPW_KEEP_LAB_DIR"):
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium(chromium_executable):
    """One headless Chromium for the whole session (one Playwright per session: a second cannot start inside it)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[test]'", pytrace=False)
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=chromium_executable, args=list(CHROMIUM_FLAGS), headless=True
            )
            problem = None
        except Exception as error:  # playwright.sync_api.Error: the binary did not start
            problem = f"Chromium at {chromium_executable} did not start: {error}\n\n{HOW_TO_GET_CHROMIUM}"
        if problem:
            pytest.fail(problem, pytrace=False)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def lab_session(jupyter_server, chromium):
    """The session's headless Chromium (fresh profile) and one browser context for the whole session."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(PAGE_HELPERS_JS)
    session = LabSession(jupyter_server, context)
    try:
        yield session
    finally:
        session.discard_shared_tab()
        context.close()


@pytest.fixture
def offline_page(chromium):
    """A page of a fresh context that may load file:// URLs only: every other request is aborted and listed."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    outside: list[str] = []

    def only_files(route):
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    page = context.new_page()
    page.outside = outside  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def lab(request, lab_session, browser_artifact_dir):
    """Open notebooks in the shared JupyterLab; every notebook and kernel is closed after the test."""
    handle = Lab(lab_session, browser_artifact_dir)
    yield handle
    handle.close_all()
    if getattr(request.node, "bpw_failed", False):
        lab_session.discard_shared_tab()  # the next test starts from a freshly loaded JupyterLab


@pytest.fixture
def notebook7(request, lab_session, notebook7_server, browser_artifact_dir):
    """Like `lab`, but in Jupyter Notebook 7: each notebook opens in a page of its own."""
    handle = Lab(LabSession(notebook7_server, lab_session.context), browser_artifact_dir)
    yield handle
    handle.close_all()


@pytest.fixture
def window(lab, request):
    """The shared JupyterLab tab at the window size named by the test's parameter (restored afterwards)."""
    page = lab.session.shared_tab().page
    before = page.viewport_size
    width, height = SIZES[request.param]
    page.set_viewport_size({"width": width, "height": height})
    yield request.param
    if not page.is_closed() and before:
        page.set_viewport_size(before)
