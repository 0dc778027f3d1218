"""POST /.search at the root (RFC 7644 §3.4.3): one list across Users and Groups."""

from . import backend, mapping
from .base import ScimView, list_response, resource_select
from .queries import query_from_search
from .schemas import ScimGroup, ScimUser
from .users import CustomFieldsMixin


class RootSearchView(CustomFieldsMixin, ScimView):
    operation = "lookup"

    def post(self, request, public_id):
        query = query_from_search(self.body)
        found = backend.resources_search(self.scope, query)
        base_url = self.base_url
        resources = [
            resource_select(self.render(e, base_url=base_url), ScimUser, query.parameters)
            for e in found.users.items
        ] + [
            resource_select(mapping.group_render(t, base_url=base_url), ScimGroup, query.parameters)
            for t in found.groups.items
        ]
        return list_response(found.total, query.start, resources)
