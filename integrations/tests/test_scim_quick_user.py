"""The plain-shape reader of User bodies gives what the typed model gives, or steps aside. Pure."""

import contextlib
import copy
import random

import pytest
from scim2_models import Context

from integrations.scim import mapping
from integrations.scim.errors import ScimError
from integrations.scim.parsing import normalise_user_body, resource_parse
from integrations.scim.quick_user import user_fields_quick
from integrations.scim.schemas import ENTERPRISE_SCHEMA, USER_SCHEMA, ScimUser

from .conftest import fixture

CONTEXTS = [Context.RESOURCE_CREATION_REQUEST, Context.RESOURCE_REPLACEMENT_REQUEST]


def typed(body: dict, context: Context):
    """What the typed model gives: (fields, active), or the ScimError it answers with."""
    try:
        user = resource_parse(ScimUser, body, context)
    except ScimError as exc:
        return exc
    return mapping.user_fields(user), user.active


def assert_same_or_declined(body: dict) -> bool:
    """Checks one body under both contexts; True when the quick reader took it."""
    body = normalise_user_body(body)
    quick = user_fields_quick(copy.deepcopy(body))
    for context in CONTEXTS:
        expected = typed(copy.deepcopy(body), context)
        if isinstance(expected, ScimError):
            assert quick is None, f"the model refuses ({expected.detail}) what the quick reader took: {body}"
        elif quick is not None:
            assert quick == expected, body
    return quick is not None


def okta_get_resource() -> dict:
    """What Okta PUTs back: the resource as GET rendered it, read-only attributes included."""
    body = fixture("okta_create_user.json")
    del body["password"], body["groups"], body["locale"]
    body.update(
        id="4182",
        meta={
            "resourceType": "User",
            "created": "2026-11-28T10:00:00Z",
            "lastModified": "2026-11-28T10:00:00Z",
            "location": "https://portal.example/scim/v2/abc/Users/4182",
            "version": 'W/"3"',
        },
        title="Regional Sales Manager",
        active=False,
    )
    return body


def test_okta_create_and_put_take_the_quick_path_with_the_model_s_result():
    assert assert_same_or_declined(fixture("okta_create_user.json"))
    assert assert_same_or_declined(okta_get_resource())
    fields, active = user_fields_quick(normalise_user_body(okta_get_resource()))
    assert (fields["job_title"], fields["manager_email"], active) == (
        "Regional Sales Manager",
        "helen.cho@example.com",
        False,
    )


def test_a_minimal_body_gets_its_email_from_the_user_name_as_the_model_path_does():
    body = {"schemas": [USER_SCHEMA], "userName": "ava@example.com", "active": True}

    assert assert_same_or_declined(body)
    assert assert_same_or_declined({**body, "userName": "ava"})  # no email at all: a derived one


def _mutations() -> list:
    """Single changes to Okta's create body: each is taken with the model's result, or declined."""
    ent = ENTERPRISE_SCHEMA
    return [
        lambda b: b.update(UserName=b.pop("userName")),
        lambda b: b.pop("userName"),
        lambda b: b.update(userName=""),
        lambda b: b.update(userName="   "),
        lambda b: b.update(userName=42),
        lambda b: b.update(active="True"),
        lambda b: b.update(active=None),
        lambda b: b.update(title=7),
        lambda b: b.update(title=None),
        lambda b: b.update(displayName=""),
        lambda b: b.update(externalId=None),
        lambda b: b.update(nickName="Avi", preferredLanguage="en"),
        lambda b: b.update(schemas=[USER_SCHEMA]),
        lambda b: b.update(schemas=[USER_SCHEMA, ent, "urn:example:custom"]),
        lambda b: b.update(schemas=[ent]),
        lambda b: b.update(schemas=[{"x": 1}]),
        lambda b: b.update(schemas="nope"),
        lambda b: b.pop("schemas"),
        lambda b: b.update(name={"formatted": "Ava Nguyen", "givenName": "Ava"}),
        lambda b: b.update(name={"GivenName": "Ava"}),
        lambda b: b.update(name="Ava"),
        lambda b: b.update(name=None),
        lambda b: b.update(emails=[]),
        lambda b: b.update(emails=[{"value": "a@example.com"}, {"value": "b@example.com", "type": "work"}]),
        lambda b: b.update(emails=[{"value": "", "type": "work"}, {"value": "b@example.com"}]),
        lambda b: b.update(emails=[{"value": "h@example.com", "type": "home"}]),
        lambda b: b.update(emails=[{"Value": "a@example.com"}]),
        lambda b: b.update(emails=["a@example.com"]),
        lambda b: b.update(emails={"value": "one@example.com", "type": "work"}),
        lambda b: b.update(emails=[{"value": 5}]),
        lambda b: b.update(addresses=[{"locality": "Austin"}, {"locality": "Boston", "type": "work"}]),
        lambda b: b.update(addresses=[{"streetAddress": "1 Main St", "type": "work"}]),
        lambda b: b.update(addresses=None),
        lambda b: b.update(groups=[{"value": "7"}]),
        lambda b: b.update(groups="x"),
        lambda b: b.update(id="99", meta={"resourceType": "User"}),
        lambda b: b.update(id=99),
        lambda b: b.update(meta="x"),
        lambda b: b.update(password=None),
        lambda b: b.update(password=123),
        lambda b: b[ent].update(manager="helen@example.com"),
        lambda b: b[ent].update(manager="  "),
        lambda b: b[ent].update(manager={"value": ""}),
        lambda b: b[ent].update(manager={"value": "helen@example.com", "displayName": "Helen"}),
        lambda b: b[ent].update(manager={"Value": "helen@example.com"}),
        lambda b: b[ent].update(manager=None),
        lambda b: b[ent].update(manager=3),
        lambda b: b[ent].update(costCenter="4130", employeeNumber=None),
        lambda b: b[ent].update(Department="Ops"),
        lambda b: b[ent].update(division=1),
        lambda b: b.update({ent.upper(): b.pop(ent)}),
        lambda b: b.update({ent: "flat"}),
        lambda b: b.update({"urn:example:custom:User": {"badge": "7"}}),
    ]


@pytest.mark.parametrize("mutation", range(len(_mutations())))
def test_each_variation_is_read_as_the_model_reads_it_or_left_to_it(mutation):
    body = fixture("okta_create_user.json")
    _mutations()[mutation](body)

    assert_same_or_declined(body)


def test_random_combinations_of_variations_agree_with_the_model():
    rng = random.Random(7643)
    mutations = _mutations()
    taken = 0
    for _ in range(300):
        body = fixture("okta_create_user.json")
        for mutation in rng.sample(mutations, rng.randint(1, 4)):
            with contextlib.suppress(KeyError, AttributeError, TypeError):
                mutation(body)  # a change that no longer applies after an earlier one is skipped
        taken += assert_same_or_declined(body)
    assert taken > 20  # the comparison covered bodies the quick reader took, not only refusals


def test_entra_create_is_left_to_the_model():
    # Entra ID sends `"active": "True"`: the model's boolean parsing reads it.
    body = fixture("entra_create_user.json")

    assert not assert_same_or_declined(body)
