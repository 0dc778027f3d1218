"""employee_roster_changed: sent when an organization's set of employees changes, and only then."""

import pytest

from employees import services
from employees.signals import employee_roster_changed


@pytest.fixture
def sent():
    organization_ids = []

    def receive(sender, organization_id, **kwargs):
        organization_ids.append(organization_id)

    employee_roster_changed.connect(receive, dispatch_uid="test-roster-changed")
    yield organization_ids
    employee_roster_changed.disconnect(dispatch_uid="test-roster-changed")


def test_sent_for_creation_provider_deletion_and_restoration_only(acme, outsider_org, sent):
    employee = services.employee_create(organization=acme, email="ava@acme.example")
    provisioned = services.employee_provision(organization=outsider_org, email="ben@globex.example")
    assert sent == [acme.pk, outsider_org.pk]

    sent.clear()
    employee = services.employee_update(employee=employee, job_title="CTO")
    employee = services.employee_deactivate(employee=employee)
    employee = services.employee_reactivate(employee=employee)
    assert sent == []

    provisioned = services.employee_provider_delete(employee=provisioned)
    services.employee_provider_delete(employee=provisioned)  # already deleted: nothing changes
    assert sent == [outsider_org.pk]
    services.employee_reactivate(employee=provisioned)
    assert sent == [outsider_org.pk, outsider_org.pk]
