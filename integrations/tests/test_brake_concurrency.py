"""Thirty simultaneous deactivations from one connection in an organization of 100: the brake
counts them one at a time (the connection's row lock), so exactly 10 are applied and 20 held, and
every one answers 200 with `active: false`.

Concurrent on PostgreSQL (as in CI); on SQLite the same requests are sent one after the other, and
the variant that runs is in the test id.
"""

import json

import pytest

from employees.models import Employee
from integrations import services
from integrations.models import Connection, ProvisionedDeactivation

from .test_scim_concurrency import ON_POSTGRESQL, at_once, send

DEACTIVATE = json.dumps(
    {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
).encode()


@pytest.mark.parametrize("mode", ["concurrent" if ON_POSTGRESQL else "sequential-on-sqlite"])
@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_deactivations_apply_exactly_ten(mode, live_server, acme):
    created = services.connection_create(organization=acme, name="Okta")
    people = Employee.objects.bulk_create(
        Employee(organization=acme, username=f"p{n}@acme.example", email=f"p{n}@acme.example")
        for n in range(100)
    )
    base = f"{live_server.url}/scim/v2/{created.connection.public_id}/Users"
    calls = [
        (lambda pk=person.pk: send(f"{base}/{pk}", created.plaintext_token, DEACTIVATE, "PATCH"))
        for person in people[:30]
    ]
    answers = at_once(calls) if mode == "concurrent" else [call() for call in calls]

    assert [(status, body.get("active")) for status, body in answers] == [(200, False)] * 30
    assert Employee.objects.filter(organization=acme, status="deactivated").count() == 10
    states = ProvisionedDeactivation.objects.values_list("state", flat=True)
    assert sorted(states) == ["applied"] * 10 + ["held"] * 20
    assert Connection.objects.get(pk=created.connection.pk).brake_tripped_at is not None
