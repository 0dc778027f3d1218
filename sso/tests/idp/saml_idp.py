"""A SAML 2.0 identity provider for the test suite: pysaml2's IdP (Server) behind wsgiref.

Run as its own process (`python saml_idp.py --port N`). The suite registers service providers by
their metadata and people over HTTP (/_test/...), and tells it how to misbehave. Responses and
assertions are built and signed (RSA-SHA256, xmlsec1) by pysaml2; only the misbehaviours are
written here, on purpose: an unsigned response, one signed by a key not in the metadata, one
altered after signing, one for another audience, one already expired.
"""

import argparse
import datetime
import json
import shutil
import tempfile
from html import escape
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.authn_context import PASSWORD
from saml2.config import IdPConfig, SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

WORKDIR = Path(tempfile.mkdtemp(prefix="test-saml-idp-"))
state = {"sps": [], "users": {}, "mode": "ok", "base": "", "last_response": ""}

LOGIN_PAGE = """<!doctype html><html lang="en"><head><title>Test SAML IdP</title></head><body>
<h1>Test SAML IdP</h1><form method="post">{hidden}
<label for="email">IdP username</label><input id="email" name="idp_email" type="email">
<button type="submit">Sign in to the IdP</button></form></body></html>"""


def keypair(name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = WORKDIR / f"{name}.key", WORKDIR / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


KEYS = {"published": keypair("idp"), "stranger": keypair("stranger")}
OTHER_SP = "https://someone-else.example/sp"


def other_sp_metadata() -> str:
    """A service provider the IdP also knows, so a response can be addressed to its audience."""
    config = SPConfig()
    config.load(
        {
            "entityid": OTHER_SP,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [
                            ("https://someone-else.example/acs", BINDING_HTTP_POST)
                        ]
                    }
                }
            },
        }
    )
    return create_metadata_string(None, config=config, valid=None).decode()


def server(keys: str = "published", lifetime_minutes: int = 5, entity_id: str = "") -> Server:
    key_file, cert_file = KEYS[keys]
    base = state["base"]
    config = IdPConfig()
    config.load(
        {
            "entityid": entity_id or f"{base}/metadata",
            "xmlsec_binary": shutil.which("xmlsec1"),
            "key_file": key_file,
            "cert_file": cert_file,
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)]
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": lifetime_minutes},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_BASIC,
                        }
                    },
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                }
            },
            "metadata": {"inline": [other_sp_metadata(), *state["sps"]]},
        }
    )
    return Server(config=config)


def respond(user: dict, *, in_response_to, destination, sp_entity_id, relay_state=""):
    """An auto-posting HTML form carrying a signed Response, broken as the mode says."""
    mode = state["mode"]
    idp = server(
        keys="stranger" if mode == "wrong_key" else "published",
        lifetime_minutes=-10 if mode == "expired" else 5,
        # Another IdP's name on a response signed with this IdP's own (published) key.
        entity_id="https://other-idp.example/metadata" if mode == "wrong_issuer" else "",
    )
    signed = mode != "unsigned"
    xml = str(
        idp.create_authn_response(
            {
                "email": [user["email"]],
                "firstName": [user.get("first_name", "")],
                "lastName": [user.get("last_name", "")],
            },
            in_response_to=in_response_to,
            destination=destination,
            sp_entity_id=OTHER_SP if mode == "wrong_audience" else sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=user["email"]),
            authn={"class_ref": PASSWORD, "authn_auth": state["base"]},
            sign_response=signed,
            sign_assertion=signed,
        )
    )
    if mode == "tampered":
        xml = xml.replace(user["email"], state.get("mode_arg") or "someone.else@example.com")
    http = idp.apply_binding(BINDING_HTTP_POST, xml, destination, relay_state, response=True)
    state["last_response"] = xml
    return http["data"]


def sp_acs(idp: Server, sp_entity_id: str) -> str:
    return idp.metadata.assertion_consumer_service(sp_entity_id, BINDING_HTTP_POST)[0]["location"]


def form(environ) -> dict:
    size = int(environ.get("CONTENT_LENGTH") or 0)
    return {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}


def app(environ, start_response):
    path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}

    def reply(body, status="200 OK", content_type="text/html; charset=utf-8"):
        start_response(status, [("Content-Type", content_type)])
        return [body.encode() if isinstance(body, str) else body]

    if path == "/metadata":
        return reply(
            create_metadata_string(None, config=server().config, valid=None),
            content_type="application/samlmetadata+xml",
        )
    if path.startswith("/_test/") and method == "POST":
        data = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        if path == "/_test/sp":
            state["sps"].append(data["metadata"])
        elif path == "/_test/users":
            state["users"][data["email"].lower()] = data
        elif path == "/_test/mode":
            state["mode"], state["mode_arg"] = data["mode"], data.get("arg", "")
        return reply("{}", content_type="application/json")
    if path == "/sso/redirect":  # SP-initiated: the AuthnRequest by HTTP-Redirect, then a sign-in form
        fields = query if method == "GET" else form(environ)
        idp = server()
        request = idp.parse_authn_request(fields["SAMLRequest"], BINDING_HTTP_REDIRECT).message
        if method == "GET" or "idp_email" not in fields:
            hidden = "".join(
                f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items()
            )
            return reply(LOGIN_PAGE.format(hidden=hidden))
        user = state["users"].get(fields["idp_email"].lower())
        if user is None:
            return reply("Unknown user at the test IdP", status="403 Forbidden")
        args = idp.response_args(request)
        return reply(
            respond(
                user,
                in_response_to=args["in_response_to"],
                destination=args["destination"],
                sp_entity_id=args["sp_entity_id"],
                relay_state=fields.get("RelayState", ""),
            )
        )
    if path == "/idp-init":  # IdP-initiated: the dashboard tile, an unsolicited response
        fields = query if method == "GET" else {**query, **form(environ)}
        if "idp_email" not in fields:
            hidden = "".join(
                f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items()
            )
            return reply(LOGIN_PAGE.format(hidden=hidden))
        user = state["users"].get(fields["idp_email"].lower())
        if user is None:
            return reply("Unknown user at the test IdP", status="403 Forbidden")
        sp = fields["sp"]
        return reply(
            respond(
                user,
                in_response_to=None,
                destination=sp_acs(server(), sp),
                sp_entity_id=sp,
                relay_state=fields.get("RelayState", ""),
            )
        )
    return reply("not found", status="404 Not Found")


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    state["base"] = f"http://127.0.0.1:{port}"
    with make_server(
        "127.0.0.1", port, app, server_class=ThreadingServer, handler_class=QuietHandler
    ) as httpd:
        print(f"test SAML IdP on {state['base']}", flush=True)
        httpd.serve_forever()
