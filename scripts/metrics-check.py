#!/usr/bin/env python3
"""Third-party check of GET /metrics: Python's prometheus_client parses the Prometheus text of a
live `intake serve --admin-port`, before and after some traffic, and the counters must have moved
by what was sent; no client id, secret or path as sent may appear in any label.

    pip install prometheus_client requests
    python3 scripts/metrics-check.py --bin .build/debug/intake

Exit status 0 when every check passes.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import requests
from prometheus_client.parser import text_string_to_metric_families

from intake_server import free_ports, serve


def scrape(admin):
    response = requests.get(f"{admin}/metrics", timeout=10)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4"), response.headers
    families = list(text_string_to_metric_families(response.text))
    samples = {}
    for family in families:
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return families, samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/debug/intake")
    binary = os.path.abspath(parser.parse_args().bin)
    with tempfile.TemporaryDirectory() as workdir:
        database = os.path.join(workdir, "intake.sqlite")
        client = json.loads(subprocess.check_output(
            [binary, "clients", "create", "--name", "metrics", "--scope", "events:write events:read", "--json",
             "--database", database]))
        port, admin_port = free_ports(2)
        base, admin = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{admin_port}"
        log = open(os.path.join(workdir, "server.log"), "w")
        server = serve(binary, ["--port", str(port), "--admin-port", str(admin_port), "--database", database,
                                "--no-bootstrap-client"], log, admin_port, ready_path="/metrics")
        try:
            _, before = scrape(admin)

            auth = (client["client_id"], client["client_secret"])
            token = requests.post(f"{base}/oauth2/token", data={"grant_type": "client_credentials"}, auth=auth,
                                  timeout=10).json()["access_token"]
            wrong = requests.post(f"{base}/oauth2/token", data={"grant_type": "client_credentials"},
                                  auth=(client["client_id"], "wrong"), timeout=10)
            assert wrong.status_code == 401, wrong.text
            bad = requests.post(f"{base}/oauth2/token", data={"grant_type": "password"}, auth=auth, timeout=10)
            assert bad.status_code == 400, bad.text
            headers = {"Authorization": f"Bearer {token}"}
            event = {"event_type": "lead", "event_name": "metrics", "source_id": "check", "fields": {}}
            for _ in range(5):
                assert requests.post(f"{base}/v2/event", json=event, headers=headers, timeout=10).status_code == 201
            keyed = dict(headers, **{"Idempotency-Key": "metrics-check-1"})
            for _ in range(2):
                assert requests.post(f"{base}/v2/event", json=event, headers=keyed, timeout=10).status_code == 201
            requests.get(f"{base}/no/such/path-probe", timeout=10)

            families, after = scrape(admin)
            expected = [
                ("intake_token_requests_total", {"outcome": "issued"}, 1),
                ("intake_token_requests_total", {"outcome": "invalid_credentials"}, 1),
                ("intake_token_requests_total", {"outcome": "invalid_request"}, 1),
                ("intake_events_stored_total", {}, 6),
                ("intake_idempotent_replays_total", {}, 1),
                # Every post, the replay too, is one submission of some group commit.
                ("intake_group_commit_batch_size_sum", {"database": "sqlite"}, 7),
                ("intake_http_requests_total", {"route": "/v2/event", "method": "POST", "status": "201"}, 7),
            ]
            for name, labels, grown in expected:
                delta = value(after, name, **labels) - value(before, name, **labels)
                assert delta == grown, f"{name}{labels} grew by {delta}, expected {grown}"
            batches = [value(after, name, database="sqlite") - value(before, name, database="sqlite")
                       for name in ("intake_group_commit_batch_size_count", "intake_group_commit_duration_seconds_count")]
            assert 1 <= batches[0] <= 7 and batches[0] == batches[1], f"batches and commit times counted: {batches}"
            for name in ("process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                         "process_max_fds", "process_start_time_seconds", "intake_registered_clients"):
                assert value(after, name) > 0, f"{name} is missing or zero"
            for (name, labels), _ in after.items():
                for label, text in labels:
                    for secret in (client["client_id"], client["client_secret"], token, "path-probe"):
                        assert secret not in text, f"{secret!r} appears in {name} {label}"
            print(f"metrics-check: prometheus_client parsed {len(families)} metric families; "
                  f"{len(expected)} counters moved as expected")
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
