"""`make bench`: the registry under gunicorn with production settings, against its floor, at two scales.

For each database (default: registry_bench_100 at scale 1.0, then registry_bench_010 at scale 0.1):
  1. create and fill it if it does not exist (`migrate`, then `generate_registry --scale S` into a new database that
     is renamed into place only once full), otherwise `migrate` it (other branches add index migrations); ANALYZE;
  2. probe it in-process (bench/probe.py): pick the URLs from the data, count SQL queries and bytes per request,
     EXPLAIN (ANALYZE, BUFFERS) the slowest query of each registry endpoint;
  3. serve it with gunicorn (config/gunicorn.conf.py, 2 workers, DEBUG=0, rate limits out of reach) and the floor
     (bench/floor.py, plain `.values()` + JsonResponse views under /floor/) in the same server;
  4. drive wrk (2 threads, 8 connections, BENCH_DURATION seconds) at each registry URL and its floor URL.
Then prints the tables, the p50 growth between the scales and the plans of the three slowest registry endpoints, and
writes everything to bench/results/latest.json. Stops every server it started on exit, error or CTRL-C.

Options: bench/run.py --help. Environment: BENCH_DURATION (s per URL), BENCH_DATABASES, BENCH_PG, BENCH_PORT.
"""

# ruff: noqa: S603 - every command run here is built from fixed parts (no shell, no outside input)

import argparse
import datetime
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PY = sys.executable
DEFAULT_DATABASES = "100%=registry_bench_100:1.0,10%=registry_bench_010:0.1"
#: Far beyond what wrk can send: the run measures the views, not the rate limiter (there is no "off" setting).
NO_LIMIT = "1000000000/minute"
THREADS, CONNECTIONS, WORKERS = 2, 8, 2


@dataclass
class Database:
    label: str
    name: str
    scale: str | None  # "0.1", "1.0", "seeds" (load_seeds), or None: must exist already

    @classmethod
    def parse(cls, spec: str) -> "Database":
        label, _, rest = spec.partition("=")
        name, _, scale = rest.partition(":")
        if not label or not name:
            raise SystemExit(f"bench: --db wants LABEL=DATABASE[:SCALE], got {spec!r}")
        return cls(label, name, scale or None)


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- servers: started in their own process group, always stopped --------------------------------------------------

SERVERS: list[subprocess.Popen] = []


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        except ProcessLookupError:
            pass
    if server in SERVERS:
        SERVERS.remove(server)


def stop_all(*_) -> None:
    for server in list(SERVERS):
        stop(server)


