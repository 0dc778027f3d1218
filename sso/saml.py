"""SAML 2.0 Web SSO (SP side) with pysaml2: AuthnRequest by HTTP-Redirect, Response by HTTP-POST.

pysaml2 (with the xmlsec1 binary) verifies the XML signatures and checks the response's
destination, the assertion's audience, recipient, validity window and InResponseTo; the portal
adds what it cannot know: one organization's IdP metadata per configuration, a signed response
or assertion required, and a record of used assertion ids so a replay is refused.
"""

import datetime
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import requests
from authlib.common.security import is_secure_transport
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS

from . import crypto
from .identity import Identity, SsoRefused
from .models import SsoConfiguration

HTTP_TIMEOUT = 5
MAX_METADATA_BYTES = 1024 * 1024
CLOCK_SKEW_SECONDS = 60
CERTIFICATE_YEARS = 10

# Attribute names IdPs use: Okta's attribute statements as admins usually name them, and the
# claim URIs of Microsoft Entra ID / ADFS.
EMAIL_NAMES = (
    "email",
    "mail",
    "emailaddress",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
)
FIRST_NAMES = (
    "firstName",
    "givenName",
    "first_name",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
)
LAST_NAMES = (
    "lastName",
    "sn",
    "surname",
    "last_name",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
)


def ensure_signing_certificate(configuration: SsoConfiguration) -> None:
    """The portal's own key pair for this configuration, made once (self-signed, RSA 2048)."""
    if configuration.saml_sp_certificate and configuration.sp_private_key():
        return
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, f"Engagedly SSO {configuration.organization.slug}")]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * CERTIFICATE_YEARS))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    configuration.saml_sp_private_key_encrypted = crypto.encrypt(pem_key)
    configuration.saml_sp_certificate = certificate.public_bytes(serialization.Encoding.PEM).decode()


def fetch_metadata(url: str) -> str:
    if not is_secure_transport(url):
        raise SsoRefused("The metadata URL must use https.")
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise SsoRefused(f"The IdP metadata could not be read from {url}.") from exc
    if len(response.content) > MAX_METADATA_BYTES:
        raise SsoRefused("The IdP metadata is too large.")
    return response.text


def endpoints(configuration: SsoConfiguration, origin: str) -> dict:
    ids = {"public_id": configuration.public_id}
    return {
        "entity_id": origin + reverse("sso:saml-metadata", kwargs=ids),
        "acs_url": origin + reverse("sso:saml-acs", kwargs=ids),
    }


@contextmanager
def sp_client(configuration: SsoConfiguration, origin: str, *, with_idp: bool = True):
    """A pysaml2 client for this configuration (pysaml2 and xmlsec1 read keys from files)."""
    urls = endpoints(configuration, origin)
    with tempfile.TemporaryDirectory(prefix="sso-") as directory:
        key_file, cert_file = Path(directory) / "sp.key", Path(directory) / "sp.crt"
        key_file.write_text(configuration.sp_private_key())
        cert_file.write_text(configuration.saml_sp_certificate)
        key_file.chmod(0o600)
        settings = {
            "entityid": urls["entity_id"],
            "xmlsec_binary": shutil.which("xmlsec1"),
            "key_file": str(key_file),
            "cert_file": str(cert_file),
            "accepted_time_diff": CLOCK_SKEW_SECONDS,
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "endpoints": {"assertion_consumer_service": [(urls["acs_url"], BINDING_HTTP_POST)]},
                    # IdP-initiated sign-in (Okta's dashboard tile) sends a response nobody asked for.
                    "allow_unsolicited": True,
                    "authn_requests_signed": True,
                    "want_assertions_or_response_signed": True,
                    "name_id_format": NAMEID_FORMAT_EMAILADDRESS,
                }
            },
        }
        if with_idp:
            settings["metadata"] = {"inline": [configuration.saml_idp_metadata_xml]}
        config = SPConfig()
        try:
            config.load(settings)
        except Exception as exc:  # pysaml2 raises many types for unreadable metadata
            raise SsoRefused("The IdP metadata could not be read as SAML 2.0 metadata.") from exc
        yield Saml2Client(config=config)


def sp_metadata(configuration: SsoConfiguration, origin: str) -> str:
    with sp_client(configuration, origin, with_idp=False) as client:
        return create_metadata_string(None, config=client.config, valid=None).decode()


def _idp_entity_id(client: Saml2Client) -> str:
    idps = list(client.metadata.identity_providers())
    if len(idps) != 1:
        raise SsoRefused("The IdP metadata must describe exactly one identity provider.")
    return idps[0]


