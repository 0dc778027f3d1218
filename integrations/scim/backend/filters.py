"""SCIM filters (RFC 7644 §3.4.2.2) translated to Django Q objects, so rows are filtered in SQL.

The protocol layer hands over the filter as the client wrote it; this module alone knows how
attributes are stored.

Parsing is scim2-models' (it returns a syntax tree); this module walks the tree against a table of
the attributes each resource stores. Pure: no database access, no HTTP.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from scim2_models import SCIMException, ScimFilter
from scim2_models.path import FilterVisitor
from scim2_models.path.expressions import (
    AttrPath,
    CompareOperator,
    Comparison,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from ..errors import ScimError
from ..schemas import ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA
from .attributes import GROUP_ID_PREFIX, Constant, Field

MATCH_ALL = Q(pk__isnull=False)
MATCH_NONE = Q(pk__in=[])


_URNS = {USER_SCHEMA.lower(), GROUP_SCHEMA.lower(), ENTERPRISE_SCHEMA.lower()}

_STRING_LOOKUPS = {
    CompareOperator.eq: "exact",
    CompareOperator.co: "contains",
    CompareOperator.sw: "startswith",
    CompareOperator.ew: "endswith",
    CompareOperator.gt: "gt",
    CompareOperator.ge: "gte",
    CompareOperator.lt: "lt",
    CompareOperator.le: "lte",
}


def attribute_key(attr_path: AttrPath, prefix: str = "") -> str:
    uri = (attr_path.uri or "").lower()
    if uri and uri not in _URNS:
        raise ScimError(400, f"Unknown schema {attr_path.uri} in filter.", "invalidFilter")
    key = f"{prefix}{attr_path.attr}"
    if attr_path.sub_attr:
        key += f".{attr_path.sub_attr}"
    return key.lower()


def _invalid(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidFilter")


class _QBuilder(FilterVisitor[Q]):
    def __init__(self, attributes: dict, prefix: str = "", absent_unknown: bool = False):
        self.attributes = attributes
        self.prefix = prefix
        # Across resource types (a root search), an attribute one type lacks is unassigned there.
        self.absent_unknown = absent_unknown
        self.unknown: set[str] = set()
        # A condition across a to-many relation joins rows; the caller then filters by a subquery.
        self.joins_many = False

    def _target(self, attr_path: AttrPath) -> Field | Constant | None:
        key = attribute_key(attr_path, self.prefix)
        target = self.attributes.get(key)
        if target is None:
            if not self.absent_unknown:
                raise _invalid(f"Filtering on {attr_path} is not supported.")
            self.unknown.add(key)
        return target

    def visit_logical_expr(self, node: LogicalExpr) -> Q:
        query = self.visit(node.terms[0])
        for term in node.terms[1:]:
            query = (
                (query & self.visit(term)) if node.op == LogicalOperator.and_ else (query | self.visit(term))
            )
        return query

    def visit_not(self, node: Not) -> Q:
        return ~self.visit(node.expr)

    def visit_value_path(self, node: ValuePath) -> Q:
        # emails[type eq "work" and value co "@x"]: the inner filter names sub-attributes of the
        # outer attribute. Every multi-valued attribute here holds one stored entry, so the
        # selection matches when that entry matches.
        prefix = f"{attribute_key(node.attr_path, self.prefix)}."
        inner = _QBuilder(self.attributes, prefix=prefix, absent_unknown=self.absent_unknown)
        query = inner.visit(node.val_filter)
        self.joins_many = self.joins_many or inner.joins_many
        self.unknown |= inner.unknown
        return query

    def visit_present(self, node: Present) -> Q:
        target = self._target(node.attr_path)
        if target is None:
            return MATCH_NONE
        if isinstance(target, Constant):
            return MATCH_ALL
        if target.kind in ("string",):
            return ~Q(**{target.lookup: ""}) & Q(**{f"{target.lookup}__isnull": False})
        if target.kind == "member":
            self.joins_many = True
            return Q(**{f"{target.lookup}__isnull": False})
        return MATCH_ALL

    def visit_comparison(self, node: Comparison) -> Q:
        target = self._target(node.attr_path)
        op, value = node.op, node.value
        if target is None:  # an unassigned attribute compares false, ne included
            return MATCH_NONE
        if isinstance(target, Constant):
            return MATCH_ALL if _compare_constant(target.value, op, value) else MATCH_NONE
        if op == CompareOperator.ne:
            return ~self.visit_comparison(Comparison(node.attr_path, CompareOperator.eq, value))
        builder = getattr(self, f"_compare_{target.kind}")
        return builder(target, op, value)

    def _compare_string(self, target: Field, op: CompareOperator, value) -> Q:
        if not isinstance(value, str):
            raise _invalid(f"Compare {target.lookup} with a string.")
        lookup = _STRING_LOOKUPS[op]
        if target.case_exact:
            return Q(**{f"{target.lookup}__{lookup}": value})
        if op == CompareOperator.eq:
            # lower(column) = lower(value): the form the unique indexes on lower(username) and
            # lower(email) per organization serve (PostgreSQL's iexact uses UPPER and would not).
            return Q(**{f"{target.lookup}__lower": value.lower()})
        if lookup in ("contains", "startswith", "endswith"):
            return Q(**{f"{target.lookup}__i{lookup}": value})
        return Q(**{f"{target.lookup}__lower__{lookup}": value.lower()})

    def _compare_status(self, target: Field, op: CompareOperator, value) -> Q:
        value = _as_bool(value)
        if op != CompareOperator.eq:
            raise _invalid("active can only be compared with eq or ne.")
        # As rendered (mapping.user_active): a held deactivation reads inactive (integrations.brake).
        shown_active = Q(status="active", deactivation_held=False)
        return shown_active if value else ~shown_active

    def _compare_id(self, target: Field, op: CompareOperator, value) -> Q:
        if op != CompareOperator.eq:
            raise _invalid("id can only be compared with eq or ne.")
        number = as_pk(value, target.id_prefix)
        return Q(pk=number) if number is not None else MATCH_NONE

    def _compare_member(self, target: Field, op: CompareOperator, value) -> Q:
        if op != CompareOperator.eq:
            raise _invalid("Members can only be compared with eq or ne.")
        number = as_pk(value, target.id_prefix)
        self.joins_many = True
        return Q(**{target.lookup: number}) if number is not None else MATCH_NONE

    def _compare_datetime(self, target: Field, op: CompareOperator, value) -> Q:
        try:
            moment = value if isinstance(value, datetime) else parse_datetime(str(value))
        except ValueError:  # well-formed but impossible: month 13, February 30th
            moment = None
        if moment is None or op in (CompareOperator.co, CompareOperator.sw, CompareOperator.ew):
            raise _invalid(f"Compare {target.lookup} with an ISO 8601 dateTime using eq, gt, ge, lt or le.")
        return Q(**{f"{target.lookup}__{_STRING_LOOKUPS[op]}": moment})


def _as_bool(value) -> bool:
    # Entra ID and OneLogin send booleans as strings ("True"/"False").
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _invalid("Compare active with true or false.")


# The one spelling of a resource id: ASCII digits without a leading zero. int() and isdigit()
# also take other scripts' digits (١, １, १), signs, spaces and zeros in front, which would let
# several ids name one resource.
_ID = re.compile(r"[1-9][0-9]{0,18}")


def is_resource_id(value: str) -> bool:
    """Whether `value` is spelled as this service spells a User's id."""
    return as_pk(value) is not None


