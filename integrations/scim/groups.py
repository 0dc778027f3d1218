"""/Groups and /Groups/{id}: portal teams (Okta Group Push)."""

from scim2_models import Context

from . import backend, mapping
from .base import ResourceListView, ScimView, resource_response
from .errors import scim_response
from .parsing import resource_load, resource_parse
from .patch import members_removed_by_value, patch_apply
from .queries import query_from_search
from .schemas import ScimGroup


class GroupListView(ResourceListView):
    model = ScimGroup
    operation = "group"

    def get(self, request, public_id):
        return self.list_response(backend.group_list, mapping.group_render)

    def post(self, request, public_id):
        group = resource_parse(ScimGroup, self.body, Context.RESOURCE_CREATION_REQUEST)
        outcome = backend.group_create(self.scope, fields=mapping.group_fields(group))
        self.activity["resource_id"] = backend.group_id(outcome.obj.pk)
        document = mapping.group_render(outcome.obj, base_url=self.base_url)
        return resource_response(request, ScimGroup, document, status=201, location=True)


class GroupSearchView(ResourceListView):
    """POST /Groups/.search (RFC 7644 §3.4.3)."""

    model = ScimGroup
    operation = "group"

    def post(self, request, public_id):
        return self.list_response(backend.group_list, mapping.group_render, query_from_search(self.body))


class GroupDetailView(ScimView):
    operation = "group"

    def get(self, request, public_id, pk):
        team = backend.group_get(self.scope, pk=pk)
        return resource_response(request, ScimGroup, mapping.group_render(team, base_url=self.base_url))

    def put(self, request, public_id, pk):
        group = resource_parse(ScimGroup, self.body, Context.RESOURCE_REPLACEMENT_REQUEST)
        fields = mapping.group_fields(group)
        outcome = backend.group_update(
            self.scope, pk=pk, change=lambda team: fields, if_match=self.if_match()
        )
        return resource_response(
            request, ScimGroup, mapping.group_render(outcome.obj, base_url=self.base_url)
        )

    def patch(self, request, public_id, pk):
        base_url = self.base_url

        body = members_removed_by_value(self.body, backend.is_resource_id)

        def change(team):
            current = resource_load(ScimGroup, mapping.group_render(team, base_url=base_url))
            return mapping.group_fields(patch_apply(current, body))

        outcome = backend.group_update(self.scope, pk=pk, change=change, if_match=self.if_match())
        return resource_response(request, ScimGroup, mapping.group_render(outcome.obj, base_url=base_url))

    def delete(self, request, public_id, pk):
        backend.group_delete(self.scope, pk=pk, if_match=self.if_match())
        return scim_response(None, status=204)
