"""Browser-test fixtures (registered for the whole suite by tests/conftest.py): a real Streamlit server on a free port over a demo database, driven by Debian's Chromium.

Screenshots go to test-artifacts/ (ignored by git) so a person can look at them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT, skip_or_fail

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url: str, env: dict[str, str] | None = None, script: Path | None = None):
        self.database_url = database_url
        self.script = script or ROOT / "dashboard.py"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = ARTIFACTS / f"streamlit-{self.port}.log"
        self.extra_env = env or {}
        self.proc: subprocess.Popen | None = None

    def start(self) -> Server:
        ARTIFACTS.mkdir(exist_ok=True)
        env = {**os.environ, "DATABASE_URL": self.database_url, "PYTHONPATH": str(ROOT), **self.extra_env}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless=true", "--server.fileWatcherType=none",
             "--browser.gatherUsageStats=false"],
            cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not become healthy in 60 s; see {self.log}")

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the server process so far (VmHWM), in MB."""
        if not self.proc:
            return 0.0
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")), 0)
        return round(kb / 1024, 1)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="session")
def e2e_database(tmp_path_factory, demo_bundle) -> str:
    """A SQLite demo database (demo users included) for the browser tests."""
    from syncstatus import db, ingest

    path = tmp_path_factory.mktemp("e2e_db") / "e2e.db"
    url = f"sqlite:///{path}"
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    ingest.import_bundle(engine, demo_bundle)
    try:
        from syncstatus.access import create_demo_users

        create_demo_users(engine)
    except ImportError:
        pass
    engine.dispose()
    return url


@pytest.fixture
def server(e2e_database):
    """A freshly started server per test: deep links must work on a cold server."""
    srv = Server(e2e_database).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@contextmanager
def fresh_page(browser, width: int = 1500, height: int = 1000):
    """A page in a new browser context (its own cookies and session) of the given viewport, closed after."""
    ctx = browser.new_context(viewport={"width": width, "height": height})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        ctx.close()


@pytest.fixture
def page(browser):
    with fresh_page(browser) as pg:
        yield pg


def wait_idle(page) -> None:
    """Wait until the app has finished its script run (never sleep)."""
    page.wait_for_selector(IDLE, state="attached", timeout=60_000)
    page.wait_for_function(
        "() => { const a = document.querySelector(\"[data-testid='stApp']\");"
        " return a && a.getAttribute('data-test-script-state') === 'notRunning'; }", timeout=60_000)


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, "the page shows a traceback"


def sign_in(page, username: str, password: str) -> None:
    """Sign in if the sign-in form is shown, and return once the page that was asked for has finished its run.

    Waits on what is drawn, not on the script state alone: right after a click the app still reports the
    previous run as finished, so "idle" straight after the click can come before the rerun has started.
    """
    form = page.get_by_text("Sign in to syncstatus")
    signed_in = page.get_by_role("button", name="Sign out")
    form.or_(signed_in).first.wait_for()
    if form.count():
        page.get_by_role("textbox", name="Username").fill(username)
        page.get_by_role("textbox", name="Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        form.wait_for(state="detached")  # only the run that signs in replaces the form
    wait_idle(page)
