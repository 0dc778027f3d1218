import re
import secrets
from html import unescape
from urllib.parse import parse_qsl, urlencode, urlsplit

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


def saml_configure(idp, organization: Organization, client, *, origin="http://testserver", **options):
    """Save the organization's SAML settings from the IdP's metadata URL, and register the portal
    (its metadata, as served over HTTP) with the IdP."""
    configuration = settings_services.sso_configuration_save(
        organization=organization,
        provider=options.pop("provider", "okta"),
        protocol="saml",
        enabled=options.pop("enabled", True),
        sso_required=options.pop("sso_required", False),
        break_glass=options.pop("break_glass", []),
        saml_idp_metadata_url=f"{idp.url}/metadata",
        **options,
    )
    metadata_path = f"/sso/{configuration.public_id}/saml/metadata/"
    if origin == "http://testserver":
        metadata = client.get(metadata_path).content.decode()
    else:
        metadata = httpx.get(origin + metadata_path, timeout=10).text
    idp.admin("/_test/sp", {"metadata": metadata})
    return configuration


POSTED_FIELD = re.compile(r'name="(SAMLResponse|RelayState)"\s+value="([^"]*)"')
FORM_ACTION = re.compile(r'action="([^"]+)"')


def saml_posted_form(html: str) -> tuple[str, dict]:
    """The IdP's auto-posting form: where it posts, and what."""
    action = unescape(FORM_ACTION.search(html).group(1))
    return urlsplit(action).path, {name: unescape(value) for name, value in POSTED_FIELD.findall(html)}


def saml_idp_answer(client, configuration, email: str, *, query: str = ""):
    """SP-initiated up to the IdP's answer: (ACS path, posted fields), not yet posted."""
    start = client.get(f"/sso/{configuration.public_id}/start/{query}")
    assert start.status_code == 302, start.content
    location = start["Location"]
    fields = dict(parse_qsl(urlsplit(location).query))
    answer = httpx.post(location.split("?")[0], data={**fields, "idp_email": email}, timeout=10)
    assert answer.status_code == 200, answer.text
    return saml_posted_form(answer.text)


def saml_sign_in(client, configuration, email: str, *, query: str = ""):
    path, fields = saml_idp_answer(client, configuration, email, query=query)
    return client.post(path, fields)


def saml_idp_initiated_answer(idp, configuration, email: str, *, origin="http://testserver"):
    entity_id = f"{origin}/sso/{configuration.public_id}/saml/metadata/"
    answer = httpx.post(
        f"{idp.url}/idp-init?{urlencode({'sp': entity_id})}", data={"idp_email": email}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return saml_posted_form(answer.text)