def on_signal(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through the `finally` that stops the servers


# --- PostgreSQL ------------------------------------------------------------------------------------------------------


def admin_connection(pg: str) -> psycopg.Connection:
    return psycopg.connect(f"{pg}/postgres", autocommit=True)


def database_exists(pg: str, name: str) -> bool:
    with admin_connection(pg) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def execute_admin(pg: str, sql: str) -> None:
    with admin_connection(pg) as conn:
        conn.execute(sql)


def manage(env: dict, *args: str) -> None:
    say(f"manage.py {' '.join(args)}  ({env['DATABASE_URL'].rsplit('/', 1)[-1]})")
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(db: Database, pg: str, env_for) -> dict:
    """The database ready to serve: generated if missing (under a temporary name until full), migrated, analyzed."""
    generated = None
    if not database_exists(pg, db.name):
        if db.scale is None:
            raise SystemExit(f"bench: database {db.name} does not exist and no scale was given to generate it")
        building = f"{db.name}_building"
        execute_admin(pg, f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        execute_admin(pg, f'CREATE DATABASE "{building}"')
        env = env_for(building)
        started = time.monotonic()
        manage(env, "migrate", "--noinput", "-v0")
        if db.scale == "seeds":
            manage(env, "load_seeds")
        else:
            manage(env, "generate_registry", "--scale", db.scale)
        execute_admin(pg, f'ALTER DATABASE "{building}" RENAME TO "{db.name}"')
        generated = round(time.monotonic() - started, 1)
        say(f"{db.name} generated in {generated} s")
    env = env_for(db.name)
    manage(env, "migrate", "--noinput", "-v0")
    with psycopg.connect(f"{pg}/{db.name}", autocommit=True) as conn:
        conn.execute("ANALYZE")  # fresh planner statistics: plans of a just-filled database are otherwise guesses
    return {"generated_in_s": generated}


# --- the server and wrk ----------------------------------------------------------------------------------------------


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def get(url: str, timeout: float = 60) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own loopback server
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def serve(env: dict, log: Path, port: int) -> subprocess.Popen:
    if not port_is_free(port):
        raise SystemExit(f"bench: port {port} is in use (set BENCH_PORT)")
    command = [PY, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"]
    with log.open("ab") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    SERVERS.append(server)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited with {server.returncode}; see {log}")
        try:
            if get(f"http://127.0.0.1:{port}/readyz", timeout=5) == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"bench: gunicorn did not become ready in 90 s; see {log}")


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    say("wrk is missing: apt-get install -y wrk")
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if os.geteuid() != 0:
        install = ["sudo", *install]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run([*install[:-4], "update", "-qq"], check=True)
        subprocess.run(install, check=True)
    return shutil.which("wrk") or sys.exit("bench: wrk is still missing after apt-get install")


#: What each side asks for: the registry as served (kept answers reused), the registry rebuilding every answer
#: (`Cache-Control: no-cache`: the work of the views themselves), and the floor.
SIDES = {"registry": (), "rebuilt": ("Cache-Control: no-cache",), "floor": ()}


def drive(wrk: str, url: str, duration: int, headers: tuple[str, ...] = ()) -> dict:
    for _ in range(4):  # warm both workers; a non-200 is reported, not benchmarked blind
        status = get(url)
    command = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "30s"]
    for header in headers:
        command += ["-H", header]
    command += ["-s", str(BENCH / "report.lua"), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    return {
        "status": status,
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "requests": raw["requests"],
        "errors": {name: count for name, count in raw["errors"].items() if count},
    }


# --- one database ----------------------------------------------------------------------------------------------------


def bench_database(db: Database, args, wrk: str, env_for) -> dict:
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    if load_before > (os.cpu_count() or 1):
        say(f"!! load average {load_before:.1f} on {os.cpu_count()} CPUs: other work competes with the benchmark")
    prepared = prepare(db, args.pg, env_for)
    env = env_for(db.name)
    say(f"probing {db.name} in-process (queries, bytes, plans)")
    probe = subprocess.run(
        [PY, str(BENCH / "probe.py")], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if probe.returncode:
        sys.stderr.write(probe.stderr)
        raise SystemExit(f"bench: the probe failed on {db.name}")
    probed = json.loads(probe.stdout)
    if args.only:
        probed["endpoints"] = [e for e in probed["endpoints"] if any(o in e["name"] for o in args.only)]
    log = RESULTS / f"gunicorn-{db.name}.log"
    log.unlink(missing_ok=True)
    say(f"serving {db.name} on :{args.port} ({WORKERS} gunicorn workers); wrk {args.duration} s per URL")
    server = serve({**env, "GUNICORN_BIND": f"127.0.0.1:{args.port}"}, log, args.port)
    base = f"http://127.0.0.1:{args.port}"
    rows = []
    try:
        for endpoint in probed["endpoints"]:
            measured = {}
            for side, headers in SIDES.items():
                served = "floor" if side == "floor" else "registry"
                result = drive(wrk, base + endpoint[served], args.duration, headers)
                measured[side] = {"url": endpoint[served], **result, **endpoint[f"{served}_probe"]}
                say(f"  {endpoint['name']:<20} {side:<8} {result['rps']:>8.1f} req/s  p50 {result['p50_ms']} ms")
            floor_rps = measured["floor"]["rps"]
            rows.append(
                {
                    "name": endpoint["name"],
                    **measured,
                    "ratio": round(measured["registry"]["rps"] / floor_rps, 3) if floor_rps else None,
                    "rebuilt_ratio": round(measured["rebuilt"]["rps"] / floor_rps, 3) if floor_rps else None,
                }
            )
    finally:
        stop(server)
    return {
        "label": db.label,
        "database": db.name,
        "scale": db.scale,
        **prepared,
        "counts": probed["counts"],
        "picked": probed["picked"],
        "endpoints": rows,
        "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "elapsed_s": round(time.monotonic() - started, 1),
    }


# --- the report ------------------------------------------------------------------------------------------------------


def table(result: dict, duration: int) -> str:
    counts = ", ".join(f"{n:,} {name}" for name, n in result["counts"].items())
    lines = [
        f"\n== {result['label']}: {result['database']} ({counts})",
        f"   wrk {THREADS} threads, {CONNECTIONS} connections, {duration} s per URL; gunicorn {WORKERS} workers; "
        f"load average {result['load_average']['before']} before, {result['load_average']['after']} after",
        f"{'endpoint':<20} | {'reg req/s':>9} | {'p50 ms':>7} | {'p99 ms':>7} | {'rebuilt':>8} | {'p50 ms':>7} | "
        f"{'p99 ms':>7} | {'floor req/s':>11} | {'reg/floor':>9} | {'rebuilt/floor':>13} | {'queries':>7} | "
        f"{'bytes':>9} | {'sql ms':>6}",
        "-" * 160,
    ]
    for row in result["endpoints"]:
        reg, rebuilt, floor = row["registry"], row["rebuilt"], row["floor"]
        flags = []
        if reg.get("rows") == 0:
            flags.append("the registry's page is empty")
        if not reg["requests"]:
            flags.append(f"no registry request completed in {duration} s")
        if reg["status"] != 200 or reg["errors"]:
            flags.append(f"registry status {reg['status']} errors {reg['errors']}")
        if floor["status"] != 200 or floor["errors"]:
            flags.append(f"floor status {floor['status']} errors {floor['errors']}")
        queries = f"{reg['queries']}/{floor['queries']}"
        lines.append(
            f"{row['name']:<20} | {reg['rps']:>9.1f} | {reg['p50_ms']:>7.2f} | {reg['p99_ms']:>7.2f} | "
            f"{rebuilt['rps']:>8.1f} | {rebuilt['p50_ms']:>7.2f} | {rebuilt['p99_ms']:>7.2f} | "
            f"{floor['rps']:>11.1f} | {row['ratio'] or 0:>9.2f} | {row['rebuilt_ratio'] or 0:>13.2f} | "
            f"{queries:>7} | {reg['bytes']:>9,} | {reg['sql_ms']:>6.1f}"
            + (f"   !! {'; '.join(flags)}" if flags else "")
        )
    lines.append(
        "(reg: the registry as served, kept answers reused; rebuilt: every answer built for its request "
        "(Cache-Control: no-cache); reg/floor and rebuilt/floor: req/s over the floor's, 1.00 = as fast as plain "
        "Django; queries: of a rebuilt registry answer / of the floor; sql ms: SQL time of one rebuilt answer)"
    )
    return "\n".join(lines)


def growth(results: list[dict]) -> dict:
    """p50 of the first database over p50 of the last, per endpoint and side (how latency grows with the data)."""
    if len(results) < 2:
        return {}
    big, small = results[0], results[-1]
    grown = {}
    for row in big["endpoints"]:
        before = next((r for r in small["endpoints"] if r["name"] == row["name"]), None)
        grown[row["name"]] = {
            side: round(row[side]["p50_ms"] / before[side]["p50_ms"], 2) if before and before[side]["p50_ms"] else None
            for side in ("registry", "rebuilt")
        }
    return grown


def growth_table(results: list[dict], grown: dict) -> str:
    big, small = results[0]["label"], results[-1]["label"]
    lines = [f"\n== growth: p50({big}) / p50({small})", f"{'endpoint':<20} | {'registry':>8} | {'rebuilt':>8}"]
    for name, sides in grown.items():
        cells = [f"{sides[side] if sides[side] is not None else '-':>8}" for side in ("registry", "rebuilt")]
        lines.append(f"{name:<20} | " + " | ".join(cells))
    return "\n".join(lines)


def slowest_plans(result: dict, how_many: int = 3) -> str:
    """The plans of the slowest query of the ``how_many`` slowest registry endpoints that run SQL (the schema runs
    none: its time is Python's, and the table says so with 0 queries)."""
    with_sql = [row for row in result["endpoints"] if row["registry"].get("slowest_query")]
    ranked = sorted(with_sql, key=lambda row: row["rebuilt"]["p50_ms"], reverse=True)  # by the work, not the copy
    lines = [f"\n== the {how_many} slowest registry endpoints on {result['label']}: their slowest SQL query, EXPLAINed"]
    for row in ranked[:how_many]:
        query = row["registry"]["slowest_query"]
        lines.append(f"\n-- {row['name']} (rebuilt p50 {row['rebuilt']['p50_ms']} ms): {row['registry']['url']}")
        lines.append(f"   slowest query: {query['ms']} ms of {row['registry']['queries']} queries")
        lines.append(f"   {query['sql'][:600]}{' ...' if len(query['sql']) > 600 else ''}")
        lines += [f"   | {line}" for line in query.get("plan", [])]
        if query.get("seq_scans"):
            lines.append(f"   !! Seq Scan on {', '.join(query['seq_scans'])}")
    return "\n".join(lines)


def seq_scan_summary(results: list[dict]) -> str:
    found = [
        f"   {result['label']:<6} {row['name']:<20} Seq Scan on {', '.join(query['seq_scans'])}"
        for result in results
        for row in result["endpoints"]
        if (query := row["registry"].get("slowest_query")) and query.get("seq_scans")
    ]
    header = "\n== Seq Scans on appointments/posts/history/changes in the slowest query of each registry endpoint"
    return "\n".join([header, *(found or ["   none"])])


def describe_run() -> dict:
    def out(*command: str) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT).stdout.strip()
        except OSError:
            return ""

    return {
        "commit": out("git", "rev-parse", "HEAD"),
        "branch": out("git", "rev-parse", "--abbrev-ref", "HEAD"),
        "cpus": os.cpu_count(),
        "wrk": out("wrk", "-v").splitlines()[0] if out("wrk", "-v") else "",
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        action="append",
        help="LABEL=DATABASE[:SCALE], repeatable; SCALE is generate_registry's, or 'seeds' for load_seeds "
        f"(default, or BENCH_DATABASES comma-separated: {DEFAULT_DATABASES})",
    )
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "10")))
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8900")))
    parser.add_argument("--only", action="append", help="only endpoints whose name contains this (repeatable)")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args()
    specs = args.db or os.environ.get("BENCH_DATABASES", DEFAULT_DATABASES).split(",")
    args.databases = [Database.parse(spec.strip()) for spec in specs if spec.strip()]
    return args


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    RESULTS.mkdir(exist_ok=True)
    started = time.monotonic()
    wrk = ensure_wrk()
    key = secrets.token_urlsafe(50)  # a strong key: a weak one stops a production server at start-up

    def env_for(database: str) -> dict:
        """Production settings (as scripts/start and .ci/production set them), on plain HTTP over loopback."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "ENV_FILE": "/nonexistent",  # no .env: only what is set here
            "DJANGO_SETTINGS_MODULE": "bench.floor_settings",
            "DEBUG": "0",
            "SECRET_KEY": key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HTTPS_ONLY": "false",
            "DATABASE_URL": f"{args.pg}/{database}",
            "THROTTLE_ANON": NO_LIMIT,
            "THROTTLE_USER": NO_LIMIT,
            "ACCESS_LOG_LEVEL": os.environ.get("BENCH_ACCESS_LOG_LEVEL", "WARNING"),
            "GUNICORN_WORKERS": str(WORKERS),
            "BENCH_SEARCH": os.environ.get("BENCH_SEARCH", "nguyen van"),
        }

    results = []
    try:
        for db in args.databases:
            result = bench_database(db, args, wrk, env_for)
            results.append(result)
            print(table(result, args.duration), file=sys.stderr, flush=True)
    finally:
        stop_all()
    grown = growth(results)
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        **describe_run(),
        "settings": {"threads": THREADS, "connections": CONNECTIONS, "duration_s": args.duration, "workers": WORKERS},
        "databases": results,
        "growth_p50": grown,
        "elapsed_s": round(time.monotonic() - started, 1),
    }
    print("\n".join(table(result, args.duration) for result in results))
    if grown:
        print(growth_table(results, grown))
    print(slowest_plans(results[0]))
    print(seq_scan_summary(results))
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(
        f"\nwritten {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}; "
        f"whole run {report['elapsed_s']} s"
    )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        stop_all()
        say("interrupted: servers stopped")
        sys.exit(130)
