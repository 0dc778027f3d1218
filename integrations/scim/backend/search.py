"""A search across Users and Groups (POST /.search at the root, RFC 7644 §3.4.3)."""

from dataclasses import dataclass, replace

from .attributes import GROUP_ATTRIBUTES, USER_ATTRIBUTES
from .common import Page, Scope
from .filters import to_q_across
from .groups import groups_page
from .user_reads import users_page


@dataclass
class Found:
    users: Page
    groups: Page

    @property
    def total(self) -> int:
        return self.users.total + self.groups.total


def resources_search(scope: Scope, query) -> Found:
    """Users first, then Groups, each in its own stable order (sortBy applies within each type), so
    startIndex pages across both: the page takes what is left of the users at that offset and
    fills the rest with the first groups past it. A fixed number of queries whatever the page size.
    """
    types = {"User": USER_ATTRIBUTES, "Group": GROUP_ATTRIBUTES}
    translated = to_q_across(query.filter, types) if query.filter else {}
    users = users_page(scope, translated=translated.get("User"), query=query)
    # The groups' own startIndex: past the users' end, shifted by the users there are.
    groups_query = replace(
        query, start=max(query.start - users.total, 1), count=query.count - len(users.items)
    )
    groups = groups_page(scope, translated=translated.get("Group"), query=groups_query)
    return Found(users=users, groups=groups)
