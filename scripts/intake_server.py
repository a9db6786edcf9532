"""What the Python checks in scripts/ share: free loopback ports, an `intake serve` they wait for,
and a process's resident memory.

    from intake_server import free_ports, rss_mb, serve
    port, admin_port = free_ports(2)
    server = serve(binary, ["--port", str(port), "--database", database], log, port)
    print(rss_mb(server.pid))
"""
import http.client
import socket
import subprocess
import sys
import time


def free_ports(count):
    """`count` distinct free loopback ports: each stays bound until all are chosen, so no two are the same."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def rss_mb(pid):
    """The resident memory of process `pid` in MiB, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def serve(binary, arguments, log, ready_port, ready_path="/health", timeout=30):
    """Starts `binary serve *arguments`, its output to the open file `log`, and returns the process
    once GET `ready_path` on `ready_port` answers 200. A server that stops first, or does not answer
    within `timeout` seconds, ends the check with its status and log rather than with a connection
    error at the check's first request."""
    process = subprocess.Popen([binary, "serve", *arguments], stdout=log, stderr=log)
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", ready_port, timeout=1)
        try:
            connection.request("GET", ready_path)
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.05)
    stopped = process.poll() is not None
    process.kill()
    process.wait()
    reason = f"stopped with status {process.returncode}" if stopped else f"did not answer {ready_path} within {timeout} s"
    with open(log.name) as output:
        sys.exit(f"intake serve {reason}:\n{output.read()}")
