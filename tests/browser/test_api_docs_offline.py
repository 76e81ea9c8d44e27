"""The API's docs (Swagger UI, ReDoc) render in the browser from the registry's own files: no request leaves it."""

from urllib.parse import urlsplit

import pytest

#: What each docs page shows once it has rendered the schema: (path, a selector that appears then).
DOCS = {
    "swagger": ("/api/v1/docs/", ".swagger-ui .opblock"),
    "redoc": ("/api/v1/redoc/", "[data-section-id^='tag/']"),
}
#: Addresses a page may use that are no host at all (inline images, workers made from the page's own code).
LOCAL_SCHEMES = {"data", "blob", "about"}


@pytest.mark.parametrize("name", DOCS)
def test_the_api_docs_render_without_a_request_to_another_host(browser, site, name):
    path, rendered = DOCS[name]
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        requested, errors = [], []
        page.on("request", lambda request: requested.append(request.url))
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{site}{path}")
        page.wait_for_selector(rendered, timeout=30_000)
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    origin = urlsplit(site).netloc
    elsewhere = [
        url for url in requested if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).netloc != origin
    ]
    assert elsewhere == []
    assert any("/api/v1/schema/" in url for url in requested)  # it did render the registry's own schema
    assert any("/static/" in url for url in requested)  # from the registry's own copy of the bundle
    assert errors == []
