"""Discovery (RFC 7644 §4), the root, the endpoints not offered (/Me, /Bulk) and unknown routes."""

from django.conf import settings

from . import backend, schemas
from .base import ScimView
from .custom import CUSTOM_SCHEMA, custom_schema_document
from .errors import ScimError, not_found, scim_response


def _list(resources: list[dict]) -> dict:
    return {
        "schemas": [schemas.LIST_SCHEMA],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def _one_or_list(documents: list[dict], pk: str | None, kind: str):
    if pk is None:
        return scim_response(_list(documents))
    for document in documents:
        if document["id"] == pk:
            return scim_response(document)
    raise not_found(f"{kind} {pk} not found.")


class ServiceProviderConfigView(ScimView):
    operation = "discovery"

    def get(self, request, public_id):
        max_results = settings.SCIM_MAX_PAGE_SIZE
        return scim_response(schemas.service_provider_config(base_url=self.base_url, max_results=max_results))


class ResourceTypesView(ScimView):
    operation = "discovery"

    def get(self, request, public_id, pk=None):
        # The product's extension is the organization's: published only while it has custom fields.
        extensions = (CUSTOM_SCHEMA,) if backend.custom_fields(self.scope) else ()
        documents = schemas.resource_types(base_url=self.base_url, user_extensions=extensions)
        return _one_or_list(documents, pk, "ResourceType")


class SchemasView(ScimView):
    operation = "discovery"

    def get(self, request, public_id, pk=None):
        fields = backend.custom_fields(self.scope)
        extra = (custom_schema_document(fields, base_url=self.base_url),) if fields else ()
        return _one_or_list(schemas.schemas(base_url=self.base_url, extra=extra), pk, "Schema")


class NotImplementedView(ScimView):
    """/Me and /Bulk: optional in RFC 7644 (§3.11, §3.7) and not offered (ServiceProviderConfig says so)."""

    def _refuse(self, request, *args, **kwargs):
        raise ScimError(501, f"{request.path.rsplit('/', 1)[-1] or 'This endpoint'} is not implemented.")

    get = post = put = patch = delete = _refuse


class NotFoundView(ScimView):
    """Any other path under a base URL: a SCIM 404, never Django's HTML page or a redirect."""

    def _missing(self, request, *args, **kwargs):
        raise not_found("There is no such SCIM endpoint. Use /Users, /Groups, /Schemas, ...")

    get = post = put = patch = delete = _missing


class UnknownConnectionView(NotFoundView):
    requires_auth = False
