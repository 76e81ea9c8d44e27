"""The change feed at a million entries (PostgreSQL): one query per page, a range on the position index.

Fills an EMPTY registry database with synthetic feed entries (SQL generate_series, ~1 s per 100,000), then prints the
plan and time of a page read at the start, the middle and the end. Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/feed_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/feed_bench python bench/feed_at_scale.py [ENTRIES]
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

import django

django.setup()

from django.db import connection  # noqa: E402

from registry.changes import feed  # noqa: E402
from registry.models import Change  # noqa: E402

FILL = """
INSERT INTO registry_change (position, model, object_id, type, date, "user", reason, fields, data)
SELECT n, 'person', n, 'changed', now(), 'bench', '', '["name"]'::jsonb,
       jsonb_build_object('id', n, 'name', 'Người ' || n)
FROM generate_series(1, %s) AS n
"""


def main(entries: int) -> None:
    assert connection.vendor == "postgresql", "the feed's plan is a PostgreSQL question"
    if not Change.objects.exists():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FILL, [entries])
            cursor.execute("ANALYZE registry_change")
        print(f"filled {entries:,} entries in {time.perf_counter() - started:.1f} s")
    total = Change.objects.count()
    ordered = Change.objects.order_by("position").values_list("position", flat=True)
    middle, near_end = ordered[total // 2], ordered[max(total - 50, 0)]
    for label, position in (("first page", None), ("middle", middle), ("last page", near_end)):
        start = None if position is None else feed.Position(position)
        query = feed.page(start, 100)
        with connection.cursor() as cursor:
            sql, params = query.query.sql_with_params()
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
        started = time.perf_counter()
        for _ in range(20):
            feed.entries_after(start, 100)
        per_page = (time.perf_counter() - started) / 20 * 1000
        print(f"\n{label} (of {total:,} entries): {per_page:.2f} ms per page of 100, through the ORM")
        print("\n".join(f"  {line}" for line in plan))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
