"""The SCIM resource models this service speaks, its tolerance policy, and its discovery documents."""

from functools import cache
from typing import Annotated, Any, Union

from pydantic import Field, field_validator
from scim2_models import (
    URN,
    Address,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ComplexAttribute,
    Context,
    Entitlement,
    ETag,
    ExtensibleStringEnum,
    Extension,
    External,
    Filter,
    GroupMembership,
    Im,
    Patch,
    PhoneNumber,
    Photo,
    Reference,
    Resource,
    ResourceType,
    Role,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
    X509Certificate,
)
from scim2_models.annotations import CaseExact, Mutability, Required, Returned, Uniqueness

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


class ManagerReference(ComplexAttribute):
    # RFC 7643 §4.3 makes `value` the manager's SCIM id and `$ref` required. Okta's "Manager ID"
    # mapping and Entra ID send the manager's email and no `$ref`, so both are optional here
    # and `value` holds whatever the provider sent, compared case-insensitively.
    value: Annotated[str | None, CaseExact.false] = None
    ref: Annotated[str | None, Mutability.read_only] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    display_name: Annotated[str | None, Mutability.read_only] = None


class EnterpriseUser(Extension):
    __schema__ = URN(ENTERPRISE_SCHEMA)

    employee_number: str | None = None
    cost_center: str | None = None
    organization: str | None = None
    division: str | None = None
    department: str | None = None
    manager: ManagerReference | None = None

    @field_validator("manager", mode="before")
    @classmethod
    def _manager_as_string(cls, value: Any) -> Any:
        # Entra ID sends the manager as a bare string (RFC 7643 §4.3 wants an object).
        if isinstance(value, str):
            return {"value": value} if value.strip() else None
        return value


class PersonName(ComplexAttribute):
    formatted: str | None = None
    family_name: str | None = None
    given_name: str | None = None
    middle_name: str | None = None
    honorific_prefix: str | None = None
    honorific_suffix: str | None = None


class WorkType(ExtensibleStringEnum):
    """The one canonical type the portal stores; other values are accepted and read as "work"."""

    work = "work"


# The portal stores one email: a single "work" entry. `type` is writable because Entra ID writes
# it when `emails[type eq "work"].value` creates the entry (RFC 7644 §3.5.2.1). `primary` is not
# published: with one entry it says nothing, and the `primary: true` Okta sends is ignored like
# any unknown attribute.
class WorkEmail(ComplexAttribute):
    # A string here: the address is validated once, by the portal's own rules, when it is
    # written (employees.services; an invalid one is a 400 invalidValue), not a second time by
    # another library's rules on every parse.
    # Unique per organization, as userName is: a second employee with the address is a 409.
    value: Annotated[str | None, Uniqueness.server] = None
    type: WorkType | None = None


# Phone numbers and addresses keep every entry with its `type` (the one the profile shows in
# columns, the others as a list, see mapping). `primary` and `display` are not published: the
# shown entry is chosen by type, then primary, then order, and nothing else reads the flag, so
# storing it would only echo it back.
class StoredPhoneNumber(ComplexAttribute):
    value: str | None = None
    type: PhoneNumber.Type | None = None


class StoredAddress(ComplexAttribute):
    formatted: str | None = None
    street_address: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    type: Address.Type | None = None


class User(Resource[Any]):
    """The core User schema (RFC 7643 §4.1), every attribute as the portal stores it.

    /Schemas publishes exactly this: what a round trip keeps. Only emails (one address, the
    sign-in key) and the `primary`/`display` of phone numbers and addresses are narrower than the
    RFC; anything else a client sends is ignored per POLICY.
    """

    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    name: PersonName | None = None
    display_name: str | None = None
    nick_name: str | None = None
    profile_url: Reference[External] | None = None
    title: str | None = None
    user_type: str | None = None
    preferred_language: str | None = None
    locale: str | None = None
    timezone: str | None = None
    # Every employee is either active or not, so the schema says `active` always has a value
    # (a PATCH cannot "remove" it). Clients that omit it on create get true (see users.py).
    active: Annotated[bool | None, Required.true] = None
    # Okta sends a placeholder password on create; accepted so it validates, never stored.
    password: Annotated[str | None, Mutability.write_only, Returned.never] = None
    emails: list[WorkEmail] | None = None
    phone_numbers: list[StoredPhoneNumber] | None = None
    ims: list[Im] | None = None
    photos: list[Photo] | None = None
    addresses: list[StoredAddress] | None = None
    groups: Annotated[list[GroupMembership] | None, Mutability.read_only] = None
    entitlements: list[Entitlement] | None = None
    roles: list[Role] | None = None
    x509_certificates: list[X509Certificate] | None = None


