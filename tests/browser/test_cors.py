"""An integrator's page on another origin writes to the registry from the browser: CORS lets it read the ETag and
send If-Match and its API key; a stale tag is refused with 412.

The page is a small static file served by Python's http.server on a second loopback origin (``other_origin``,
which the site's CORS_ALLOWED_ORIGINS names); its script does the requests and the test reads what it saw.
"""

import functools
import http.server
import json
import re
import subprocess
import sys
import threading

import pytest

from tests.browser.conftest import ROOT

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>integrator</title></head>
<body><script>
window.results = (async () => {
  const site = SITE, key = KEY, seen = {};
  const list = await (await fetch(`${site}/api/v1/appointments/?page_size=1`)).json();
  const url = list.results[0].url;
  const read = await fetch(url, {headers: {Accept: 'application/json'}});
  seen.get = {status: read.status, etag: read.headers.get('ETag')};
  const write = (tag, note) => fetch(url, {
    method: 'PATCH',
    headers: {'Content-Type': 'application/json', 'If-Match': tag, 'Authorization': `Api-Key ${key}`},
    body: JSON.stringify({note: note, reason: 'CORS test'}),
  });
  const fresh = await write(seen.get.etag, 'Ghi chú từ trang khác');
  seen.patch = {status: fresh.status, etag: fresh.headers.get('ETag'), note: (await fresh.json()).note};
  const stale = await write(seen.get.etag, 'Ghi chú cũ');
  seen.stale = {status: stale.status, body: await stale.json()};
  return seen;
})().catch((error) => ({error: String(error)}));
</script></body></html>
"""


@pytest.fixture(scope="module")
def editor_key(site, site_env) -> str:
    """The API key of an editing system (create_system_account --group editor), on the site's database."""
    command = [sys.executable, str(ROOT / "manage.py"), "create_system_account", "cors-portal", "--group", "editor"]
    # S603: this project's own command with fixed arguments.
    output = subprocess.run(command, check=True, cwd=ROOT, env=site_env, capture_output=True, text=True).stdout  # noqa: S603
    return output.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def other_site(tmp_path_factory, other_origin, site, editor_key):
    """The integrator's page, served by http.server on the other origin."""
    folder = tmp_path_factory.mktemp("other-origin")
    page = PAGE.replace("SITE", json.dumps(site)).replace("KEY", json.dumps(editor_key))
    (folder / "index.html").write_text(page, encoding="utf-8")
    port = int(other_origin.rsplit(":", 1)[1])
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield other_origin
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_on_another_origin_reads_the_etag_and_writes_with_if_match(browser, other_site, site):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{other_site}/index.html")
    results = page.evaluate("window.results")
    context.close()
    assert "error" not in results, results
    assert results["get"]["status"] == 200
    assert re.fullmatch(r'"\d+"', results["get"]["etag"]), results  # the exposed header, readable cross-origin
    assert results["patch"]["status"] == 200, results
    assert results["patch"]["note"] == "Ghi chú từ trang khác"
    assert results["patch"]["etag"] != results["get"]["etag"]
    assert results["stale"]["status"] == 412, results
    assert results["stale"]["body"]["status"] == 412
    assert not errors


def test_an_origin_the_registry_does_not_name_cannot_read_its_answers(browser, site):
    """The same request from a page on an origin CORS does not allow fails in the browser (no header to let it)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto("about:blank")
    outcome = page.evaluate(
        "async (url) => { try { await fetch(url); return 'read'; } catch (error) { return 'refused'; } }",
        f"{site}/api/v1/people/nguyen-van-duoc/",
    )
    context.close()
    assert outcome == "refused"
