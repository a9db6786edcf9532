#!/usr/bin/env python3
"""Third-party check of the token lifecycle: Authlib's OAuth 2.0 client (requests integration)
fetches a token by the client credentials grant, introspects it (RFC 7662) as itself and as a
resource server holding tokens:introspect, revokes it (RFC 7009), and sees it refused after,
against a live `intake serve`; the endpoints are found through the RFC 8414 metadata.

    pip install authlib requests
    python3 scripts/oauth-client-check.py --bin .build/debug/intake

Exit status 0 when every check passes.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import requests
from authlib.integrations.requests_client import OAuth2Session

from intake_server import free_ports, serve


def create_client(binary, database, scope):
    return json.loads(subprocess.check_output(
        [binary, "clients", "create", "--name", "authlib", "--scope", scope, "--json", "--database", database]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/debug/intake")
    binary = os.path.abspath(parser.parse_args().bin)
    with tempfile.TemporaryDirectory() as workdir:
        database = os.path.join(workdir, "intake.sqlite")
        partner = create_client(binary, database, "events:write events:read")
        resource_server = create_client(binary, database, "tokens:introspect")
        [port] = free_ports(1)
        base = f"http://127.0.0.1:{port}"
        log = open(os.path.join(workdir, "server.log"), "w")
        server = serve(binary, ["--port", str(port), "--database", database, "--no-bootstrap-client"], log, port)
        try:
            metadata = requests.get(f"{base}/.well-known/oauth-authorization-server", timeout=10).json()
            for name in ("token_endpoint", "introspection_endpoint", "revocation_endpoint"):
                assert metadata[name].startswith(base), (name, metadata)

            client = OAuth2Session(partner["client_id"], partner["client_secret"], token_endpoint_auth_method="client_secret_basic")
            token = client.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
            assert token["token_type"] == "Bearer" and token["expires_in"] == 3600, token
            access_token = token["access_token"]

            own = client.introspect_token(metadata["introspection_endpoint"], token=access_token).json()
            assert own["active"] is True and own["client_id"] == partner["client_id"], own
            assert own["scope"] == "events:write events:read", own

            api = OAuth2Session(resource_server["client_id"], resource_server["client_secret"],
                                token_endpoint_auth_method="client_secret_post")
            seen = api.introspect_token(metadata["introspection_endpoint"], token=access_token).json()
            assert seen["active"] is True and seen["sub"] == partner["client_id"], seen

            event = {"event_type": "lead", "event_name": "authlib", "source_id": "check", "fields": {}}
            sent = requests.post(f"{base}/v2/event", json=event, headers={"Authorization": f"Bearer {access_token}"}, timeout=10)
            assert sent.status_code == 201, sent.text

            revoked = client.revoke_token(metadata["revocation_endpoint"], token=access_token, token_type_hint="access_token")
            assert revoked.status_code == 200, revoked.text
            after = api.introspect_token(metadata["introspection_endpoint"], token=access_token).json()
            assert after == {"active": False}, after
            refused = requests.post(f"{base}/v2/event", json=event, headers={"Authorization": f"Bearer {access_token}"}, timeout=10)
            assert refused.status_code == 401 and "invalid_token" in refused.headers["WWW-Authenticate"], refused.headers
            print(f"oauth-client-check: Authlib {__import__('authlib').__version__} fetched, introspected and revoked a token")
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