class Member(ComplexAttribute):
    """A group member as stored: a user's id and its URI. RFC 7643 §4.2's optional `display`
    and `type` are not published: a membership has no label of its own to keep, and every
    member is a User. Clients may still send them; they are ignored."""

    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    ref: Annotated[
        Reference[Union["User", "Group"]] | None,  # type: ignore[type-arg]
        Mutability.immutable,
    ] = Field(None, serialization_alias="$ref", validation_alias="$ref")


class Group(Resource[Any]):
    """The core Group schema (RFC 7643 §4.2): a portal team."""

    __schema__ = URN(GROUP_SCHEMA)

    display_name: Annotated[str | None, Required.true] = None
    members: list[Member] | None = None


ScimUser = User[EnterpriseUser]
ScimGroup = Group

# Unknown attributes are ignored (RFC 7644 §3.3 leaves this to the provider; Okta sends custom
# attributes); Entra ID's remove-with-value and add-to-unmatched-filter are accepted.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)

REQUEST_CONTEXTS = {
    "POST": Context.RESOURCE_CREATION_REQUEST,
    "PUT": Context.RESOURCE_REPLACEMENT_REQUEST,
}


def _with_location(document: dict, location: str) -> dict:
    return {**document, "meta": {**document.get("meta", {}), "location": location}}


@cache
def _service_provider_config(max_results: int) -> dict:
    config = ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=max_results),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=True),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="OAuth Bearer Token",
                description="Authentication with the connection's token in the Authorization header.",
                primary=True,
            )
        ],
    )
    document = config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    document["meta"] = {"resourceType": "ServiceProviderConfig"}
    return document


def service_provider_config(*, base_url: str, max_results: int) -> dict:
    return _with_location(_service_provider_config(max_results), f"{base_url}/ServiceProviderConfig")


@cache
def _schemas() -> list[dict]:
    documents = []
    for model in (User, Group, EnterpriseUser):
        document = model.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        document["meta"] = {"resourceType": "Schema"}
        documents.append(document)
    return documents


def schemas(*, base_url: str, extra: tuple[dict, ...] = ()) -> list[dict]:
    """The fixed schemas, then `extra` (the organization's extension, when it has custom fields)."""
    return [_with_location(doc, f"{base_url}/Schemas/{doc['id']}") for doc in _schemas()] + list(extra)


def schema_attributes(urn: str) -> list[dict]:
    """The published attributes of the User schema or the enterprise extension (as in /Schemas)."""
    return next((doc["attributes"] for doc in _schemas() if doc["id"] == urn), [])


@cache
def _resource_types() -> list[dict]:
    documents = []
    for model in (ScimUser, ScimGroup):
        document = ResourceType.from_resource(model).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        document["meta"] = {"resourceType": "ResourceType"}
        documents.append(document)
    return documents


def resource_types(*, base_url: str, user_extensions: tuple[str, ...] = ()) -> list[dict]:
    """The resource types; `user_extensions` adds optional extensions of the organization to User."""
    documents = [_with_location(doc, f"{base_url}/ResourceTypes/{doc['id']}") for doc in _resource_types()]
    for document in documents:
        if document["id"] == "User" and user_extensions:
            added = [{"schema": urn, "required": False} for urn in user_extensions]
            document["schemaExtensions"] = [*document["schemaExtensions"], *added]
    return documents
