import secrets
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from employees.models import Organization
from sso import settings_services
from sso.models import SsoConfiguration
from sso.tests.idp.harness import IdpProcess


@pytest.fixture(scope="session")
def oidc_idp():
    idp = IdpProcess("oidc_provider.py", "/.well-known/openid-configuration")
    yield idp
    idp.stop()


@pytest.fixture(scope="session")
def saml_idp():
    idp = IdpProcess("saml_idp.py", "/metadata")
    yield idp
    idp.stop()


@pytest.fixture(autouse=True)
def well_behaved_idps(request):
    """Each test starts with providers that behave; a test that breaks one says so itself."""
    yield
    for name in ("oidc_idp", "saml_idp"):
        if name in request.fixturenames:
            request.getfixturevalue(name).mode("ok")


def oidc_configure(
    idp, organization: Organization, *, origin="http://testserver", **options
) -> SsoConfiguration:
    """Register a client at the provider and save the organization's OpenID Connect settings."""
    client_id, secret = f"client-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    configuration, _ = SsoConfiguration.objects.get_or_create(organization=organization)
    redirect_uri = f"{origin}/sso/{configuration.public_id}/oidc/callback/"
    idp.admin(
        "/_test/clients", {"client_id": client_id, "client_secret": secret, "redirect_uris": [redirect_uri]}
    )
    return settings_services.sso_configuration_save(
        organization=organization,
        provider="okta",
        protocol="oidc",
        enabled=options.pop("enabled", True),
        sso_required=options.pop("sso_required", False),
        break_glass=options.pop("break_glass", []),
        oidc_issuer=idp.url,
        oidc_client_id=client_id,
        oidc_client_secret=secret,
        **options,
    )


def idp_user(idp, email: str, **fields) -> None:
    idp.admin(
        "/_test/users", {"email": email, "sub": fields.pop("sub", f"00u{secrets.token_hex(4)}"), **fields}
    )


def oidc_sign_in(client, configuration, email: str, *, query: str = ""):
    """The browser's round trip: portal start → the provider's sign-in form → back to the callback."""
    start = client.get(f"/sso/{configuration.public_id}/start/{query}")
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    fields = dict(parse_qsl(urlsplit(authorize).query))
    answer = httpx.post(authorize.split("?")[0], data={**fields, "idp_email": email}, timeout=10)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["location"])
    return client.get(f"{callback.path}?{callback.query}")
