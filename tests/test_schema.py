"""The OpenAPI contract: committed, valid, complete, and what the server serves."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

COMMITTED = Path(settings.BASE_DIR) / "openapi.yaml"


@pytest.fixture(scope="module")
def committed() -> dict:
    return yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_served_schema_is_the_committed_one(client, committed):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content) == committed, "API changed: run `make openapi` and review openapi.yaml"


def test_spectacular_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_independent_validator_accepts_the_committed_schema(committed):
    validate(committed)


def test_every_operation_has_a_unique_id_a_summary_and_a_description(committed):
    ids = [operation["operationId"] for _, _, operation in operations(committed)]
    assert len(ids) == len(set(ids))
    for path, method, operation in operations(committed):
        assert operation.get("summary"), (method, path)
        assert operation.get("description"), (method, path)


def test_every_query_parameter_is_typed_and_described(committed):
    for path, method, operation in operations(committed):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            assert parameter.get("description"), (method, path, parameter["name"])
            assert "type" in parameter["schema"] or "$ref" in parameter["schema"], (method, path, parameter["name"])
            if parameter["name"] in ("as_of",):
                assert parameter["schema"] == {"type": "string", "format": "date"}


def test_error_responses_share_one_body(committed):
    expected = {"$ref": "#/components/schemas/Error"}
    for path, method, operation in operations(committed):
        for code in ("400", "401", "403", "429"):
            body = operation["responses"][code]["content"]["application/json"]["schema"]
            assert body == expected, (method, path, code)
        if "{" in path:
            assert "404" in operation["responses"], (method, path)
        if method in ("post", "put", "patch", "delete"):
            assert "409" in operation["responses"], (method, path)


def test_every_401_names_the_expected_scheme(committed):
    challenge = committed["components"]["headers"]["WWW-Authenticate"]
    assert challenge["schema"]["enum"] == ["Api-Key"]  # what SystemKeyAuthentication.authenticate_header answers
    for path, method, operation in operations(committed):
        unauthorized = operation["responses"]["401"]
        assert unauthorized["headers"] == {"WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}}
        assert "`Authorization: Api-Key <key>`" in unauthorized["description"], (method, path)


def test_writes_accept_json_only(committed):
    for path, method, operation in operations(committed):
        if "requestBody" in operation:
            assert set(operation["requestBody"]["content"]) == {"application/json"}, (method, path)


def test_enums_have_stable_names(committed):
    schemas = committed["components"]["schemas"]
    for name in ("PostRoleEnum", "OrganizationClassificationEnum", "DatePrecisionEnum", "DocumentKindEnum"):
        assert name in schemas


def test_unknown_address_is_a_json_404_with_debug_off(client):
    assert not settings.DEBUG
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_nul_byte_in_a_query_parameter_is_a_400(client):
    response = client.get("/api/v1/organizations/", {"q": "so\x00ngoai"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "q"


# --- what integrators' generated clients see ----------------------------------------------------------------------

LISTS_WITH_EXPORTS = {"people": "/api/v1/people/", "organizations": "/api/v1/organizations/"}
LISTS_WITH_EXPORTS |= {"posts": "/api/v1/posts/", "appointments": "/api/v1/appointments/"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The spreadsheet exports (the FollowTheMoney download, `ftm.jsonl`, sits beside them).
EXTENSIONS = (".csv", ".xlsx")


def test_a_json_operation_answers_one_content_type(committed):
    """A second 200 content type (text/csv) made generated clients type the list as a string."""
    for path, method, operation in operations(committed):
        # Files of their own: the exports, the schema, and the pictures (SVG, PDF), each a single 200 type too.
        if path.startswith("/api/v1/exports/") or path == "/api/v1/schema/" or path.endswith((".svg", ".pdf")):
            assert len(operation["responses"]["200"]["content"]) == 1, path
            continue
        for code, response in operation["responses"].items():
            assert set(response.get("content", {"application/json": None})) == {"application/json"}, (path, code)
        assert "format" not in {parameter["name"] for parameter in operation.get("parameters", [])}, (method, path)


def test_each_export_is_its_own_operation_with_the_lists_filters(committed):
    for records, list_path in LISTS_WITH_EXPORTS.items():
        listed = committed["paths"][list_path]["get"]
        filters = {p["name"] for p in listed["parameters"]} - {"page", "page_size", "expand"}
        for extension, media_type in (("csv", "text/csv"), ("xlsx", XLSX)):
            export = committed["paths"][f"/api/v1/exports/{records}.{extension}"]["get"]
            assert export["operationId"] == f"{records}_export_{extension}"
            assert export["tags"] == listed["tags"] == [records]
            assert set(export["responses"]["200"]["content"]) == {media_type}
            assert export["responses"]["200"]["content"][media_type]["schema"]["type"] == "string"
            assert set(export["responses"]["400"]["content"]) == {"application/json"}
            assert {p["name"] for p in export["parameters"]} == filters | {"Accept-Language"}
    exports = [path for path in committed["paths"] if path.startswith("/api/v1/exports/") and path.endswith(EXTENSIONS)]
    assert len(exports) == 2 * len(LISTS_WITH_EXPORTS)


def test_reads_declare_anonymous_access_first(committed):
    for path, method, operation in operations(committed):
        if method == "get" and not path.startswith("/api/v1/webhooks/"):
            assert operation["security"][0] == {}, (method, path)
            assert {"systemKey": []} in operation["security"], (method, path)
        else:
            assert {} not in operation["security"], (method, path)


#: Words of the code, not of the API: module paths, the database layer, settings' names, Python's literals and
#: docstring markup. A description says what the API does in words an integrator knows.
INTERNAL_WORDS = re.compile(
    r"selectors\.|services\.|prefetch|serializer|queryset|viewset|select_related|kwargs|\bself\.|``|\.py\b"
    r"|registry/|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\bNone\b|\bTrue\b|\bFalse\b|`[a-z_]+\.[a-z_]+`",
)


def descriptions(node, where=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary", "title") and isinstance(value, str):
                yield where, value
            yield from descriptions(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from descriptions(value, f"{where}/{index}")


def test_descriptions_are_written_for_integrators(committed):
    found = {where: INTERNAL_WORDS.findall(text) for where, text in descriptions(committed)}
    assert not {where: words for where, words in found.items() if words}


@pytest.mark.parametrize(
    "text", ["as prefetched by ``selectors.seat_prefetches``", "STALE_AFTER_DAYS", "True when", "the serializer"]
)
def test_the_internal_words_check_finds_them(text):
    assert INTERNAL_WORDS.search(text)
