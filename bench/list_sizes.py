"""Bytes and milliseconds of the heavy list pages, in process (not a test: figures for issue 14).

    DATABASE_URL=postgres://.../<db> SECRET_KEY=x python bench/list_sizes.py [--fill]

``--fill`` first writes rows shaped like the national registry (tests/test_query_plans.py ``fill``), plus duties,
legal basis and citations on every body. Run it with another checkout's code on the same database (``cd`` there, or
PYTHONPATH) to compare before and after.
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.test import Client  # noqa: E402

PAGES = [
    "/api/v1/organizations/?page_size=100",
    "/api/v1/appointments/?as_of=2024-06-01&page_size=100",
    "/api/v1/people/?q=nguyen%20van&page_size=100",
]


def decorate_bodies() -> None:
    from django.contrib.contenttypes.models import ContentType

    from registry.models import Citation, Document, Duty, Organization

    documents = list(Document.objects.all()[:3])
    body_type = ContentType.objects.get_for_model(Organization)
    for body in Organization.objects.all():
        body.legal_basis.add(*documents)
        Duty.objects.bulk_create(
            Duty(organization=body, order=n, text=f"Tham mưu, giúp Ủy ban nhân dân thành phố về lĩnh vực {n}. " * 4)
            for n in range(1, 9)
        )
        Citation.objects.bulk_create(
            Citation(content_type=body_type, object_id=body.pk, document=document, quote="Trích dẫn văn bản " * 6)
            for document in documents
        )


def measure(client: Client, url: str, runs: int = 7) -> tuple[int, float]:
    client.get(url)
    timings, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
        size = len(response.content)
    return size, statistics.median(timings)


def main() -> None:
    if "--fill" in sys.argv:
        from tests.test_query_plans import fill

        fill()
        decorate_bodies()
    client = Client(HTTP_HOST="localhost")
    for url in PAGES:
        size, ms = measure(client, url)
        print(f"{url:60} {size / 1024:8.1f} KB {ms:8.1f} ms")


if __name__ == "__main__":
    main()
