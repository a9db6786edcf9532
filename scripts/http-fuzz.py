#!/usr/bin/env python3
"""A flood of malformed requests: mutates valid token, event and read requests (bytes flipped,
cut, repeated; headers doubled, dropped or garbled; random bodies) and sends them over raw
sockets for SECONDS. Fails when the server dies, answers 500, or answers without a JSON body.

    python3 scripts/http-fuzz.py --bin .build/debug/intake --seconds 30 --seed 1
"""
import argparse, base64, json, random, socket, subprocess, sys, tempfile, time, urllib.request


def raw(port, data, timeout=3.5):
    connection = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        # Reset or closed by the server mid-request: a refusal, not a crash.
        return b""
    finally:
        connection.close()


def mutate(request, rng):
    data = bytearray(request)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.3 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.45 and data:
            del data[rng.randrange(len(data)):]
        elif choice < 0.6:
            line = rng.choice([b"Host: a\r\n", b"Content-Length: 99999999\r\n", b"Content-Length: -1\r\n",
                               b"Transfer-Encoding: chunked\r\n", b"Expect: 100-continue\r\n", b"Authorization: Bearer \xff\r\n",
                               b"Idempotency-Key: " + bytes(rng.randrange(33, 127) for _ in range(300)) + b"\r\n",
                               b"Content-Type: application/json; charset=\x00\r\n", b"X: " + b"y" * 9000 + b"\r\n"])
            position = data.find(b"\r\n") + 2
            data[position:position] = line
        elif choice < 0.8:
            start = data.find(b"\r\n\r\n") + 4
            if start >= 4:
                data[start:] = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
        else:
            data += data[: rng.randrange(len(data) + 1)]
    return bytes(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/debug/intake")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=18097)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    work = tempfile.mkdtemp()
    database = f"{work}/intake.sqlite"
    created = json.loads(subprocess.check_output(
        [options.bin, "clients", "create", "--name", "fuzz", "--scope", "events:write events:read", "--json", "--database", database]))
    server = subprocess.Popen([options.bin, "serve", "--port", str(options.port), "--database", database, "--no-bootstrap-client",
                               "--body-timeout", "2", "--idle-timeout", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{options.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        basic = base64.b64encode(f"{created['client_id']}:{created['client_secret']}".encode())
        form = b"grant_type=client_credentials"
        token = json.loads(raw(options.port, b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + basic
                               + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n" % len(form) + form)
                           .split(b"\r\n\r\n", 1)[1])["access_token"].encode()
        event = b'{"event_type":"lead","event_name":"n","source_id":"s","fields":{"a":[1,2,{"b":null}]}}'
        seeds = [
            b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + basic
            + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n" % len(form) + form,
            b"POST /v2/event HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
            + b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(event) + event,
            b"GET /v2/events?limit=5&source_id=s&since=2019-01-01T00:00:00Z HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + b"\r\n\r\n",
        ]
        sent, statuses, failures = 0, {}, []
        deadline = time.monotonic() + options.seconds
        while time.monotonic() < deadline:
            request = mutate(rng.choice(seeds), rng)
            answer = raw(options.port, request)
            sent += 1
            if server.poll() is not None:
                failures.append(f"the server exited ({server.returncode}) after request {sent}: {request[:200]!r}")
                break
            if not answer.startswith(b"HTTP/1.1 "):
                statuses["no answer"] = statuses.get("no answer", 0) + 1
                continue
            head, _, body = answer.partition(b"\r\n\r\n")
            status = int(head[9:12])
            statuses[status] = statuses.get(status, 0) + 1
            if status >= 500 and status != 503:
                failures.append(f"{status} for {request[:200]!r}")
            elif status >= 400 and not body.lstrip().startswith(b"{"):
                failures.append(f"{status} without a JSON body for {request[:200]!r}")
        print(f"sent {sent} malformed requests in {options.seconds:.0f} s; answers: {dict(sorted(statuses.items(), key=str))}")
        ok = urllib.request.urlopen(base + "/health", timeout=2).status == 200
        print("server alive:", ok)
        for failure in failures[:10]:
            print("FAIL", failure)
        return 1 if failures or not ok else 0
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
