#!/usr/bin/env python3
"""What large reads cost: stores COUNT events of about 900 kB each, then makes four concurrent
`GET /v2/events?limit=1000` reads and reports the server's peak RSS and what each answer weighed.

    python3 scripts/large-read.py --bin .build/release/intake --count 250
"""
import argparse, base64, json, subprocess, sys, tempfile, threading, time, urllib.request


def status(pid, field):
    with open(f"/proc/{pid}/status") as lines:
        for line in lines:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def call(url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return answer.read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/release/intake")
    parser.add_argument("--count", type=int, default=250)
    parser.add_argument("--port", type=int, default=18086)
    options = parser.parse_args()
    work = tempfile.mkdtemp()
    database = f"{work}/intake.sqlite"
    created = json.loads(subprocess.check_output(
        [options.bin, "clients", "create", "--name", "big", "--scope", "events:write events:read", "--json", "--database", database]))
    server = subprocess.Popen([options.bin, "serve", "--port", str(options.port), "--database", database],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{options.port}"
    try:
        for _ in range(100):
            try:
                call(base + "/health")
                break
            except OSError:
                time.sleep(0.1)
        basic = base64.b64encode(f"{created['client_id']}:{created['client_secret']}".encode()).decode()
        token = json.loads(call(base + "/oauth2/token", b"grant_type=client_credentials",
                                {"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"}))["access_token"]
        auth = {"Authorization": "Bearer " + token}
        blob = "x" * 900_000
        for number in range(options.count):
            event = {"event_type": "lead", "event_name": f"big-{number}", "source_id": "s", "fields": {"blob": blob}}
            call(base + "/v2/event", json.dumps(event).encode(), {**auth, "Content-Type": "application/json"})
        print(f"stored {options.count} events of ~900 kB; RSS {status(server.pid, 'VmRSS'):.0f} MB, peak so far {status(server.pid, 'VmHWM'):.0f} MB")
        sizes = []
        def read():
            sizes.append(len(call(base + "/v2/events?limit=1000", headers=auth)))
        threads = [threading.Thread(target=read) for _ in range(4)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(f"4 concurrent limit=1000 reads in {time.monotonic() - started:.1f} s: answers of {', '.join(f'{s / 1e6:.1f} MB' for s in sizes)}")
        print(f"peak RSS {status(server.pid, 'VmHWM'):.0f} MB (now {status(server.pid, 'VmRSS'):.0f} MB)")
    finally:
        server.terminate()
        server.wait(timeout=10)
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
