"""/Users and /Users/{id} (RFC 7644 §3.3-3.6)."""

from scim2_models import Context

from . import backend, mapping
from .base import ResourceListView, ScimView, resource_response
from .errors import scim_response
from .filters import USER_ATTRIBUTES
from .parsing import resource_load, resource_parse
from .patch import patch_apply
from .schemas import ScimUser


def _active(user) -> bool | None:
    # An absent `active` leaves the status alone: a PUT that omits it is not a deactivation.
    return user.active


def _record(view, outcome):
    view.activity.update(operation=outcome.operation, resource_id=outcome.obj.pk, employee_id=outcome.obj.pk)


class UserListView(ResourceListView):
    model = ScimUser
    attributes = USER_ATTRIBUTES
    operation = "lookup"

    def get(self, request, public_id):
        return self.list_response(backend.user_list, mapping.user_render)

    def post(self, request, public_id):
        self.activity["operation"] = "create"
        user = resource_parse(ScimUser, self.body, Context.RESOURCE_CREATION_REQUEST)
        active = True if user.active is None else user.active
        outcome = backend.user_create(self.scope, fields=mapping.user_fields(user), active=active)
        _record(self, outcome)
        document = mapping.user_render(outcome.obj, base_url=self.base_url)
        return resource_response(document, status=201, location=True)


class UserDetailView(ScimView):
    operation = "lookup"

    def get(self, request, public_id, pk):
        employee = backend.user_get(self.scope, pk=pk)
        self.activity["employee_id"] = employee.pk
        return resource_response(mapping.user_render(employee, base_url=self.base_url))

    def put(self, request, public_id, pk):
        self.activity["operation"] = "update"
        # Okta's wizard apps PUT the whole user they just read, read-only attributes included;
        # the replacement context drops id, meta, groups and password (RFC 7644 §3.5.1).
        user = resource_parse(ScimUser, self.body, Context.RESOURCE_REPLACEMENT_REQUEST)
        outcome = backend.user_update(
            self.scope,
            pk=pk,
            change=lambda employee: (mapping.user_fields(user), _active(user)),
            if_match=self.if_match(),
        )
        _record(self, outcome)
        return resource_response(mapping.user_render(outcome.obj, base_url=self.base_url))

    def patch(self, request, public_id, pk):
        self.activity["operation"] = "update"
        base_url = self.base_url

        def change(employee):
            current = resource_load(ScimUser, mapping.user_render(employee, base_url=base_url))
            patched = patch_apply(current, self.body)
            return mapping.user_fields(patched), patched.active

        outcome = backend.user_update(self.scope, pk=pk, change=change, if_match=self.if_match())
        _record(self, outcome)
        return resource_response(mapping.user_render(outcome.obj, base_url=base_url))

    def delete(self, request, public_id, pk):
        self.activity["operation"] = "deactivate"
        outcome = backend.user_delete(self.scope, pk=pk, if_match=self.if_match())
        _record(self, outcome)
        return scim_response(None, status=204)
