"""/Users and /Users/{id} (RFC 7644 §3.3-3.6)."""

from scim2_models import Context

from integrations.brake import RequestInfo

from . import backend, mapping
from .activity import user_name_in_body, user_name_in_filter
from .base import ResourceListView, ScimView, resource_response
from .errors import scim_response
from .parsing import normalise_user_body, resource_load, resource_parse
from .patch import patch_active_only, patch_apply
from .queries import query_from_params, query_from_search, query_params
from .schemas import ScimUser


def _with_active(body: dict, active: bool) -> dict:
    """`active` as sent, or `active` as given when the client left it out.

    A create without it makes an active user (OneLogin templates and hand-written clients omit
    it); a PUT without it leaves the status alone: omitting it is not a deactivation.
    """
    body = normalise_user_body(body)
    if not any(key.lower() == "active" for key in body):
        body["active"] = active
    return body


def _user_body(body: dict, *, active: bool, context: Context) -> tuple[dict, bool]:
    """The portal's fields and `active` of a create or replacement body, validated."""
    body = _with_active(body, active)
    user = resource_parse(ScimUser, body, context)
    return mapping.user_fields(user), user.active


def _asked(view) -> RequestInfo:
    """A write as the held list names it ("PATCH /Users/42"), and where the provider reached us."""
    path = view.base_url.split("/scim/v2/", 1)[0]
    return RequestInfo(line=f"{view.request.method} /Users/{view.kwargs['pk']}", origin=path)


def _record(view, outcome):
    view.activity.update(operation=outcome.operation, resource_id=outcome.obj.pk, employee_id=outcome.obj.pk)


class UserListView(ResourceListView):
    model = ScimUser
    operation = "lookup"
    operations = {"post": "create"}

    def get(self, request, public_id):
        params = query_params(request)
        self.activity["user_name"] = user_name_in_filter(params.get("filter", ""))
        return self.list_response(backend.user_list, mapping.user_render, query_from_params(params))

    def post(self, request, public_id):
        # Kept before validation, so a refused create can still be traced to the person.
        self.activity["user_name"] = user_name_in_body(self.body)
        fields, active = _user_body(self.body, active=True, context=Context.RESOURCE_CREATION_REQUEST)
        outcome = backend.user_create(
            self.scope, fields=fields, active=active, portal_origin=f"{request.scheme}://{request.get_host()}"
        )
        _record(self, outcome)
        document = mapping.user_render(outcome.obj, base_url=self.base_url)
        return resource_response(request, ScimUser, document, status=201, location=True)


class UserSearchView(ResourceListView):
    """POST /Users/.search: the list query in a body, out of URLs and logs (RFC 7644 §3.4.3)."""

    model = ScimUser
    operation = "lookup"

    def post(self, request, public_id):
        return self.list_response(backend.user_list, mapping.user_render, query_from_search(self.body))


class UserDetailView(ScimView):
    operation = "lookup"
    operations = {"put": "update", "patch": "update", "delete": "deactivate"}

    def get(self, request, public_id, pk):
        employee = backend.user_get(self.scope, pk=pk)
        self.activity["employee_id"] = employee.pk
        return resource_response(request, ScimUser, mapping.user_render(employee, base_url=self.base_url))

    def put(self, request, public_id, pk):
        # Okta's wizard apps PUT the whole user they just read, read-only attributes included;
        # the replacement context drops id, meta, groups and password (RFC 7644 §3.5.1).
        def change(employee):
            # Without `active` the status stays as it is: omitting it is not a deactivation.
            active = mapping.user_active(employee)
            return _user_body(self.body, active=active, context=Context.RESOURCE_REPLACEMENT_REQUEST)

        return self._update(request, pk, change)

    def patch(self, request, public_id, pk):
        base_url = self.base_url
        active_only = patch_active_only(self.body)

        def change(employee):
            if active_only is not None:  # Okta's catalog (de)activation: the profile stays as it is
                return None, active_only
            current = resource_load(ScimUser, mapping.user_render(employee, base_url=base_url))
            patched = patch_apply(current, self.body)
            return mapping.user_fields(patched), patched.active

        return self._update(request, pk, change)

    def _update(self, request, pk, change):
        outcome = backend.user_update(
            self.scope, pk=pk, change=change, if_match=self.if_match(), request=_asked(self)
        )
        _record(self, outcome)
        return resource_response(request, ScimUser, mapping.user_render(outcome.obj, base_url=self.base_url))

    def delete(self, request, public_id, pk):
        outcome = backend.user_delete(self.scope, pk=pk, if_match=self.if_match(), request=_asked(self))
        _record(self, outcome)
        return scim_response(None, status=204)
