"""The product's extension and the mapping overrides as pure functions: no HTTP, no database."""

import pytest
from django.core.exceptions import ValidationError

from employees.models import CustomField
from integrations.scim.custom import CUSTOM_SCHEMA, custom_patch, custom_split, custom_values
from integrations.scim.errors import ScimError
from integrations.scim.overrides import overrides_apply, path_resolve, path_validate

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
FIELDS = {
    "office": CustomField(key="office", label="Office", field_type="text"),
    "remote": CustomField(key="remote", label="Remote", field_type="boolean"),
}


def _patch(*operations):
    return {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": list(operations)}


def test_split_reads_nested_and_flat_forms_and_leaves_the_urn_out_of_schemas():
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", CUSTOM_SCHEMA.upper()],
        "userName": "a",
        CUSTOM_SCHEMA: {"office": "A"},
        f"{CUSTOM_SCHEMA}:remote": True,
    }
    rest, section = custom_split(body)
    assert rest == {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a"}
    assert section == {"office": "A", "remote": True}
    assert custom_split({"userName": "a"}) == ({"userName": "a"}, None)


def test_values_replace_clears_absent_active_fields_and_ignores_unknown_keys():
    assert custom_values({"OFFICE": " A ", "nope": 1}, FIELDS, replace=True) == {
        "office": "A",
        "remote": None,
    }
    assert custom_values({"remote": "no"}, FIELDS, replace=False) == {"remote": False}
    with pytest.raises(ScimError) as refused:
        custom_values({"remote": "perhaps"}, FIELDS, replace=False)
    assert refused.value.status == 400 and f"{CUSTOM_SCHEMA}:remote" in refused.value.detail


def test_patch_takes_out_the_extensions_operations_and_keeps_the_rest():
    payload = _patch(
        {"op": "Replace", "path": f"{CUSTOM_SCHEMA}:office", "value": "B"},
        {"op": "add", "value": {"title": "T", f"{CUSTOM_SCHEMA}:remote": True}},
        {"op": "remove", "path": "nickName"},
    )
    rest, section, touched = custom_patch(payload, {"office": "A"})
    assert touched and section == {"office": "B", "remote": True}
    assert rest["Operations"] == [
        {"op": "add", "value": {"title": "T"}},
        {"op": "remove", "path": "nickName"},
    ]
    untouched = _patch({"op": "replace", "path": "title", "value": "X"})
    assert custom_patch(untouched, {"office": "A"}) == (untouched, {"office": "A"}, False)


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("externalId", "externalId"),
        ("NAME.GIVENNAME", "name.givenName"),
        ('emails[type eq "home"].value', 'emails[type eq "home"].value'),
        (f"{ENTERPRISE}:manager.value", f"{ENTERPRISE}:manager.value"),
        (f"{CUSTOM_SCHEMA}:OFFICE", f"{CUSTOM_SCHEMA}:office"),
    ],
)
def test_path_validate_accepts_published_paths(typed, canonical):
    assert path_validate(typed, FIELDS) == canonical


def test_path_validate_refuses_the_unpublished():
    for path in ("meta.created", "id", "password", "name", "title.value", f"{CUSTOM_SCHEMA}:gone"):
        with pytest.raises(ValidationError):
            path_validate(path, FIELDS)


def test_resolve_and_apply_overrides():
    document = {
        "externalId": "00u1",
        "addresses": [{"type": "home", "locality": "Cork"}, {"type": "work", "locality": "Dublin"}],
        ENTERPRISE: {"manager": {"value": "m@x"}},
    }
    assert path_resolve('addresses[type eq "home"].locality', document, {}) == "Cork"
    assert path_resolve(f"{ENTERPRISE}:manager", document, {}) == "m@x"
    fields, values = overrides_apply(
        {"employee_number": "E-1", "location_city": "Dublin", "nick_name": "N", "email": "a@x"},
        {"office": "A"},
        overrides={
            "employee_number": "externalId",
            "location_city": f"{CUSTOM_SCHEMA}:office",
            "nick_name": "",
            "email": "",
            "custom:remote": "userType",
        },
        document={**document, "userType": "true"},
        section={"office": "HQ"},
        custom_fields=FIELDS,
    )
    assert fields == {"employee_number": "00u1", "location_city": "HQ", "email": "a@x"}
    assert values == {"office": "A", "remote": True}
