"""In-process half of `make bench` (bench/run.py runs it once per database, with the server's environment).

Picks the benchmarked URLs from the data (the body with the most posts, the person with the most appointments, a past
day in the middle of the appointments, a cursor in the middle of the change feed), then asks each URL, registry and
floor, through Django's test client: status, response size, SQL queries per request, and for registry URLs the
slowest query of a warm request with its EXPLAIN (ANALYZE, BUFFERS) plan. Prints one JSON object on stdout.
"""

import json
import os
import re
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.floor_settings")

import django

django.setup()

from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from registry import clock  # noqa: E402
from registry.changes import feed  # noqa: E402
from registry.models import Appointment, Change, Organization, Person, Post  # noqa: E402

#: Tables whose Seq Scan is a finding at national scale (they grow with the registry's history).
WATCHED_TABLE = re.compile(r"^registry_(appointment|post|change|historical\w+)$")
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
WARM_REQUESTS = 3


def pick() -> dict:
    """The records and days the URLs name, chosen from the data so every scale asks comparable questions."""
    body = Organization.objects.annotate(n=Count("posts")).order_by("-n", "id").values_list("slug", flat=True).first()
    person = Person.objects.annotate(n=Count("appointments")).order_by("-n", "id").values_list("slug", flat=True)
    starts = Appointment.objects.order_by("start_date", "id").values_list("start_date", flat=True)
    total = starts.count()
    past = starts[total // 2] if total else clock.today()
    if past >= clock.today():
        past = clock.today().replace(year=clock.today().year - 1)
    entries = feed.settled().order_by("position").values_list("position", flat=True)
    size = entries.count()
    cursor = feed.Position(entries[size // 2]).encode() if size else None
    return {
        "organization": body,
        "person": person.first(),
        "past_day": past.isoformat(),
        "today": clock.today().isoformat(),
        "search": os.environ.get("BENCH_SEARCH", "nguyen van"),
        "cursor": cursor,
    }


def endpoints(p: dict) -> list[dict]:
    """(name, path under /api/v1/ and /floor/): the same path and query on both sides."""
    q = urllib.parse.urlencode({"q": p["search"]})
    org, day = p["organization"], p["past_day"]
    paths = [
        ("organizations", "organizations/?page_size=100"),
        ("organization detail", f"organizations/{org}/"),
        ("chart today", f"organizations/{org}/chart/"),
        ("chart past day", f"organizations/{org}/chart/?as_of={day}"),
        ("posts as_of", f"posts/?as_of={day}&page_size=100"),
        ("appointments as_of", f"appointments/?as_of={day}&page_size=100"),
        ("person detail", f"people/{p['person']}/"),
        ("people search", f"people/?{q}"),
        ("changes mid-feed", f"changes/?cursor={p['cursor']}" if p["cursor"] else "changes/"),
        ("schema", "schema/"),
    ]
    return [{"name": name, "registry": f"/api/v1/{rest}", "floor": f"/floor/{rest}"} for name, rest in paths]


#: Asks for an answer built for this request, not a kept copy (registry/http/caching.py): the probe measures the work.
FRESH = {"HTTP_CACHE_CONTROL": "no-cache"}


def ask(client: Client, url: str) -> tuple[dict, list[dict]]:
    for _ in range(WARM_REQUESTS - 1):
        client.get(url, **FRESH)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **FRESH)
    body = response.content if not response.streaming else b"".join(response.streaming_content)
    sql_ms = round(sum(float(query["time"]) for query in captured) * 1000, 1)
    found = {"status": response.status_code, "bytes": len(body), "queries": len(captured), "sql_ms": sql_ms}
    if response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(body)
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            found["rows"] = len(data["results"])  # an empty page would benchmark nothing: the table says so
    return found, list(captured)


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def slowest(queries: list[dict]) -> dict | None:
    if not queries:
        return None
    query = max(queries, key=lambda q: float(q["time"]))
    found = {"sql": query["sql"], "ms": round(float(query["time"]) * 1000, 2)}
    if connection.vendor == "postgresql" and query["sql"].lstrip().upper().startswith("SELECT"):
        found["plan"] = explain(query["sql"])
        tables = [m.group(1) for line in found["plan"] for m in SEQ_SCAN.finditer(line)]
        found["seq_scans"] = sorted({t for t in tables if WATCHED_TABLE.match(t)})
    return found


def counts() -> dict:
    models = {"organizations": Organization, "posts": Post, "people": Person, "appointments": Appointment}
    found = {name: model.objects.count() for name, model in models.items()}
    found["changes"] = Change.objects.count()
    found["appointment history"] = Appointment.history.count()
    return found


def main() -> None:
    # One connection for every request (as gunicorn's persistent connections do), so queries are counted per request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client(HTTP_HOST="127.0.0.1")
    picked = pick()
    found = []
    for endpoint in endpoints(picked):
        registry, queries = ask(client, endpoint["registry"])
        registry["slowest_query"] = slowest(queries)
        floor, _ = ask(client, endpoint["floor"])
        found.append({**endpoint, "registry_probe": registry, "floor_probe": floor})
    json.dump({"vendor": connection.vendor, "picked": picked, "counts": counts(), "endpoints": found}, sys.stdout)


if __name__ == "__main__":
    main()
