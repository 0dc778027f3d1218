"""Secrets kept for the portal's own use (an OpenID Connect client secret, the SAML signing key):
encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`).

The key is SSO_ENCRYPTION_KEY when set (a Fernet key), else derived from SECRET_KEY, so a fresh
checkout needs nothing more. Changing it makes the stored secrets unreadable: admins then paste
the client secret again and the portal issues a new SAML certificate.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> Fernet:
    key = getattr(settings, "SSO_ENCRYPTION_KEY", "")
    if not key:
        digest = hashlib.sha256(b"engagedly-sso-secrets:" + settings.SECRET_KEY.encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    try:
        return Fernet(key)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "SSO_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64 bytes)."
        ) from exc


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode() if plaintext else ""


def decrypt(ciphertext: str) -> str:
    """The plaintext, or "" when there is none or the key has changed since it was stored."""
    if not ciphertext:
        return ""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        return ""
