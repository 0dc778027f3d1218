"""OpenID Connect, authorization-code flow with PKCE, state and nonce (OIDC Core 1.0 §3.1).

Authlib builds the authorization request and exchanges the code; joserfc (Authlib's JOSE
library) verifies the ID token's signature against the provider's published keys and checks its
issuer, audience, expiry and nonce. Nothing here parses or verifies a signature by hand.
"""

import secrets

import requests
from authlib.common.security import is_secure_transport
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749.errors import OAuth2Error
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from engagedly_portal.optional_redis import redis_call

from .identity import Identity, SsoRefused
from .models import SsoConfiguration

HTTP_TIMEOUT = 5
METADATA_CACHE_SECONDS = 3600
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
CLOCK_LEEWAY_SECONDS = 60


# The provider's documents are cached (the Redis cache when there is one); when Redis does not
# answer, a sign-in reads them from the provider instead of failing.
def _cached(key: str):
    return redis_call(lambda: cache.get(key), None, "read an OIDC document")


def _cache(key: str, value) -> None:
    redis_call(lambda: cache.set(key, value, METADATA_CACHE_SECONDS), None, "cache an OIDC document")


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SsoRefused(f"The identity provider did not answer at {url}.") from exc


def check_issuer_url(issuer: str) -> None:
    if not is_secure_transport(issuer):
        raise SsoRefused("The issuer URL must use https.")


def provider_metadata(issuer: str, *, fresh: bool = False) -> dict:
    """The provider's discovery document, checked to name the configured issuer (OIDC Discovery §4.3)."""
    check_issuer_url(issuer)
    key = f"sso:oidc-metadata:{issuer}"
    metadata = None if fresh else _cached(key)
    if metadata is None:
        metadata = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        if metadata.get("issuer") != issuer.rstrip("/") and metadata.get("issuer") != issuer:
            raise SsoRefused("The provider's discovery document names another issuer.")
        for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(metadata.get(endpoint), str) or not is_secure_transport(metadata[endpoint]):
                raise SsoRefused(f"The provider's discovery document lacks a usable {endpoint}.")
        _cache(key, metadata)
    return metadata


def _signing_keys(metadata: dict, *, fresh: bool = False) -> KeySet:
    key = f"sso:oidc-jwks:{metadata['jwks_uri']}"
    keys = None if fresh else _cached(key)
    if keys is None:
        keys = _get_json(metadata["jwks_uri"])
        _cache(key, keys)
    try:
        return KeySet.import_key_set(keys)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise SsoRefused("The provider's signing keys could not be read.") from exc


def _session(configuration: SsoConfiguration, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=configuration.oidc_client_id,
        client_secret=configuration.client_secret(),
        scope="openid email profile",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )


def authorization_request(
    configuration: SsoConfiguration, *, redirect_uri: str, login_hint: str = ""
) -> tuple:
    """The URL to send the browser to, and what the callback must check: (url, state, nonce, verifier)."""
    metadata = provider_metadata(configuration.oidc_issuer)
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    extra = {"login_hint": login_hint} if login_hint else {}
    url, _ = _session(configuration, redirect_uri).create_authorization_url(
        metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier, **extra
    )
    return url, state, nonce, verifier


def identity_from_callback(
    configuration: SsoConfiguration, *, redirect_uri: str, code: str, nonce: str, verifier: str
) -> Identity:
    """Exchange the code, verify the ID token, and return who signed in."""
    metadata = provider_metadata(configuration.oidc_issuer)
    try:
        token = _session(configuration, redirect_uri).fetch_token(
            metadata["token_endpoint"], code=code, code_verifier=verifier, timeout=HTTP_TIMEOUT
        )
    except (OAuth2Error, requests.RequestException, ValueError) as exc:
        raise SsoRefused("The identity provider refused to exchange the sign-in code.") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SsoRefused("The identity provider sent no ID token.")
    claims = verified_claims(configuration, metadata, id_token, nonce=nonce)
    return Identity(
        subject=str(claims["sub"]),
        email=_email(claims),
        first_name=str(claims.get("given_name") or ""),
        last_name=str(claims.get("family_name") or ""),
        attributes={k: v for k, v in claims.items() if k not in {"nonce", "at_hash"}},
    )


def _email(claims: dict) -> str:
    """The person's email: `email`, else Microsoft Entra ID's `preferred_username` (its UPN, an
    email address in most tenants) when the optional `email` claim is not configured."""
    email = str(claims.get("email") or "")
    if not email and "@" in str(claims.get("preferred_username") or ""):
        email = str(claims["preferred_username"])
    return email


def verified_claims(configuration: SsoConfiguration, metadata: dict, id_token: str, *, nonce: str) -> dict:
    """The ID token's claims once its signature, issuer, audience, expiry and nonce check out."""
    try:
        try:
            decoded = jwt.decode(id_token, _signing_keys(metadata), algorithms=SIGNING_ALGORITHMS)
        except JoseError:
            # The provider may have rotated its keys since they were cached: read them once more.
            decoded = jwt.decode(id_token, _signing_keys(metadata, fresh=True), algorithms=SIGNING_ALGORITHMS)
    except (JoseError, ValueError, TypeError) as exc:
        raise SsoRefused("The ID token's signature is missing or does not verify.") from exc
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": configuration.oidc_client_id},
        exp={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(decoded.claims)
    except JoseError as exc:
        claim = getattr(exc, "claim", "") or ""
        raise SsoRefused(f"The ID token was refused: {_claim_reason(exc, claim)}.") from exc
    audiences = decoded.claims["aud"] if isinstance(decoded.claims["aud"], list) else [decoded.claims["aud"]]
    if len(audiences) > 1 and decoded.claims.get("azp") != configuration.oidc_client_id:
        raise SsoRefused("The ID token was refused: it was issued to another party (azp).")
    return decoded.claims


def _claim_reason(exc: JoseError, claim: str) -> str:
    reasons = {
        "iss": "it comes from another issuer",
        "aud": "it was issued for another application (audience)",
        "exp": "it has expired",
        "nonce": "its nonce does not match this sign-in",
        "sub": "it names no subject",
    }
    if exc.error == "expired_token":
        return reasons["exp"]
    return reasons.get(claim, exc.description or exc.error)
