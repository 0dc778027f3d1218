"""What the backend's modules share: the request's scope, pages, write outcomes, version checks."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from employees.models import Organization
from integrations.models import Connection, ConnectionToken

from ..errors import ScimError
from .filters import Translated, sort_field


@dataclass(frozen=True)
class Scope:
    token: ConnectionToken
    connection: Connection
    organization: Organization


@dataclass
class Page:
    items: list
    total: int


@dataclass
class Outcome:
    """What a write did, for the response and the activity record."""

    obj: object
    operation: str = "update"
    created: bool = False
    extra: dict = field(default_factory=dict)


# A startIndex this far in is past the end of any list, whatever the database's integer range.
PAST_THE_END = 2**31


def paged(queryset, *, order: list[str], start: int, count: int) -> Page:
    """One page, and the total without counting when the page itself tells it.

    One row beyond the page is fetched: when it is absent the total is offset + rows (every
    userName lookup, and the last page of an import), so only a full page with more behind it
    pays a COUNT. COUNT(*) OVER () would instead sort and spill the whole organization on every
    page (hundreds of ms at 100,000 employees). A deep page skips its offset over primary keys
    alone (an index-only scan of employee_org_scim_live), then reads just its own rows, so the
    last page of 100,000 costs about what the first does.

    Filtered and sorted lists, and groups, are paged here on every request. The unfiltered user
    list (an identity provider's import) goes through users._import_page, which remembers between
    pages what makes both the offset skip and the COUNT unnecessary.
    """
    if count == 0 or start > PAST_THE_END:
        return Page(items=[], total=queryset.count())
    offset = start - 1
    rows = sliced(queryset, order=order, offset=offset, limit=count + 1)
    if len(rows) > count:
        return Page(items=rows[:count], total=queryset.count())
    if rows or not offset:
        return Page(items=rows, total=offset + len(rows))
    # Past the end: the page tells nothing about the total (a rare second query).
    return Page(items=[], total=queryset.count())


def sliced(queryset, *, order: list[str], offset: int, limit: int) -> list:
    ordered = queryset.order_by(*order)
    if not offset:
        return list(ordered[:limit])
    keys = ordered.values("pk")[offset : offset + limit]
    return list(queryset.filter(pk__in=keys).order_by(*order))


def filtered(queryset, translated: Translated | None):
    if translated is None:
        return queryset
    if translated.joins_many:
        # A condition across a to-many relation would repeat rows (and count them twice).
        return queryset.filter(pk__in=queryset.model.objects.filter(translated.q).values("pk"))
    return queryset.filter(translated.q)


def list_order(query, attributes: dict) -> list[str]:
    """The ORDER BY of a list: sortBy (RFC 7644 §3.4.2.3) when stored, then the primary key."""
    sort = sort_field(query.sort_by, attributes) if query.sort_by else None
    if sort is None:
        return ["pk"]
    return [f"-{sort}" if query.descending else sort, "pk"]


def check_version(version: int, if_match: str | None) -> None:
    """RFC 7644 §3.14: a write with If-Match applies only to the version the client saw."""
    if not if_match or if_match.strip() == "*":
        return
    wanted = {tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")}
    if str(version) not in wanted:
        raise ScimError(412, "The resource has changed since it was read (If-Match does not match).")


def invalid(exc: ValidationError) -> ScimError:
    return ScimError(400, " ".join(exc.messages) or "Invalid value.", "invalidValue")
