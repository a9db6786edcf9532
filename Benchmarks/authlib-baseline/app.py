"""A minimal Authlib (Flask) client-credentials token endpoint: the baseline scripts/load-authlib.sh
measures Intake against. One in-memory client, HTTP Basic, bearer tokens not stored.

    pip install authlib flask gunicorn
    BASELINE_CLIENT_ID=id BASELINE_CLIENT_SECRET=secret gunicorn -w 2 -b 127.0.0.1:18081 app:app
"""
import os

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from flask import Flask

CLIENT_ID = os.environ["BASELINE_CLIENT_ID"]
CLIENT_SECRET = os.environ["BASELINE_CLIENT_SECRET"]


class Client(ClientMixin):
    def get_client_id(self):
        return CLIENT_ID

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return scope or "events:write"

    def check_redirect_uri(self, redirect_uri):
        return False

    def check_client_secret(self, client_secret):
        return client_secret == CLIENT_SECRET

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "client_secret_basic"

    def check_response_type(self, response_type):
        return False

    def check_grant_type(self, grant_type):
        return grant_type == "client_credentials"


CLIENT = Client()
app = Flask(__name__)
server = AuthorizationServer(
    app, query_client=lambda client_id: CLIENT if client_id == CLIENT_ID else None,
    save_token=lambda token, request: None)
server.register_grant(grants.ClientCredentialsGrant)


@app.route("/oauth2/token", methods=["POST"])
def issue_token():
    return server.create_token_response()
