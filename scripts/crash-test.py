#!/usr/bin/env python3
"""Crash test: every event acknowledged with a 2xx survives `kill -9` of the server, exactly once.

Posts events from many concurrent keep-alive connections, kills the server with SIGKILL mid-stream,
restarts it on the same database and reads every event back. Then re-sends a sample of the
acknowledged events with their Idempotency-Key, as a client retrying after the crash would, and
checks that nothing is stored twice.

    python3 scripts/crash-test.py --bin .build/debug/intake
    python3 scripts/crash-test.py --bin .build/release/intake --connections 64 --kill-after 5
    python3 scripts/crash-test.py --database "$INTAKE_TEST_POSTGRES_URL"     # on PostgreSQL

Exit status 0 when no acknowledged event is missing or duplicated. Standard library only.
"""
import argparse
import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from intake_server import free_ports, serve

SOURCE = f"crash-{uuid.uuid4().hex[:12]}"  # this run's events, even on a database used before


def fetch_token(port, client_id, secret):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    connection.request("POST", "/oauth2/token", "grant_type=client_credentials",
                       {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    assert response.status == 200, response.read()
    return json.loads(response.read())["access_token"]


def event_body(event_id):
    return json.dumps({"event_type": "lead", "event_name": "crash-test", "source_id": SOURCE,
                       "event_id": event_id, "fields": {"n": event_id}})


def post_event(connection, token, event_id):
    connection.request("POST", "/v2/event", event_body(event_id), {
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": event_id})
    response = connection.getresponse()
    response.read()
    return response


def sender(port, token, worker, acknowledged, stop):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = 0
    while not stop.is_set():
        event_id = f"{SOURCE}-w{worker}-{n}"
        n += 1
        try:
            response = post_event(connection, token, event_id)
        except (OSError, http.client.HTTPException):
            return  # the server is gone: whatever was not acknowledged may or may not be stored
        if response.status == 201:
            acknowledged.append(event_id)
        else:
            print(f"unexpected status {response.status} for {event_id}", file=sys.stderr)


def read_back(port, token):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    seen, cursor = [], None
    while True:
        path = f"/v2/events?source_id={SOURCE}&limit=1000" + (f"&after={cursor}" if cursor else "")
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        page = json.loads(response.read())
        assert response.status == 200, page
        seen.extend(event["event_id"] for event in page["events"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=".build/debug/intake")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--kill-after", type=float, default=3.0, help="seconds of load before SIGKILL")
    parser.add_argument("--database", help="a postgres:// URL; default: a new SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        database = args.database or os.path.join(workdir, "intake.sqlite")
        created = json.loads(subprocess.check_output(
            [args.bin, "clients", "create", "--name", "crash", "--scope", "events:write events:read", "--json",
             "--database", database]))
        [port] = free_ports(1)
        log = open(os.path.join(workdir, "server.log"), "w")
        server = serve(args.bin, ["--port", str(port), "--database", database], log, port)
        token = fetch_token(port, created["client_id"], created["client_secret"])

        acknowledged, stop = [], threading.Event()
        workers = [threading.Thread(target=sender, args=(port, token, i, acknowledged, stop))
                   for i in range(args.connections)]
        for worker in workers:
            worker.start()
        time.sleep(args.kill_after)
        server.send_signal(signal.SIGKILL)
        server.wait()
        stop.set()
        for worker in workers:
            worker.join()

        server = serve(args.bin, ["--port", str(port), "--database", database], log, port)
        try:
            # The signing key lives in the database, so the token from before the crash still works.
            stored = read_back(port, token)
            retried = acknowledged[:: max(1, len(acknowledged) // 200)]
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            replays = sum(post_event(connection, token, event_id).getheader("Idempotent-Replayed") == "true"
                          for event_id in retried)
            after_retry = read_back(port, token)
        finally:
            server.terminate()
            server.wait()

    counts = {}
    for event_id in after_retry:
        counts[event_id] = counts.get(event_id, 0) + 1
    missing = [e for e in acknowledged if e not in counts]
    duplicated = [e for e, c in counts.items() if c > 1]
    print(f"acknowledged {len(acknowledged)} events from {args.connections} connections in {args.kill_after:.1f} s, "
          f"then SIGKILL; stored after restart {len(stored)} (the extra {len(stored) - len(acknowledged)} "
          f"were in flight); retried {len(retried)}, replayed {replays}; "
          f"missing {len(missing)}, duplicated {len(duplicated)}")
    ok = acknowledged and not missing and not duplicated and replays == len(retried)
    print("crash test passed" if ok else "crash test FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
