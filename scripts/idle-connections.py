#!/usr/bin/env python3
"""What idle connections cost the server, and whether it stays up under them.

Starts `intake serve` on a throwaway SQLite database, opens COUNT TCP connections that send nothing
(from ADDRESSES loopback source addresses, 127.0.1.1 and on, as that many hosts would), and reports: how many the server accepted and how many it refused (503), whether /health still
answers while they are held, the server's RSS before, while held, and after the idle timeout, and
how many the server had closed by then.

    python3 scripts/idle-connections.py --bin .build/release/intake --count 19000 --addresses 1
    python3 scripts/idle-connections.py --bin .build/release/intake --count 19000 --addresses 100
"""
import argparse, os, resource, socket, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from intake_server import rss_mb  # noqa: E402


def health(port):
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
            return answer.status, time.monotonic() - started
    except Exception as error:  # the point is to see whether it fails
        return repr(error), time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/release/intake")
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--idle-timeout", type=int, default=30)
    parser.add_argument("--port", type=int, default=18085)
    parser.add_argument("--addresses", type=int, default=1)
    parser.add_argument("--legacy", action="store_true", help="a binary without --idle-timeout and --no-bootstrap-client")
    options = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp()
    flags = ["--port", str(options.port), "--database", f"{work}/intake.sqlite"]
    if not options.legacy:
        flags += ["--no-bootstrap-client", "--idle-timeout", str(options.idle_timeout)]
    server = subprocess.Popen([options.bin, "serve", *flags], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if health(options.port)[0] == 200:
                break
            time.sleep(0.1)
        print(f"RSS before: {rss_mb(server.pid):.1f} MB")
        held, failed = [], 0
        for number in range(min(options.count, hard - 64)):
            source = f"127.0.1.{1 + number % options.addresses}"
            try:
                held.append(socket.create_connection(("127.0.0.1", options.port), timeout=5, source_address=(source, 0)))
            except OSError:
                failed += 1
        time.sleep(1)
        refused = 0
        for connection in held:
            connection.setblocking(False)
            try:
                if connection.recv(64).startswith(b"HTTP/1.1 503"):
                    refused += 1
            except BlockingIOError:
                pass
        status, seconds = health(options.port)
        print(f"opened {len(held)} idle connections ({failed} connect errors); {refused} answered 503 at once")
        print(f"while held: /health -> {status} in {seconds * 1000:.0f} ms; RSS {rss_mb(server.pid):.1f} MB")
        time.sleep(options.idle_timeout + 3)
        closed = 0
        for connection in held:
            try:
                if connection.recv(64) == b"":
                    closed += 1
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
        status, seconds = health(options.port)
        print(f"after {options.idle_timeout + 3} s: server closed {closed} of {len(held)}; /health -> {status}; RSS {rss_mb(server.pid):.1f} MB")
        for connection in held:
            connection.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
