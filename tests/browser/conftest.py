"""Browser tests: Debian's chromium driven by Playwright, against a gunicorn serving a freshly seeded database.

Nothing is downloaded at run time: the browser is /usr/bin/chromium (never `playwright install`), axe-core comes
from tests/browser/axe/node_modules (`npm ci` there). Without chromium the tests skip, unless REQUIRE_BROWSER=1
(CI: .ci/browser), which turns the skip into a failure.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "artifacts" / "screenshots"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The staff editor the admin tests log in as (username, password).
EDITOR = ("bientap", "bien-tap-2026!")
#: The ports these tests may use; BROWSER_TEST_PORT picks one.
PORTS = range(8850, 8900)


def require(condition: bool, reason: str) -> None:
    """Skip when a browser prerequisite is missing; fail instead when REQUIRE_BROWSER=1."""
    if condition:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    wanted = os.environ.get("BROWSER_TEST_PORT")
    for port in [int(wanted)] if wanted else PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 8850-8899")


@pytest.fixture(scope="package")
def other_origin() -> str:
    """A second loopback origin whose pages the site's CORS lets call the API (tests/browser/test_cors.py serves
    one there): a port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture(scope="package")
def site_env(tmp_path_factory, other_origin) -> dict:
    """The environment the site runs in; ``manage.py`` commands run with it reach the site's database."""
    database_url = os.environ.get("BROWSER_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('browser') / 'registry.sqlite3'}"
    )
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        # Production settings (DEBUG off) refuse a weak key and, unless told, plain HTTP.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS_ONLY": "false",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "CORS_ALLOWED_ORIGINS": other_origin,
    }


@pytest.fixture(scope="package")
def site(site_env):
    """The base URL of the site: gunicorn on a freshly seeded database, stopped after the browser tests.

    The database is BROWSER_DATABASE_URL when set (CI: a new, empty PostgreSQL database), else a new SQLite file.
    """
    require(CHROMIUM.exists(), f"{CHROMIUM} is not installed")
    port = free_port()
    env = site_env
    manage = [sys.executable, str(ROOT / "manage.py")]
    # S603: fixed argument lists of this project's own commands, no outside input.
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True, cwd=ROOT, env=env)  # noqa: S603
    subprocess.run([*manage, "load_seeds"], check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    # The admin's staff editor (tests/browser/test_admin_desk.py): staff, in the `editor` group, not a superuser.
    create_editor = (
        "from django.contrib.auth.models import Group, User; "
        f"user = User.objects.create_user({EDITOR[0]!r}, password={EDITOR[1]!r}, is_staff=True); "
        "user.groups.add(Group.objects.get(name='editor'))"
    )
    subprocess.run([*manage, "shell", "-v0", "-c", create_editor], check=True, cwd=ROOT, env=env)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/", timeout=2) as response:  # noqa: S310 - local test server
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the test server did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="package")
def browser(site):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev.txt installs it
        require(False, "the playwright package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Console:
    """Console errors and uncaught exceptions of a page, and failed requests."""

    def __init__(self, page):
        self.errors = []
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfailed", self._failed)
        page.on("response", self._static_missing)

    def _static_missing(self, response) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.errors.append(f"{response.status}: {response.url}")

    def _failed(self, request) -> None:
        # A request the browser cancels itself (its lazy favicon fetch when the page moves on) is no failure.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.errors.append(f"request failed: {request.url} ({request.failure})")


@pytest.fixture
def open_page(browser, site):
    """open_page(path, width=1366) -> (page, console): a page in a fresh context, loaded."""
    contexts = []

    def open_(path: str, width: int = 1366, height: int = 900, bypass_csp: bool = False):
        # bypass_csp: only for injecting test tooling (axe-core) that the pages' own policy rightly refuses.
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="vi-VN", bypass_csp=bypass_csp
        )
        contexts.append(context)
        page = context.new_page()
        console = Console(page)
        page.goto(f"{site}{path}")
        return page, console

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="package")
def axe_source() -> Path:
    require(AXE.exists(), f"{AXE} is missing (run `npm ci` in tests/browser/axe)")
    return AXE
