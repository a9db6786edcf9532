#!/usr/bin/env python3
"""Third-party check of the key set: PyJWT verifies Intake's tokens from nothing but the published
metadata, for each asymmetric algorithm, and across a rotation made with `intake keys rotate`.

What a resource server elsewhere does: read /.well-known/oauth-authorization-server, fetch its
jwks_uri with PyJWKClient, and verify the token's signature, issuer, audience and expiry.

    pip install "pyjwt[crypto]"
    python3 scripts/jwks-check.py --bin .build/debug/intake

Exit status 0 when every check passes.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import jwt  # PyJWT

from intake_server import free_ports, serve


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def token(base, client_id, secret):
    request = urllib.request.Request(
        f"{base}/oauth2/token", data=b"grant_type=client_credentials",
        headers={"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode(),
                 "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["access_token"]


def verify(base, access_token, metadata):
    client = jwt.PyJWKClient(metadata["jwks_uri"], cache_keys=False)
    key = client.get_signing_key_from_jwt(access_token)
    header = jwt.get_unverified_header(access_token)
    claims = jwt.decode(access_token, key, algorithms=[header["alg"]], audience=base, issuer=metadata["issuer"],
                        options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]})
    return header, claims


def check(binary, algorithm, workdir):
    [port] = free_ports(1)
    base = f"http://127.0.0.1:{port}"
    database = os.path.join(workdir, f"{algorithm}.sqlite")
    credentials = json.loads(subprocess.check_output(
        [binary, "clients", "create", "--name", "jwks", "--json", "--database", database]))
    log = open(os.path.join(workdir, f"{algorithm}.log"), "w")
    server = serve(binary, ["--port", str(port), "--database", database, "--signing-alg", algorithm,
                            "--no-bootstrap-client"], log, port)
    try:
        metadata = get_json(f"{base}/.well-known/oauth-authorization-server")
        assert metadata["issuer"] == base, metadata
        first = token(base, credentials["client_id"], credentials["client_secret"])
        header, claims = verify(base, first, metadata)
        assert header["alg"] == algorithm and claims["client_id"] == credentials["client_id"], (header, claims)

        rotated = json.loads(subprocess.check_output(
            [binary, "keys", "rotate", "--json", "--database", database]))
        deadline = time.time() + 5
        while True:
            second = token(base, credentials["client_id"], credentials["client_secret"])
            if jwt.get_unverified_header(second)["kid"] == rotated["kid"]:
                break
            assert time.time() < deadline, "the server did not sign with the new key within 5 s"
            time.sleep(0.1)
        verify(base, second, metadata)
        verify(base, first, metadata)  # the retiring key is still published and still verifies
        kids = [key["kid"] for key in get_json(metadata["jwks_uri"])["keys"]]
        assert kids == [rotated["kid"], header["kid"]], kids
        print(f"{algorithm}: PyJWT {jwt.__version__} verified tokens of kid {header['kid']} and, after rotation, {rotated['kid']}")
    finally:
        server.terminate()
        server.wait(10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/debug/intake")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        for algorithm in ["RS256", "ES256", "EdDSA"]:
            check(os.path.abspath(args.bin), algorithm, workdir)
    print("jwks-check: every token verified from the published key set")


if __name__ == "__main__":
    sys.exit(main())
