#!/usr/bin/env python3
"""What filtered reads of GET /v2/events cost on SQLite, and what they take from another partner's ingest.
Run by hand, not by CI.

Fills a database with --events events of one account ("reader": types lead and action, never
conversion; ten sources; created_at one a second, ending an hour ago), written straight into the
events table before the server starts (through the API it would take minutes). Then, with one server:
  (a) filtered reads (first page, limit 100) that match nothing and that match, --requests times
      each, one after another on one connection: median and p99 latency;
  (b) another account's ingest (wrk, scripts/wrk/event.lua, as scripts/load.sh runs it) alone, then
      while --readers threads repeat the reads of the first account that match nothing, and, to
      compare, while they repeat the cheapest read there is (?limit=1).
Targets: reads matching nothing at most 5 ms (median); the other ingest during the reads at least
0.8 of its rate alone.

    python3 scripts/filtered-reads.py                        # builds and uses the release binary
    python3 scripts/filtered-reads.py --bin .build/debug/intake --events 400000
    INTAKE_BIN=/path/to/intake python3 scripts/filtered-reads.py

Needs wrk (Debian package `wrk`).
"""
import argparse
import base64
import http.client
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

from intake_server import free_ports, serve

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def release_binary():
    subprocess.run(["swift", "build", "-c", "release", "--product", "intake"], cwd=ROOT, check=True, stdout=sys.stderr)
    path = subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, text=True).strip()
    return os.path.join(path, "intake")


def create_client(binary, database, name, account, scope):
    created = json.loads(subprocess.check_output(
        [binary, "clients", "create", "--name", name, "--account", account, "--scope", scope, "--json", "--database", database]))
    return created["client_id"], created["client_secret"]


def iso(milliseconds):
    return datetime.fromtimestamp(milliseconds / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def fill(database, client_id, count, end):
    """`count` events of account "reader", one a second (give or take 3 s, so a few arrive out of
    order) up to `end`, in one transaction."""
    fields = json.dumps({"email": "someone@example.com", "plan": "pro", "seats": 3}, separators=(",", ":"))
    start = end - count * 1000
    random.seed(7)

    def rows():
        for number in range(count):
            created = start + number * 1000 + random.randint(-3000, 3000)
            yield ("reader", client_id, "lead" if number % 3 else "action", "signup", f"src-{number % 10}", fields,
                   f"e-{number}", None, None, None, created, created + 50)

    db = sqlite3.connect(database)
    with db:
        db.executemany(
            """INSERT INTO events (account, client_id, event_type, event_name, source_id, fields, event_id, person_id,
                                   ga_client_id, affiliate_id, created_at, received_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows())
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return start


def token(port, client_id, secret):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    connection.request("POST", "/oauth2/token", "grant_type=client_credentials",
                       {"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
    answer = connection.getresponse()
    body = answer.read()
    connection.close()
    if answer.status != 200:
        sys.exit(f"token: {answer.status} {body!r}")
    return json.loads(body)["access_token"]


def get(connection, path, headers):
    connection.request("GET", path, headers=headers)
    answer = connection.getresponse()
    body = answer.read()
    if answer.status != 200:
        sys.exit(f"GET {path}: {answer.status} {body[:300]!r}")
    return body


def latencies(port, headers, path, requests):
    """Milliseconds of `requests` reads of `path` one after another (after three to warm up), and the
    number of events the first answer held."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    events = len(json.loads(get(connection, path, headers))["events"])
    for _ in range(2):
        get(connection, path, headers)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        get(connection, path, headers)
        times.append((time.perf_counter() - started) * 1000)
    connection.close()
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))], events


