"""The pages' permission checks, for keys: a key acts with its owner's rights, read on each request."""

from rest_framework.permissions import BasePermission

from employees.models import Employee

from .models import ApiKey


def acting_employee(request) -> Employee:
    """The key's owner; authentication loaded it with its organization."""
    return request.auth.employee


class MayManageIntegrations(BasePermission):
    """Organization admins and holders of the integration permission, as on Settings > Integrations.

    The API is for admins: an owner who lost both roles keeps the key but gets 403 everywhere.
    """

    message = "Only admins or users with the integration permission can use the API."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiKey) and acting_employee(request).may_manage_integrations


class IsOrgAdmin(BasePermission):
    """Organization admins only, as on Settings > Audit trail (the integration permission is not enough)."""

    message = "Only organization admins can read the audit trail."

    def has_permission(self, request, view) -> bool:
        employee = acting_employee(request) if isinstance(request.auth, ApiKey) else None
        return employee is not None and employee.is_active and employee.is_org_admin


class ProvisioningEnabled(BasePermission):
    """Creating credentials needs the flag support staff set, as on the Okta page."""

    message = "Okta is not enabled for your organization yet. Contact our support team."
    code = "provisioning_disabled"

    def has_permission(self, request, view) -> bool:
        if request.method != "POST":
            return True
        return acting_employee(request).organization.provisioning_enabled
