"""The suite runs with kept answers on (tests/commits.py): a write inside a test's transaction bumps the revision when
its own transaction ends, as a commit would, so a kept answer never hides it; a rolled-back write bumps nothing."""

import pytest
from django.db import transaction

from registry.http import caching
from registry.models import RegistryRevision
from tests.helpers import detail_url, list_url

pytestmark = pytest.mark.django_db
PERSON = "phan-van-mai"


def number() -> int:
    return RegistryRevision.objects.get(pk=RegistryRevision.ONLY).number


def test_a_write_without_any_capture_is_seen_by_the_next_read(client, api_client, admin_user, settings):
    assert settings.ANSWER_CACHE_SECONDS > 0  # the production default, not turned off for the suite
    url = detail_url("person", PERSON)
    client.get(url)
    kept = client.get(url)  # answered from the kept copy
    api_client.force_authenticate(admin_user)
    before = number()
    assert api_client.patch(url, {"family_name": "Sau khi ghi"}, format="json").status_code == 200
    assert number() == before + 1
    assert client.get(url).json()["family_name"] == "Sau khi ghi" != kept.json()["family_name"]
    assert any(person["slug"] == PERSON for person in client.get(list_url("person") + "?search=Sau").json()["results"])


def test_a_rolled_back_transaction_bumps_nothing():
    before = number()
    with pytest.raises(RuntimeError), transaction.atomic():
        caching.bump_after_commit()
        raise RuntimeError
    assert number() == before
    with transaction.atomic():
        caching.bump_after_commit()
        caching.bump_after_commit()
    assert number() == before + 1
