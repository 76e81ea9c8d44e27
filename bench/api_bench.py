"""Benchmark the main read endpoints in-process on a fresh, seeded database.

Usage: python bench/api_bench.py [--requests 200] [--database-url sqlite:////tmp/bench.sqlite3]
Prints, per endpoint, the median and 95th-percentile latency and the queries per request.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ENDPOINTS = [
    "/api/v1/organizations/",
    "/api/v1/organizations/?q=so%20ngoai%20vu",
    "/api/v1/organizations/ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te/chart/",
    "/api/v1/organizations/ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te/chart/?as_of=2025-12-15",
    "/api/v1/people/",
    "/api/v1/people/?q=nguyen%20van%20duoc",
    "/api/v1/posts/?organization=ubnd-tp-hcm&as_of=2024-12-13",
    "/api/v1/posts/?page_size=200",
    "/api/v1/appointments/?as_of=2024-12-13",
    "/api/v1/documents/",
    "/api/v1/relationships/",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint")
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in a temporary folder")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("HTTPS_ONLY", "false")  # the test client speaks plain HTTP
    os.environ.setdefault("ACCESS_LOG_LEVEL", "WARNING")
    # Measure the views, not the rate limiter.
    os.environ.setdefault("THROTTLE_ANON", "100000000/minute")
    os.environ.setdefault("THROTTLE_USER", "100000000/minute")
    os.environ.setdefault("REQUEST_LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    call_command("load_seeds", stdout=open(os.devnull, "w"))  # noqa: SIM115
    # Keep one connection across requests (as a pooled server does) so queries can be counted per request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client(HTTP_HOST="localhost")
    print(f"database: {connection.vendor}; {args.requests} requests per endpoint")
    print(f"{'endpoint':<80} {'median ms':>9} {'p95 ms':>7} {'queries':>7}")
    for url in ENDPOINTS:
        connection.queries_log.clear()  # a full log (9,000 entries) would hide new queries
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        query_count = len(queries)
        timings = []
        for _ in range(args.requests):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{url:<80} {statistics.median(timings):>9.2f} {p95:>7.2f} {query_count:>7}")


if __name__ == "__main__":
    main()