def idp_summary(configuration: SsoConfiguration) -> str:
    """The IdP's entity id, proving the metadata is usable."""
    ensure_signing_certificate(configuration)
    with sp_client(configuration, "https://check.invalid") as client:
        return _idp_entity_id(client)


def authn_request(configuration: SsoConfiguration, origin: str, *, relay_state: str = "") -> tuple[str, str]:
    """(request id, URL to send the browser to) for an SP-initiated sign-in."""
    with sp_client(configuration, origin) as client:
        request_id, info = client.prepare_for_authenticate(
            entityid=_idp_entity_id(client), relay_state=relay_state, binding=BINDING_HTTP_REDIRECT
        )
    return request_id, dict(info["headers"])["Location"]


def _first(ava: dict, names: tuple) -> str:
    lowered = {key.lower(): value for key, value in ava.items()}
    for name in names:
        values = lowered.get(name.lower())
        if values:
            return str(values[0])
    return ""


def parse_response(configuration: SsoConfiguration, origin: str, saml_response: str, *, outstanding: dict):
    """The verified identity, the assertion id and its expiry; SsoRefused with the reason otherwise."""
    with sp_client(configuration, origin) as client:
        try:
            response = client.parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding=outstanding
            )
        except Exception as exc:  # pysaml2 signals each failed check with its own exception type
            raise SsoRefused(f"The SAML response was refused: {_reason(exc)}.") from exc
        idp_entity_id = _idp_entity_id(client)
    if response is None or response.assertion is None:
        raise SsoRefused("The SAML response was refused: it carries no assertion.")
    if response.issuer() != idp_entity_id:
        raise SsoRefused("The SAML response was refused: it comes from another identity provider.")
    ava = response.ava or {}
    name_id = response.name_id.text.strip() if response.name_id is not None and response.name_id.text else ""
    email = _first(ava, EMAIL_NAMES) or (name_id if "@" in name_id else "")
    identity = Identity(
        subject=name_id,
        email=email,
        first_name=_first(ava, FIRST_NAMES),
        last_name=_first(ava, LAST_NAMES),
        attributes={key: values if len(values) != 1 else values[0] for key, values in ava.items()},
    )
    return identity, response.assertion.id, _not_on_or_after(response)


def _not_on_or_after(response) -> datetime.datetime:
    from saml2.time_util import str_to_time

    fallback = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    conditions = response.assertion.conditions
    if conditions is not None and conditions.not_on_or_after:
        parsed = str_to_time(conditions.not_on_or_after)
        if parsed:
            return datetime.datetime(*parsed[:6], tzinfo=datetime.UTC) + datetime.timedelta(
                seconds=CLOCK_SKEW_SECONDS
            )
    return fallback


def _reason(exc: Exception) -> str:
    name = type(exc).__name__
    text = str(exc)
    reasons = {
        "SignatureError": "its signature does not verify",
        "IncorrectlySigned": "its signature does not verify",
        "MissingSignature": "it is not signed",
        "ResponseLifetimeExceed": "it has expired (outside its validity window)",
        "ToEarly": "it is not valid yet (outside its validity window)",
        "UnsolicitedResponse": "it answers a sign-in that was not started here",
        "StatusError": "the identity provider reported an error",
        # pysaml2 finds no key for the response's Issuer in this organization's IdP metadata.
        "MissingKey": "it comes from another identity provider (issuer)",
        "VerificationError": "it does not verify",
    }
    if text == "Condition not OK":  # pysaml2: NotBefore / NotOnOrAfter make no valid window now
        return "it is outside its validity window (expired or not yet valid)"
    if "Signature missing" in text:
        return "it is not signed"
    if name in reasons:
        return reasons[name]
    if "AudienceRestrictions" in text:
        return "it is meant for another service provider (audience)"
    if "not signed" in text.lower() or "signature" in text.lower():
        return "it is not signed, or its signature does not verify"
    if "recipient" in text.lower() or "destination" in text.lower():
        return "it was sent to another address (recipient)"
    if "InResponseTo" in text or "outstanding" in text.lower():
        return "it answers a sign-in that was not started here"
    return "it failed verification"


def in_response_to(saml_response: str) -> str:
    """The InResponseTo of a posted (base64) Response, unverified: only to find the pending request."""
    import base64
    import binascii

    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(base64.b64decode(saml_response, validate=False))
    except (binascii.Error, ValueError, ElementTree.ParseError, Exception):
        return ""
    return str(root.get("InResponseTo") or "")[:100]
