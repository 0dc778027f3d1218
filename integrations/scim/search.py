"""POST /.search at the root (RFC 7644 §3.4.3): one list across Users and Groups.

Users come first, then Groups, each in its own stable order (sortBy applies within each type), so
startIndex pages across both: the page takes what is left of the users at that offset and fills
the rest with the first groups past it. A fixed number of queries whatever the page size.
"""

from . import backend, mapping
from .base import ScimView, list_response, resource_select
from .filters import GROUP_ATTRIBUTES, USER_ATTRIBUTES, sort_field, to_q_across
from .queries import query_from_search
from .schemas import ScimGroup, ScimUser

RESOURCE_TYPES = {"User": USER_ATTRIBUTES, "Group": GROUP_ATTRIBUTES}


class RootSearchView(ScimView):
    operation = "lookup"

    def post(self, request, public_id):
        query = query_from_search(self.body)
        translated = to_q_across(query.filter, RESOURCE_TYPES) if query.filter else {}

        def page(list_fn, kind, *, start, count):
            attributes = RESOURCE_TYPES[kind]
            sort = sort_field(query.sort_by, attributes) if query.sort_by else None
            return list_fn(
                self.scope,
                translated=translated.get(kind),
                sort=sort,
                descending=query.descending,
                start=start,
                count=count,
            )

        users = page(backend.user_list, "User", start=query.start, count=query.count)
        # The groups' own startIndex: past the users' end, shifted by the users there are.
        groups = page(
            backend.group_list,
            "Group",
            start=max(query.start - users.total, 1),
            count=query.count - len(users.items),
        )
        base_url = self.base_url
        resources = [
            resource_select(mapping.user_render(e, base_url=base_url), ScimUser, query.parameters)
            for e in users.items
        ] + [
            resource_select(mapping.group_render(t, base_url=base_url), ScimGroup, query.parameters)
            for t in groups.items
        ]
        return list_response(users.total + groups.total, query.start, resources)
