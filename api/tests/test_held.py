"""Held deactivations through the API: the list, apply and keep active, recorded as the page
records them. The holds are made by the identity provider's own requests, past a brake of 1."""

import pytest
from django.test import Client

from audit.models import AuditEvent
from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from integrations import brake
from integrations import services as integration_services
from integrations.models import Connection, GuardDecision, ProvisionedDeactivation
from integrations.tests.conftest import ScimClient

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
DEACTIVATE = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}


@pytest.fixture
def held_people(acme, acme_admin, acme_setup):
    """Four people deactivated by Okta with a brake of one: the first applied, three held."""
    connection = acme_setup["connection"]
    brake.brake_update(organization=acme, enabled=True, threshold=1, window_minutes=60)
    scim = ScimClient(Client(), connection, acme_setup["scim_token"])
    people = [EmployeeFactory(organization=acme, email=f"p{n}@acme.example") for n in range(4)]
    for employee in people:
        integration_services.employee_provisioned_by(employee=employee, connection=connection)
        assert scim.patch(f"/Users/{employee.pk}", DEACTIVATE).status_code == 200
    return people


def _held(api, connection, query=""):
    response = api.get(f"connections/{connection.pk}/held/{query}")
    assert response.status_code == 200, response.content
    return response.body


def _status(employee) -> str:
    return Employee.objects.get(pk=employee.pk).status


def test_the_list_says_who_when_which_request_and_why(acme_api, acme_setup, held_people):
    connection = acme_setup["connection"]
    rows = _held(acme_api, connection)["results"]
    assert [r["employee"] for r in rows] == [e.pk for e in held_people[1:]]
    first = rows[0]
    assert first["employee_email"] == "p1@acme.example"
    assert first["employee_name"] == held_people[1].full_name
    assert first["request"] == f"PATCH /Users/{held_people[1].pk}"
    assert (first["reason"], first["reason_label"]) == ("threshold", "The brake tripped")
    assert first["deleted"] is False and first["created_at"]
    # Cursor pages, oldest first as on the connection's page.
    page = _held(acme_api, connection, "?page_size=2")
    rest = acme_api.client.get(page["next"], HTTP_AUTHORIZATION=f"Bearer {acme_api.key}").json()
    assert [r["id"] for r in page["results"] + rest["results"]] == [r["id"] for r in rows]


def test_apply_selected_deactivates_them_and_is_recorded_with_the_key_owner(
    acme_api, acme_admin, acme_setup, held_people
):
    connection = acme_setup["connection"]
    ids = [r["id"] for r in _held(acme_api, connection)["results"]]
    response = acme_api.post(f"connections/{connection.pk}/held/apply/", {"ids": ids[:2]})
    assert response.status_code == 200, response.content
    assert response.body == {"done": 2, "refused": [], "still_held": 1}
    assert [_status(e) for e in held_people] == ["deactivated", "deactivated", "deactivated", "active"]
    decision = GuardDecision.objects.get(action=GuardDecision.Action.APPLY)
    assert (decision.actor, decision.count, decision.connection_id) == (acme_admin.user, 2, connection.pk)
    audited = AuditEvent.objects.get(action="brake.applied")
    assert (audited.actor_email, audited.after) == (acme_admin.email, {"people": 2})
    # One still held: the brake stays tripped.
    assert Connection.objects.get(pk=connection.pk).brake_tripped_at is not None


def test_keep_all_keeps_them_active_and_resets_the_brake(acme_api, acme_admin, acme_setup, held_people):
    connection = acme_setup["connection"]
    response = acme_api.post(f"connections/{connection.pk}/held/keep/", {"all": True})
    assert response.body == {"done": 3, "refused": [], "still_held": 0}
    assert [_status(e) for e in held_people] == ["deactivated", "active", "active", "active"]
    states = ProvisionedDeactivation.objects.filter(employee__in=held_people[1:]).values_list(
        "state", "decided_by"
    )
    assert set(states) == {("kept", acme_admin.user.pk)}
    assert AuditEvent.objects.get(action="brake.kept_active").actor_email == acme_admin.email
    assert Connection.objects.get(pk=connection.pk).brake_tripped_at is None
    assert _held(acme_api, connection)["results"] == []


def test_the_last_active_admin_is_refused_and_stays_held(acme, acme_api, acme_admin, acme_setup):
    connection = acme_setup["connection"]
    integration_services.employee_provisioned_by(employee=acme_admin, connection=connection)
    scim = ScimClient(Client(), connection, acme_setup["scim_token"])
    assert scim.patch(f"/Users/{acme_admin.pk}", DEACTIVATE).status_code == 200
    [row] = _held(acme_api, connection)["results"]
    assert row["reason"] == "last_admin"
    response = acme_api.post(f"connections/{connection.pk}/held/apply/", {"ids": [row["id"]]})
    assert response.body == {"done": 0, "refused": [acme_admin.full_name], "still_held": 1}
    assert _status(acme_admin) == "active"


@pytest.mark.parametrize(
    "body",
    [{}, {"ids": []}, {"ids": ["x"]}, {"all": True, "ids": [1]}, {"all": False}, {"ids": "1"}],
)
def test_a_bad_choice_is_a_400_and_decides_nothing(acme_api, acme_setup, held_people, body):
    connection = acme_setup["connection"]
    for verb in ("apply", "keep"):
        response = acme_api.post(f"connections/{connection.pk}/held/{verb}/", body)
        assert response.status_code == 400, (verb, body, response.content)
        assert response.body["code"] == "invalid"
    assert ProvisionedDeactivation.objects.filter(state="held").count() == 3


def test_ids_not_held_on_this_connection_are_named(acme, acme_api, acme_setup, held_people):
    connection = acme_setup["connection"]
    other = acme_api.post("connections/", {"name": "Second"}).body["id"]
    held_id = _held(acme_api, connection)["results"][0]["id"]
    response = acme_api.post(f"connections/{other}/held/apply/", {"ids": [held_id]})
    assert response.status_code == 400
    assert response.body["fields"] == {"ids": [f"Not held on this connection: {held_id}."]}
    applied = ProvisionedDeactivation.objects.get(state="applied").pk
    response = acme_api.post(f"connections/{connection.pk}/held/keep/", {"ids": [held_id, applied]})
    assert response.body["fields"] == {"ids": [f"Not held on this connection: {applied}."]}
    assert _status(held_people[1]) == "active"


def test_another_organization_cannot_see_or_decide(outsider_api, acme_setup, held_people):
    connection = acme_setup["connection"]
    assert outsider_api.get(f"connections/{connection.pk}/held/").status_code == 404
    response = outsider_api.post(f"connections/{connection.pk}/held/apply/", {"all": True})
    assert response.status_code == 404
    assert ProvisionedDeactivation.objects.filter(state="held").count() == 3
