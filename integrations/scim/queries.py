"""What a list asks for (RFC 7644 §3.4.2): from the query string of a GET, or from the
SearchRequest body of a POST .search (§3.4.3). Pure: no database access.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from pydantic import ValidationError
from scim2_models import Context, ResponseParameters, SearchRequest

from .errors import ScimError
from .parsing import refuse_nul, validation_error

SEARCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


@dataclass(frozen=True)
class ListQuery:
    start: int = 1
    count: int = 0
    filter: str | None = None
    sort_by: str | None = None
    descending: bool = False
    parameters: ResponseParameters | None = None


# Integers a SCIM client may send for startIndex and count: JSON integers as most clients and
# databases hold them (64-bit signed).
LARGEST = 2**63 - 1


def _bounded(start: int, count: int) -> tuple[int, int]:
    if not (-LARGEST <= start <= LARGEST and -LARGEST <= count <= LARGEST):
        raise ScimError(400, f"startIndex and count must be at most {LARGEST}.", "invalidValue")
    # RFC 7644 §3.4.2.4: a startIndex below 1 means 1 (Entra ID sends 0); a negative count means 0.
    return max(start, 1), min(max(count, 0), settings.SCIM_MAX_PAGE_SIZE)


def response_parameters(
    attributes: list[str] | None, excluded: list[str] | None
) -> ResponseParameters | None:
    if not attributes and not excluded:
        return None
    try:
        return ResponseParameters(attributes=attributes or None, excluded_attributes=excluded or None)
    except Exception as exc:
        raise ScimError(
            400, "attributes / excludedAttributes name unknown attributes.", "invalidValue"
        ) from exc


def query_params(request) -> dict[str, str]:
    """The request's query parameters, the last value of each; too many of them is a SCIM 400."""
    try:
        params = request.GET.dict()
    except TooManyFieldsSent as exc:
        raise ScimError(400, "The query string has too many parameters.", "invalidSyntax") from exc
    refuse_nul(params)
    return params


def _split(value: str | None) -> list[str] | None:
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


def parameters_from_params(params) -> ResponseParameters | None:
    return response_parameters(_split(params.get("attributes")), _split(params.get("excludedAttributes")))


def query_from_params(params) -> ListQuery:
    try:
        start = int(params.get("startIndex", 1))
        count = int(params.get("count", settings.SCIM_MAX_PAGE_SIZE))
    except ValueError as exc:
        raise ScimError(400, "startIndex and count must be integers.", "invalidValue") from exc
    start, count = _bounded(start, count)
    return ListQuery(
        start=start,
        count=count,
        filter=params.get("filter") or None,
        sort_by=params.get("sortBy") or None,
        descending=(params.get("sortOrder") or "").lower() == "descending",
        parameters=parameters_from_params(params),
    )


def query_from_search(body: dict) -> ListQuery:
    """A SearchRequest body (RFC 7644 §3.4.3); its `schemas` must name the SearchRequest URN."""
    schemas = next((value for key, value in body.items() if key.lower() == "schemas"), None)
    if not isinstance(schemas, list) or SEARCH_SCHEMA.lower() not in {str(s).lower() for s in schemas}:
        raise ScimError(400, f"A search request's schemas must be [{SEARCH_SCHEMA}].", "invalidSyntax")
    try:
        search = SearchRequest.model_validate(body, scim_ctx=Context.SEARCH_REQUEST)
    except ValidationError as exc:
        bad_filter = [e for e in exc.errors() if e["type"] == "scim_invalidFilter"]
        if bad_filter:
            raise ScimError(400, f"The filter is not valid: {bad_filter[0]['msg']}", "invalidFilter") from exc
        raise validation_error(exc) from exc
    start, count = _bounded(
        search.start_index or 1,
        settings.SCIM_MAX_PAGE_SIZE if search.count is None else search.count,
    )
    return ListQuery(
        start=start,
        count=count,
        filter=str(search.filter) if search.filter is not None else None,
        sort_by=search.sort_by or None,
        descending=search.sort_order is not None and search.sort_order.value == "descending",
        parameters=response_parameters(search.attributes, search.excluded_attributes),
    )
