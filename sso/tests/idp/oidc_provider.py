"""An OpenID Connect provider for the test suite: Authlib's authorization server on Flask.

Run as its own process (`python oidc_provider.py --port N`); the suite registers clients and
people over HTTP (/_test/...) and tells it how to misbehave, to prove the portal refuses what a
broken or hostile provider sends. Everything a real provider does is Authlib's: the
authorization-code grant with PKCE (S256) and nonce, RS256-signed ID tokens, discovery, JWKS.
Only the misbehaviours are written here, on purpose, after Authlib built a correct token.
"""

import argparse
import base64
import json
import time
from html import escape

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

KID = "test-signing-key"
KEY = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
# Same key id, never published: a token signed with it must fail verification.
STRANGER_KEY = RSAKey.generate_key(2048, parameters={"kid": KID})

state = {"clients": {}, "users": {}, "codes": {}, "mode": "ok", "issuer": ""}
app = Flask(__name__)

LOGIN_PAGE = """<!doctype html><html lang="en"><head><title>Test IdP sign-in</title></head><body>
<h1>Test IdP</h1><form method="post" action="/authorize">{hidden}
<label for="email">IdP username</label><input id="email" name="idp_email" type="email">
<button type="submit">Sign in to the IdP</button></form></body></html>"""


class Client(ClientMixin):
    def __init__(self, client_id, client_secret, redirect_uris):
        self.client_id, self.client_secret, self.redirect_uris = client_id, client_secret, redirect_uris

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return scope

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class Code:
    def __init__(self, **fields):
        self.__dict__.update(fields)

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, req):
        data = req.payload.data
        state["codes"][code] = Code(
            code=code,
            client_id=req.client.client_id,
            redirect_uri=req.payload.redirect_uri,
            scope=req.payload.scope,
            user=req.user,
            nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            auth_time=int(time.time()),
        )

    def query_authorization_code(self, code, client):
        found = state["codes"].get(code)
        return found if found is not None and found.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code):
        state["codes"].pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return authorization_code.user


class IdToken(OpenIDCode):
    def exists_nonce(self, nonce, req):
        return False

    def resolve_client_private_key(self, client):
        return KEY

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": KID}

    def get_client_claims(self, client):
        return {"iss": state["issuer"], "aud": [client.client_id], "exp": int(time.time()) + 300}

    def generate_user_info(self, user, scope):
        return UserInfo(
            sub=user["sub"],
            email=user["email"],
            email_verified=True,
            given_name=user.get("given_name", ""),
            family_name=user.get("family_name", ""),
        )


server = AuthorizationServer(app, query_client=lambda client_id: state["clients"].get(client_id))
server.save_token = lambda token, req: None
server.register_grant(CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(id_token: str) -> dict:
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def misbehave(id_token: str, mode: str) -> str:
    """The ID token Authlib built, broken the way the suite asked."""
    claims = _claims(id_token)
    header = {"alg": "RS256", "kid": KID}
    key = KEY
    if mode == "wrong_audience":
        claims["aud"] = ["someone-else"]
    elif mode == "wrong_issuer":
        claims["iss"] = "https://evil.example"
    elif mode == "expired":
        claims["iat"], claims["exp"] = int(time.time()) - 3600, int(time.time()) - 600
    elif mode == "nonce_mismatch":
        claims["nonce"] = "not-the-nonce-you-sent"
    elif mode == "wrong_key":
        key = STRANGER_KEY
    elif mode == "unsigned":
        none_header = _b64(json.dumps({"alg": "none"}).encode())
        return f"{none_header}.{_b64(json.dumps(claims).encode())}."
    elif mode == "tampered":
        head, _, signature = id_token.split(".")
        claims["email"] = state["mode_arg"] or "someone.else@example.com"
        return f"{head}.{_b64(json.dumps(claims).encode())}.{signature}"
    return jwt.encode(header, claims, key)


@app.route("/.well-known/openid-configuration")
def discovery():
    issuer = state["issuer"]
    return jsonify(
        issuer=issuer,
        authorization_endpoint=f"{issuer}/authorize",
        token_endpoint=f"{issuer}/token",
        jwks_uri=f"{issuer}/jwks",
        response_types_supported=["code"],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=["RS256"],
        code_challenge_methods_supported=["S256"],
        token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
        scopes_supported=["openid", "email", "profile"],
    )


@app.route("/jwks")
def jwks():
    return jsonify(KeySet([KEY]).as_dict(private=False))


@app.route("/authorize", methods=["GET", "POST"])
def authorize():
    if request.method == "GET":
        grant = server.get_consent_grant(end_user=None)  # validates client, redirect URI, PKCE
        hidden = "".join(
            f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in request.args.items()
        )
        return LOGIN_PAGE.format(hidden=hidden) if grant else ("bad request", 400)
    user = state["users"].get(request.form.get("idp_email", "").lower())
    if user is None:
        return "Unknown user at the test IdP", 403
    return server.create_authorization_response(grant_user=user)


@app.route("/token", methods=["POST"])
def token():
    response = server.create_token_response()
    if state["mode"] != "ok" and response.status_code == 200:
        body = response.get_json()
        body["id_token"] = misbehave(body["id_token"], state["mode"])
        return jsonify(body)
    return response


@app.route("/_test/clients", methods=["POST"])
def add_client():
    data = request.get_json()
    state["clients"][data["client_id"]] = Client(
        data["client_id"], data["client_secret"], data["redirect_uris"]
    )
    return jsonify(ok=True)


@app.route("/_test/users", methods=["POST"])
def add_user():
    data = request.get_json()
    state["users"][data["email"].lower()] = data
    return jsonify(ok=True)


@app.route("/_test/mode", methods=["POST"])
def set_mode():
    data = request.get_json()
    state["mode"], state["mode_arg"] = data["mode"], data.get("arg", "")
    return jsonify(ok=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    state["issuer"] = f"http://127.0.0.1:{args.port}"
    app.run(host="127.0.0.1", port=args.port, threaded=True)