def wrk_rate(port, token_value, seconds, connections, threads):
    environment = dict(os.environ, INTAKE_TOKEN=token_value)
    output = subprocess.check_output(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", os.path.join(ROOT, "scripts/wrk/event.lua"),
         f"http://127.0.0.1:{port}/v2/event"], env=environment, text=True)
    if "Non-2xx" in output:
        sys.exit(f"wrk got errors:\n{output}")
    return float(output.split("Requests/sec:")[1].split()[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.environ.get("INTAKE_BIN"), help="the intake binary (default: build the release one)")
    parser.add_argument("--events", type=int, default=400_000)
    parser.add_argument("--requests", type=int, default=200, help="reads timed per filter")
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    binary = options.bin or release_binary()

    work = tempfile.mkdtemp()
    database = f"{work}/intake.sqlite"
    server = None
    try:
        reader_id, reader_secret = create_client(binary, database, "reader", "reader", "events:read events:write")
        writer_id, writer_secret = create_client(binary, database, "writer", "writer", "events:write")
        now = int(time.time() * 1000)
        started = time.monotonic()
        first = fill(database, reader_id, options.events, now - 3_600_000)
        print(f"{options.events} events of one account written in {time.monotonic() - started:.1f} s; binary {binary}")

        port, = free_ports(1)
        with open(f"{work}/server.log", "w") as log:
            server = serve(binary, ["--port", str(port), "--database", database], log, port)
        reader = {"Authorization": "Bearer " + token(port, reader_id, reader_secret)}
        writer_token = token(port, writer_id, writer_secret)

        count = options.events

        def back(events):  # created_at of the event that many from the newest
            return iso(now - 3_600_000 - events * 1000)

        def after_oldest(events):  # created_at of the event that many from the oldest
            return iso(first + events * 1000)

        nothing = [
            ("source_id nobody sent", "/v2/events?source_id=nope"),
            ("event_type none has", "/v2/events?event_type=conversion"),
            ("since tomorrow", f"/v2/events?since={iso(now + 86_400_000)}"),
        ]
        matching = [
            ("source_id (1/10 of them)", "/v2/events?source_id=src-3"),
            ("event_type (2/3 of them)", "/v2/events?event_type=lead"),
            ("source_id and event_type", "/v2/events?source_id=src-3&event_type=action"),
            ("since: the newest 1,000", f"/v2/events?since={back(1_000)}"),
            ("since: the newest 1/8", f"/v2/events?since={back(count // 8)}"),
            ("since: all", f"/v2/events?since={after_oldest(0)}"),
            ("since: all but the oldest 1/40", f"/v2/events?since={after_oldest(count // 40)}"),
            ("until: the oldest 1/4", f"/v2/events?until={after_oldest(count // 4)}"),
            ("since and until: 1/8 in the middle", f"/v2/events?since={back(count // 2)}&until={back(count // 2 - count // 8)}"),
        ]
        print(f"\n(a) GET latency, {options.requests} reads each, one after another; target for reads matching nothing: median <= 5 ms")
        print(f"{'read (first page, limit 100)':<40} {'events':>6} {'median ms':>10} {'p99 ms':>8}")
        worst_nothing = 0.0
        for label, path in nothing + matching:
            median, p99, events = latencies(port, reader, path, options.requests)
            if (label, path) in nothing:
                worst_nothing = max(worst_nothing, median)
            print(f"{label:<40} {events:>6} {median:>10.2f} {p99:>8.2f}")

        print(f"\n(b) another account's ingest: wrk {options.threads} threads, {options.connections} connections, {options.seconds} s")
        alone = wrk_rate(port, writer_token, options.seconds, options.connections, options.threads)

        def ingest_during_reads(paths):
            """The other account's ingest rate while --readers threads repeat `paths`, and their reads/s."""
            stop = threading.Event()
            reads = [0] * options.readers

            def read_loop(index):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                while not stop.is_set():
                    get(connection, paths[reads[index] % len(paths)], reader)
                    reads[index] += 1
                connection.close()

            threads = [threading.Thread(target=read_loop, args=(index,)) for index in range(options.readers)]
            for thread in threads:
                thread.start()
            time.sleep(1)
            counted = sum(reads)
            rate = wrk_rate(port, writer_token, options.seconds, options.connections, options.threads)
            read_rate = (sum(reads) - counted) / options.seconds
            stop.set()
            for thread in threads:
                thread.join()
            return rate, read_rate

        during, read_rate = ingest_during_reads([path for _, path in nothing])
        # The same readers asking for one unfiltered event: what the requests themselves take (HTTP,
        # tokens, JSON) on this machine's cores, whatever the query.
        control, control_rate = ingest_during_reads(["/v2/events?limit=1"])
        print(f"ingest alone                                 {alone:>7.0f} events/s")
        print(f"ingest during {options.readers} readers of filters matching nothing {during:>7.0f} events/s"
              f"  ({during / alone:.2f} of alone; target >= 0.80); {read_rate:.0f} reads/s")
        print(f"ingest during {options.readers} readers of ?limit=1 (control)       {control:>7.0f} events/s"
              f"  ({control / alone:.2f} of alone); {control_rate:.0f} reads/s")
        print(f"\nreads matching nothing: worst median {worst_nothing:.2f} ms: {'met' if worst_nothing <= 5 else 'MISSED'};"
              f" ingest during reads: {'met' if during >= 0.8 * alone else 'MISSED'}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