def group_id(pk: int) -> str:
    return f"{GROUP_ID_PREFIX}{pk}"


def as_pk(value, prefix: str = "") -> int | None:
    """The primary key a resource id names (a Group's after its prefix), or None for none."""
    text = str(value)
    if not text.startswith(prefix) or not _ID.fullmatch(text := text[len(prefix) :]):
        return None
    number = int(text)
    return number if number < 2**63 else None


def _compare_constant(constant, op: CompareOperator, value) -> bool:
    if isinstance(constant, bool):
        matches = constant == (_as_bool(value) if isinstance(value, str) else value)
    elif isinstance(value, str):
        left, right = str(constant).lower(), value.lower()
        matches = {
            CompareOperator.eq: left == right,
            CompareOperator.co: right in left,
            CompareOperator.sw: left.startswith(right),
            CompareOperator.ew: left.endswith(right),
        }.get(op, False)
    else:
        matches = False
    return not matches if op == CompareOperator.ne else matches


def parse(expression: str):
    """The syntax tree of a filter, or 400 invalidFilter."""
    try:
        return ScimFilter(expression).ast
    except SCIMException as exc:
        raise _invalid(f"The filter is not valid: {exc.detail}") from exc
    except (ValueError, RecursionError) as exc:
        raise _invalid("The filter is not valid.") from exc


@dataclass(frozen=True)
class Translated:
    q: Q
    joins_many: bool


# `userName eq "<value>"` is how Okta looks up every user before a create and Entra ID probes the
# service: that one form is answered by one statement (statements.by_username), with the same
# case-insensitive comparison as parsed filters. Values with escapes, and every other filter, are
# parsed.
_USERNAME_EQ = re.compile(r'\s*username\s+eq\s+"([^"\\]*)"\s*', re.IGNORECASE)


def username_eq(expression: str) -> str | None:
    """The value of a plain `userName eq "<value>"` filter, else None."""
    match = _USERNAME_EQ.fullmatch(expression)
    return match.group(1) if match else None


def to_q(expression: str, attributes: dict) -> Translated:
    builder = _QBuilder(attributes)
    return Translated(builder.visit(parse(expression)), builder.joins_many)


def to_q_across(expression: str, attributes_by_type: dict[str, dict]) -> dict[str, Translated]:
    """One filter for several resource types (a root search, RFC 7644 §3.4.3).

    An attribute that only some types have is unassigned in the others, so a comparison on it
    matches none of their resources there; one that no type has is still an invalid filter.
    """
    tree = parse(expression)
    translated, unknown_everywhere = {}, None
    for name, attributes in attributes_by_type.items():
        builder = _QBuilder(attributes, absent_unknown=True)
        translated[name] = Translated(builder.visit(tree), builder.joins_many)
        unknown_everywhere = (
            builder.unknown if unknown_everywhere is None else unknown_everywhere & builder.unknown
        )
    if unknown_everywhere:
        raise _invalid(f"Filtering on {sorted(unknown_everywhere)[0]} is not supported.")
    return translated


def sort_field(sort_by: str, attributes: dict) -> str | None:
    """The model field to sort by, or None for an attribute that is not stored (sort is a no-op)."""
    try:
        key = attribute_key(AttrPath(*_split(sort_by)))
    except ValueError as exc:
        raise ScimError(400, f"Cannot sort by {sort_by}.", "invalidValue") from exc
    target = attributes.get(key)
    if isinstance(target, Field) and target.kind != "member":
        return target.lookup
    return None


def _split(path: str) -> tuple[str, str | None, str | None]:
    uri = None
    lowered = path.lower()
    for urn in _URNS:
        if lowered.startswith(urn + ":"):
            uri, path = path[: len(urn)], path[len(urn) + 1 :]
            break
    attr, _, sub = path.partition(".")
    return attr, sub or None, uri
