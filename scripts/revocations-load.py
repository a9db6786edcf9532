#!/usr/bin/env python3
"""What a long revocation list costs two instances on one PostgreSQL.

Runs two `intake serve` instances (release build) on a fresh database of a throwaway cluster
(scripts/throwaway-postgres.sh), measures token and event rates with wrk on an empty list, then
stores ROWS revocations (900 clients, tokens living an hour) straight into the table, restarts
both instances and reports: how long each took to load the list, each one's RSS, the token and
event rates at the same point of a fresh start, whether any poll failed while a client minted and
revoked tokens as fast as it could, and how long a disabled client's token stayed valid on the
other instance; then the rates on an empty list once more, so that drift over the run shows.

    python3 scripts/revocations-load.py --bin .build/release/intake --rows 900000
"""
import argparse, base64, http.client, json, os, re, subprocess, sys, tempfile, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from intake_server import free_ports, rss_mb, serve  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def psql(url, sql):
    return subprocess.run(["psql", "-q", "-t", "-A", url, "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def wrk(url, script, seconds, env):
    output = subprocess.run(
        ["wrk", "-t2", "-c64", f"-d{seconds}s", "-s", os.path.join(HERE, "wrk", script), url],
        check=True, capture_output=True, text=True, env={**os.environ, **env}).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, int(non2xx.group(1)) if non2xx else 0


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body, headers or {})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def token(port, client):
    status, body = request(port, "POST", "/oauth2/token", "grant_type=client_credentials", {
        "Authorization": "Basic " + base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode(),
        "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, body
    return json.loads(body)["access_token"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/release/intake")
    parser.add_argument("--rows", type=int, default=900_000)
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run")
    options = parser.parse_args()
    cluster = subprocess.run([os.path.join(HERE, "throwaway-postgres.sh")], check=True, capture_output=True, text=True).stdout.strip()
    name = f"intake_revocations_{os.getpid()}"
    psql(cluster, f"CREATE DATABASE {name}")
    url = urllib.parse.urlunsplit(urllib.parse.urlsplit(cluster)._replace(path=f"/{name}"))
    work = tempfile.mkdtemp()

    def create_client(label):
        out = subprocess.run([options.bin, "clients", "create", "--name", label, "--scope", "events:write events:read",
                              "--json", "--database", url], check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    load, victim, churner = create_client("load"), create_client("victim"), create_client("churner")
    port_a, port_b = free_ports(2)
    env = {"INTAKE_BASIC": base64.b64encode(f"{load['client_id']}:{load['client_secret']}".encode()).decode()}

    def start(tag):
        started = time.monotonic()
        log_a, log_b = open(f"{work}/a-{tag}.log", "w"), open(f"{work}/b-{tag}.log", "w")
        flags = ["--database", url, "--no-bootstrap-client", "--issuer", "http://intake.test"]
        a = serve(options.bin, ["--port", str(port_a), *flags], log_a, port_a, timeout=120)
        b = serve(options.bin, ["--port", str(port_b), *flags], log_b, port_b, timeout=120)
        return a, b, time.monotonic() - started

    def rates(label):
        env["INTAKE_TOKEN"] = token(port_a, load)
        wrk(f"http://127.0.0.1:{port_a}/oauth2/token", "token.lua", 2, env)  # warm-up
        token_rate, token_bad = wrk(f"http://127.0.0.1:{port_a}/oauth2/token", "token.lua", options.seconds, env)
        event_rate, event_bad = wrk(f"http://127.0.0.1:{port_a}/v2/event", "event.lua", options.seconds, env)
        print(f"{label}: token {token_rate:,.0f}/s ({token_bad} non-2xx), event {event_rate:,.0f}/s ({event_bad} non-2xx)")
        return token_rate, event_rate

    def stop(*servers):
        for server in servers:
            server.terminate()
            server.wait()

    a, b, _ = start("empty")
    empty = rates("empty list")
    print(f"RSS with an empty list: A {rss_mb(a.pid):.0f} MB, B {rss_mb(b.pid):.0f} MB")
    stop(a, b)

    started = time.monotonic()
    psql(url, f"""
        INSERT INTO revoked_tokens (jti, client_id, expires_at, revoked_at, seq)
        SELECT substr(md5(g::text), 1, 22), 'bench-client-' || (g % 900), extract(epoch FROM now())::bigint + 3600,
               extract(epoch FROM now())::bigint, (SELECT version FROM revocations_version) + g
        FROM generate_series(1, {options.rows}) AS g;
        UPDATE revocations_version SET version = version + {options.rows};
    """)
    print(f"stored {options.rows:,} revocations in {time.monotonic() - started:.1f} s")

    a, b, took = start("full")
    print(f"both instances loaded the list and answered /health within {took:.1f} s; "
          f"RSS A {rss_mb(a.pid):.0f} MB, B {rss_mb(b.pid):.0f} MB")
    # Measured at the same point of a fresh start as the empty list was, before the churn below.
    full = rates(f"{options.rows:,} revocations")

    # A client minting and revoking its own tokens as fast as it can, through A, for 20 s.
    churned, deadline = 0, time.monotonic() + 20
    basic = "Basic " + base64.b64encode(f"{churner['client_id']}:{churner['client_secret']}".encode()).decode()
    while time.monotonic() < deadline:
        value = token(port_a, churner)
        status, _ = request(port_a, "POST", "/oauth2/revoke", "token=" + value,
                            {"Authorization": basic, "Content-Type": "application/x-www-form-urlencoded"})
        churned += status == 200
    kept = psql(url, "SELECT count(*) FROM revoked_tokens WHERE client_id = '%s'" % churner["client_id"])
    print(f"the churning client revoked {churned} tokens in 20 s ({kept} rows kept for it)")

    # A disable made through the CLI, seen by B.
    victim_token = token(port_a, victim)
    assert request(port_b, "GET", "/v2/events?limit=1", headers={"Authorization": f"Bearer {victim_token}"})[0] == 200
    disabled_at = time.monotonic()
    subprocess.run([options.bin, "clients", "disable", victim["client_id"], "--database", url], check=True, capture_output=True)
    while request(port_b, "GET", "/v2/events?limit=1", headers={"Authorization": f"Bearer {victim_token}"})[0] != 401:
        time.sleep(0.01)
        if time.monotonic() - disabled_at > 10:
            break
    print(f"a client disabled through the CLI was refused by B {time.monotonic() - disabled_at:.2f} s later")

    print(f"RSS with the list: A {rss_mb(a.pid):.0f} MB, B {rss_mb(b.pid):.0f} MB")
    stop(a, b)
    failures = sum(open(f"{work}/{side}-full.log").read().count("Could not read new revocations") for side in "ab")
    print(f"failed revocation reads in both logs: {failures}")

    # The empty list once more, so that drift over the run shows (and is averaged out).
    psql(url, "DELETE FROM revoked_tokens")
    a, b, _ = start("empty-again")
    again = rates("empty list again")
    stop(a, b)
    token_empty, event_empty = (empty[0] + again[0]) / 2, (empty[1] + again[1]) / 2
    print(f"rates with the list / empty (mean of before and after): token {full[0] / token_empty:.2f}, "
          f"event {full[1] / event_empty:.2f}")
    psql(cluster, f"DROP DATABASE {name}")


if __name__ == "__main__":
    main()
