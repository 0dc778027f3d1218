"""The identity providers an admin can pick under Settings > Integrations > HRIS.

Every provider uses the same SCIM endpoints (the server normalises each one's dialect at the
protocol boundary); what differs is where an admin pastes the base URL and token, the steps in
the provider's console, and the names it gives the attributes. The provider is a property of
the connection (Connection.provider); its page, steps and attribute table follow from it.
"""

from dataclasses import dataclass

ENTERPRISE = "enterprise extension"


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    summary: str
    # Where the base URL and token go, as the credentials page says it.
    paste_hint: str
    # What the provider's "test" button is called, for the rotation guide.
    test_action: str
    # The provider's column in the attribute table, and its rows: (portal field, provider attribute, SCIM).
    attribute_column: str
    attributes: tuple[tuple[str, str, str], ...]
    mapping_note: str

    @property
    def steps_template(self) -> str:
        return f"integrations/includes/setup/{self.slug}.html"

    @property
    def logo_template(self) -> str:
        return f"integrations/includes/logos/{self.slug}.svg"


def _rows(*names: str) -> tuple[tuple[str, str, str], ...]:
    """The portal's fields, in order, beside the provider's names for them."""
    scim = (
        ("First Name", "<code>name.givenName</code>"),
        ("Last Name", "<code>name.familyName</code>"),
        ("Email", "<code>emails</code> (primary, else type “work”); also <code>userName</code>"),
        ("Job Title", "<code>title</code>"),
        ("Department", f"{ENTERPRISE} <code>department</code>"),
        ("Business Unit", f"{ENTERPRISE} <code>division</code>"),
        ("Manager", f"{ENTERPRISE} <code>manager.value</code>"),
        ("Location", "<code>addresses</code> (type “work” or primary) <code>locality</code>"),
        ("Employee ID", f"{ENTERPRISE} <code>employeeNumber</code>"),
    )
    return tuple((field, name, path) for (field, path), name in zip(scim, names, strict=True))


PROVIDERS: dict[str, Provider] = {
    provider.slug: provider
    for provider in (
        Provider(
            slug="okta",
            name="Okta",
            summary="Provision employees from Okta over SCIM 2.0.",
            paste_hint="Okta: Applications › your Engagedly app › Provisioning › Integration",
            test_action="Test Connector Configuration",
            attribute_column="Okta attribute",
            attributes=_rows(
                "First Name",
                "Last Name",
                "Email",
                "Title",
                "Department",
                "Division",
                "Manager ID (the manager’s email)",
                "City",
                "Employee Number",
            ),
            mapping_note="Okta sends these by default; you can add or change mappings in Okta’s "
            "<strong>To App</strong> attribute mappings.",
        ),
        Provider(
            slug="entra",
            name="Microsoft Entra ID",
            summary="Provision employees from Microsoft Entra ID (Azure AD) over SCIM 2.0.",
            paste_hint="Microsoft Entra admin center: Enterprise applications › your app › Provisioning › "
            "Admin Credentials (Tenant URL and Secret Token)",
            test_action="Test Connection",
            attribute_column="Entra ID attribute",
            attributes=_rows(
                "givenName",
                "surname",
                "mail (and userPrincipalName)",
                "jobTitle",
                "department",
                "companyName",
                "manager (sent as the manager’s email)",
                "city",
                "employeeId",
            ),
            mapping_note="Edit these under <strong>Provisioning › Mappings › Provision Microsoft Entra ID "
            "Users</strong>. Map <code>userPrincipalName</code> or <code>mail</code> to "
            "<code>userName</code>. Managers are linked by email, so map the manager to an expression "
            "that yields their email.",
        ),
        Provider(
            slug="onelogin",
            name="OneLogin",
            summary="Provision employees from OneLogin’s SCIM Provisioner app.",
            paste_hint="OneLogin: Applications › your SCIM Provisioner app › Configuration "
            "(SCIM Base URL and SCIM Bearer Token)",
            test_action="Enable (API Connection)",
            attribute_column="OneLogin field",
            attributes=_rows(
                "First Name",
                "Last Name",
                "Email",
                "Title",
                "Department",
                "Company",
                "Manager (its email, via a custom parameter)",
                "City",
                "Employee ID (custom parameter)",
            ),
            mapping_note="OneLogin builds each request from the app’s <strong>SCIM JSON Template</strong>; "
            "keep <code>userName</code> set to the email and add the enterprise extension for the fields "
            "below it.",
        ),
        Provider(
            slug="jumpcloud",
            name="JumpCloud",
            summary="Provision employees from JumpCloud’s Identity Management (SCIM) integration.",
            paste_hint="JumpCloud: SSO Applications › your app › Identity Management › Configuration "
            "(Base URL and Token Key)",
            test_action="Test Connection",
            attribute_column="JumpCloud attribute",
            attributes=_rows(
                "firstname",
                "lastname",
                "email",
                "jobTitle",
                "department",
                "costCenter",
                "manager (sent as the manager’s email)",
                "location",
                "employeeIdentifier",
            ),
            mapping_note="JumpCloud sends its standard attributes; users are provisioned when you bind "
            "them (or their user groups) to the application.",
        ),
        Provider(
            slug="scim",
            name="Other SCIM 2.0",
            summary="Any identity provider or script that speaks SCIM 2.0 (RFC 7643 / 7644).",
            paste_hint="your identity provider’s SCIM or provisioning settings",
            test_action="its test or save button",
            attribute_column="Your provider’s attribute",
            attributes=_rows(*(["(your mapping)"] * 9)),
            mapping_note="Any SCIM 2.0 client works: <code>/Users</code> and <code>/Groups</code> with GET, "
            'POST, PUT, PATCH and DELETE, filters such as <code>userName eq "…"</code>, and a Bearer token.',
        ),
    )
}
DEFAULT = "okta"


def provider_get(slug: str) -> Provider | None:
    return PROVIDERS.get(slug)
