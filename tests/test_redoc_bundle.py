"""The docs pages reach no other host: ReDoc's bundle is served without its CDN logo, Swagger UI without the online
validator (registry/api/redoc_bundle.py, scripts/patch-redoc)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from registry.api.redoc_bundle import SIDECAR_BUNDLE, patched, write
from tests.helpers import NS

pytestmark = pytest.mark.django_db

SERVED = Path(settings.BASE_DIR) / "registry/static/registry/redoc/redoc.standalone.js"


def test_the_served_bundle_is_the_sidecars_without_its_outside_requests():
    served = SERVED.read_text(encoding="utf-8")
    assert served == patched(SIDECAR_BUNDLE.read_text(encoding="utf-8")), "run scripts/patch-redoc"
    assert "cdn.redoc.ly" not in served
    assert not served.rstrip().endswith(".map")


def test_the_script_writes_the_copy_that_is_served(tmp_path):
    write(str(tmp_path / "bundle.js"))
    assert (tmp_path / "bundle.js").read_bytes() == SERVED.read_bytes()


def test_a_bundle_that_changed_is_refused_rather_than_patched_blindly():
    with pytest.raises(ValueError, match="outside requests"):
        patched("console.log('a newer ReDoc');\n//# sourceMappingURL=redoc.standalone.js.map")


def test_the_redoc_page_loads_the_patched_bundle(api_client):
    html = api_client.get(reverse(f"{NS}:redoc")).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert len(scripts) == 1 and scripts[0].startswith("/static/registry/redoc/redoc.standalone"), scripts
    assert api_client.get(scripts[0]).status_code == 200


def test_swagger_ui_does_not_send_the_schema_to_the_online_validator(api_client):
    html = api_client.get(reverse(f"{NS}:docs")).content.decode()
    assert "validator.swagger.io" not in html
    assert re.search(r'"validatorUrl":\s*null', html), "Swagger UI would ask validator.swagger.io"
