"""/Users and /Users/{id} (RFC 7644 §3.3-3.6)."""

from functools import cache, cached_property, partial

from scim2_models import Context

from integrations.brake import RequestInfo

from . import backend, mapping
from .activity import user_name_in_body, user_name_in_filter
from .base import ResourceListView, ScimView, resource_response
from .custom import custom_patch, custom_section, custom_split, custom_values
from .errors import scim_response
from .overrides import overrides_apply
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


def _user_body(view, body: dict, *, active: bool, context: Context, stored: dict) -> tuple[dict, bool]:
    """The portal's fields and `active` of a create or replacement body, validated.

    A replacement (PUT, RFC 7644 §3.5.1) clears the active custom fields it leaves out; a create
    sets what it sends (over an existing employee, what it leaves out stays: backend.users).
    """
    body, section = custom_split(body)
    user = resource_parse(ScimUser, _with_active(body, active), context)
    replace = context == Context.RESOURCE_REPLACEMENT_REQUEST
    if section is None and not (replace and stored):  # nothing sent and nothing to clear
        values = {}
    else:
        values = custom_values(section, view.custom_fields(), replace=replace)
    return _portal_fields(view, user, section or {}, values), user.active


def _portal_fields(view, user, section: dict, values: dict) -> dict:
    """The default mapping (mapping.user_fields, the extension), then the connection's overrides."""
    fields = mapping.user_fields(user)
    overrides = view.scope.connection.attribute_mapping
    if overrides:
        document = user.model_dump(mode="json", by_alias=True, exclude_none=True)
        fields, values = overrides_apply(
            fields,
            values,
            overrides=overrides,
            document=document,
            section=section,
            custom_fields=view.custom_fields(),
        )
    return {**fields, "custom_values": values} if values else fields


def _asked(view) -> RequestInfo:
    """A write as the held list names it ("PATCH /Users/42"), and where the provider reached us."""
    path = view.base_url.split("/scim/v2/", 1)[0]
    return RequestInfo(line=f"{view.request.method} /Users/{view.kwargs['pk']}", origin=path)


def _record(view, outcome):
    view.activity.update(operation=outcome.operation, resource_id=outcome.obj.pk, employee_id=outcome.obj.pk)


class CustomFieldsMixin:
    @cached_property
    def custom_fields(self):
        """The organization's active custom fields, read on first use and at most once a request."""
        return cache(partial(backend.custom_fields, self.scope))

    @cached_property
    def render(self):
        return partial(mapping.user_render, custom_fields=self.custom_fields)


class UserListView(CustomFieldsMixin, ResourceListView):
    model = ScimUser
    operation = "lookup"
    operations = {"post": "create"}

    def get(self, request, public_id):
        params = query_params(request)
        self.activity["user_name"] = user_name_in_filter(params.get("filter", ""))
        return self.list_response(backend.user_list, self.render, query_from_params(params))

    def post(self, request, public_id):
        # Kept before validation, so a refused create can still be traced to the person.
        self.activity["user_name"] = user_name_in_body(self.body)
        context = Context.RESOURCE_CREATION_REQUEST
        fields, active = _user_body(self, self.body, active=True, context=context, stored={})
        outcome = backend.user_create(
            self.scope,
            fields=fields,
            active=active,
            portal_origin=f"{request.scheme}://{request.get_host()}",
            custom_fields=self.custom_fields,
        )
        _record(self, outcome)
        document = self.render(outcome.obj, base_url=self.base_url)
        return resource_response(request, ScimUser, document, status=201, location=True)


class UserSearchView(CustomFieldsMixin, ResourceListView):
    """POST /Users/.search: the list query in a body, out of URLs and logs (RFC 7644 §3.4.3)."""

    model = ScimUser
    operation = "lookup"

    def post(self, request, public_id):
        return self.list_response(backend.user_list, self.render, query_from_search(self.body))


class UserDetailView(CustomFieldsMixin, ScimView):
    operation = "lookup"
    operations = {"put": "update", "patch": "update", "delete": "deactivate"}

    def get(self, request, public_id, pk):
        employee = backend.user_get(self.scope, pk=pk)
        self.activity["employee_id"] = employee.pk
        return resource_response(request, ScimUser, self.render(employee, base_url=self.base_url))

    def put(self, request, public_id, pk):
        # Okta's wizard apps PUT the whole user they just read, read-only attributes included;
        # the replacement context drops id, meta, groups and password (RFC 7644 §3.5.1).
        def change(employee):
            # Without `active` the status stays as it is: omitting it is not a deactivation.
            active = mapping.user_active(employee)
            context = Context.RESOURCE_REPLACEMENT_REQUEST
            return _user_body(self, self.body, active=active, context=context, stored=employee.custom_values)

        return self._update(request, pk, change)

    def patch(self, request, public_id, pk):
        base_url = self.base_url
        active_only = patch_active_only(self.body)

        def change(employee):
            if active_only is not None:  # Okta's catalog (de)activation: the profile stays as it is
                return None, active_only
            stored = (
                custom_section(employee.custom_values, self.custom_fields()) if employee.custom_values else {}
            )
            payload, section, touched = custom_patch(self.body, stored)
            current = resource_load(ScimUser, mapping.user_render(employee, base_url=base_url))
            # Operations that all went to the extension leave the rest of the resource as it is.
            patched = patch_apply(current, payload) if payload.get("Operations") or not touched else current
            values = custom_values(section, self.custom_fields(), replace=True) if touched else {}
            return _portal_fields(self, patched, section, values), patched.active

        return self._update(request, pk, change)

    def _update(self, request, pk, change):
        outcome = backend.user_update(
            self.scope,
            pk=pk,
            change=change,
            if_match=self.if_match(),
            request=_asked(self),
            custom_fields=self.custom_fields,
        )
        _record(self, outcome)
        return resource_response(request, ScimUser, self.render(outcome.obj, base_url=self.base_url))

    def delete(self, request, public_id, pk):
        outcome = backend.user_delete(self.scope, pk=pk, if_match=self.if_match(), request=_asked(self))
        _record(self, outcome)
        return scim_response(None, status=204)
