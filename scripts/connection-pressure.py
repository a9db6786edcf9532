#!/usr/bin/env python3
"""Whether a partner still gets tokens while strangers hold idle connections from many hosts.

Starts `intake serve` on a throwaway SQLite database and makes a client, then holds COUNT silent
TCP connections from ADDRESSES loopback source addresses (127.0.2.1 and on, as that many hosts
would; each under the per-address limit), opening a new one whenever the server closes one, so the
pressure stays on. Meanwhile a partner from another address asks for REQUESTS tokens, each on a new
connection (the worst case: a pooled connection keeps its place anyway). Reports the share of 200s,
their latency, how many silent connections the server closed to make room, and how many log lines
the refusals cost.

    python3 scripts/connection-pressure.py --bin .build/release/intake --count 4800 --addresses 24
"""
import argparse, base64, http.client, json, os, resource, selectors, socket, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from intake_server import free_ports, serve  # noqa: E402


def token_request(port, credentials):
    """One token request on a connection of its own: (status or error, seconds)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=("127.0.3.1", 0))
    try:
        connection.request("POST", "/oauth2/token", "grant_type=client_credentials", {
            "Authorization": "Basic " + base64.b64encode(credentials.encode()).decode(),
            "Content-Type": "application/x-www-form-urlencoded"})
        status = connection.getresponse().status
    except OSError as error:
        status = type(error).__name__
    finally:
        connection.close()
    return status, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/release/intake")
    parser.add_argument("--count", type=int, default=4800)
    parser.add_argument("--addresses", type=int, default=24)
    parser.add_argument("--requests", type=int, default=500)
    options = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp()
    database = f"{work}/intake.sqlite"
    created = subprocess.run([options.bin, "clients", "create", "--name", "partner", "--json", "--database", database],
                             check=True, capture_output=True, text=True)
    client = json.loads(created.stdout)
    credentials = f"{client['client_id']}:{client['client_secret']}"
    (port,) = free_ports(1)
    log = open(f"{work}/server.log", "w")
    server = serve(options.bin, ["--port", str(port), "--database", database, "--no-bootstrap-client"], log, port)
    selector = selectors.DefaultSelector()
    opened = closed_by_server = 0

    def open_silent(number):
        nonlocal opened
        source = f"127.0.2.{1 + number % options.addresses}"
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
        except OSError:
            return
        connection.setblocking(False)
        selector.register(connection, selectors.EVENT_READ, number)
        opened += 1

    def reap_and_refill():
        """Connections the server closed (or answered 503) are replaced from the same address."""
        nonlocal closed_by_server
        for key, _ in selector.select(timeout=0):
            try:
                data = key.fileobj.recv(4096)
            except OSError:
                data = b""
            if data and not data.startswith(b"HTTP/1.1 503"):
                continue
            selector.unregister(key.fileobj)
            key.fileobj.close()
            closed_by_server += 1
            open_silent(key.data)

    try:
        for number in range(options.count):
            open_silent(number)
        reap_and_refill()
        print(f"silent connections held: {len(selector.get_map())} of {options.count} from {options.addresses} addresses")
        statuses, latencies = [], []
        for _ in range(options.requests):
            status, seconds = token_request(port, credentials)
            statuses.append(status)
            latencies.append(seconds)
            reap_and_refill()
        ok = statuses.count(200)
        latencies.sort()
        print(f"partner token requests: {ok}/{len(statuses)} answered 200 ({100 * ok / len(statuses):.1f} %); "
              f"others: {sorted(set(s for s in statuses if s != 200), key=str)}")
        print(f"latency: median {1000 * statistics.median(latencies):.1f} ms, "
              f"p99 {1000 * latencies[int(0.99 * (len(latencies) - 1))]:.1f} ms, max {1000 * latencies[-1]:.1f} ms")
        print(f"silent connections closed by the server and reopened: {closed_by_server}")
    finally:
        for key in list(selector.get_map().values()):
            key.fileobj.close()
        server.terminate()
        server.wait()
        log.close()
    with open(f"{work}/server.log") as output:
        refusal_lines = sum(1 for line in output if "Connections refused" in line)
    print(f"log lines about refused connections: {refusal_lines}")


if __name__ == "__main__":
    main()
