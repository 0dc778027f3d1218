"""What every SCIM endpoint shares (RFC 7644 §3): size and media-type checks, rate limit, token,
the Okta flag, SCIM errors for everything (405 and 500 included) and the activity record.
"""

import logging
import time
from functools import cached_property

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from scim2_models import Context, ResponseParameters

from engagedly_portal.optional_redis import one_round_trip

from . import backend, schemas
from .activity import mask_emails, outcome_for, subject_fields
from .auth import rate_limit_check, token_from_header, unauthorized
from .custom import custom_key, custom_split, is_custom, with_custom
from .errors import ScimError, error_response, scim_response
from .parsing import json_body, resource_load
from .queries import ListQuery, parameters_from_params, query_from_params, query_params
from .received import received_paths

logger = logging.getLogger(__name__)

SCIM_MEDIA_TYPES = ("application/scim+json", "application/json")


# The methods SCIM routes answer (RFC 7644 §3.2); HEAD is served as GET where GET is. Anything
# else, OPTIONS included, is a SCIM 405.
SCIM_METHODS = frozenset(("get", "head", "post", "put", "patch", "delete"))


class MethodNotAllowed(Exception):
    pass


class ScimView(View):
    """The base of every SCIM endpoint: a plain Django view with its own dispatch.

    Every answer is application/scim+json whatever Accept says (RFC 7644 §8.1), bodies are read and
    parsed here, and every error is a SCIM error, so a REST framework's request wrapping, content
    negotiation, parsers, renderers and permission classes would be unused work on every call.
    """

    operation = "other"
    # What a method attempts, known before the token is checked: a POST /Users refused at
    # authentication is still recorded as the create it tried to be, not as a lookup.
    operations: dict[str, str] = {}
    requires_auth = True

    @classmethod
    def as_view(cls, **initkwargs):
        # Bearer tokens, never cookies: CSRF protection has nothing to protect here.
        return csrf_exempt(super().as_view(**initkwargs))

    def dispatch(self, request, *args, **kwargs):
        started = time.monotonic()
        self.scope = None
        self.database_failed = False
        self.activity = {
            "operation": self.operations.get(request.method.lower(), self.operation),
            "resource_id": kwargs.get("pk", ""),
            "employee_id": None,
            "user_name": "",
        }
        try:
            handler = self.initial(request, kwargs.get("public_id", ""))
            # The marks its commits write (roster generation, queued-run marks): one round trip.
            with one_round_trip():
                response = handler(request, *args, **kwargs)
        except Exception as exc:
            response = self.handle_exception(exc)
        self._record(request, response, kwargs.get("public_id"), started)
        return response

    def initial(self, request, public_id: str):
        """Rate limit, token, method and body, in that order; returns the method's handler."""
        epoch = rate_limit_check(public_id)
        if self.requires_auth:
            self.scope = _authenticate(request, public_id, epoch)
        method = request.method.lower()
        handler = getattr(self, method, None) if method in SCIM_METHODS else None
        if handler is None:
            raise MethodNotAllowed()
        if method in ("post", "put", "patch"):
            self.body = _read_body(request)
            # The answer's attributes / excludedAttributes are read after the write: a query
            # string they refuse (a NUL, too many parameters, a malformed list) is refused here
            # first, so that a refused request has changed nothing.
            parameters_from_params(query_params(request))
        return handler

    def handle_exception(self, exc):
        if isinstance(exc, MethodNotAllowed):
            exc = ScimError(405, f"{self.request.method} is not supported on this endpoint.")
        elif isinstance(exc, RequestDataTooBig):
            exc = _too_large()
        elif isinstance(exc, OperationalError | InterfaceError):
            # The database is restarting, unreachable, or chose this transaction to fail (a
            # serialization failure, a deadlock): nothing was committed, and the same request
            # will work once it is back. 503 with Retry-After makes identity providers retry
            # (RFC 7644 §3.12); a 500 would be reported as a failure of the request itself.
            logger.exception(
                "SCIM request met a database outage: %s %s", self.request.method, self.request.path
            )
            self.database_failed = True
            exc = ScimError(
                503,
                "The service is briefly unavailable. Retry the request.",
                headers={"Retry-After": str(settings.SCIM_RETRY_AFTER_SECONDS)},
            )
        elif not isinstance(exc, ScimError):
            logger.exception("SCIM request failed: %s %s", self.request.method, self.request.path)
            exc = ScimError(500, "The service failed to process the request. It has been logged.")
        self.activity["detail"] = mask_emails(exc.detail)[:500]
        return error_response(exc)

    def _record(self, request, response, public_id, started):
        # The record must never turn a served request into an error (the database may be the
        # reason the request failed).
        try:
            connection_id = self.scope.connection.pk if self.scope else None
            # Not after the database failed this request: a second try would hold the thread
            # for another connect timeout while the database is away, for a record it could
            # not write either.
            if connection_id is None and public_id and not self.database_failed:
                connection_id = backend.connection_id_for(public_id=public_id)
            if connection_id is None:
                return
            backend.activity_record(
                connection_id=connection_id,
                token=self.scope.token if self.scope else None,
                created_at=timezone.now(),
                method=request.method[:10],
                # Decoded and masked when the record is written (integrations.services).
                path=request.path,
                query_string=request.META.get("QUERY_STRING", ""),
                status_code=response.status_code,
                outcome=outcome_for(response.status_code),
                operation=self.activity["operation"],
                resource_id=str(self.activity["resource_id"] or "")[:64],
                employee_id=self.activity["employee_id"],
                detail=self.activity.get("detail", ""),
                **subject_fields(self.activity["user_name"]),
                duration_ms=int((time.monotonic() - started) * 1000),
                # Paths only, never values (received.py); a body refused unread has none.
                attributes=received_paths(getattr(self, "body", None)),
            )
        except Exception:
            logger.exception("Could not record SCIM request %s %s", request.method, request.path)

    # Helpers for the endpoints

    @cached_property
    def base_url(self) -> str:
        """PUBLIC_BASE_URL, else the request's scheme and host, then /scim/v2/<public id>."""
        origin = settings.PUBLIC_BASE_URL or f"{self.request.scheme}://{self.request.get_host()}"
        return f"{origin}/scim/v2/{self.kwargs['public_id']}"

    def if_match(self):
        return self.request.headers.get("If-Match")


def _authenticate(request, public_id: str, epoch: str | None) -> "backend.Scope":
    plaintext = token_from_header(request.headers.get("Authorization", ""))
    scope = (
        backend.scope_for_token(public_id=public_id, plaintext=plaintext, epoch=epoch) if plaintext else None
    )
    if scope is None:
        raise unauthorized()
    if not scope.organization.provisioning_enabled:
        raise ScimError(
            403, "Provisioning is not enabled for this organization. Contact support to enable it."
        )
    return scope


def _too_large() -> ScimError:
    limit = settings.SCIM_MAX_BODY_BYTES
    return ScimError(413, f"The request body is larger than {limit // 1024} KiB.")


def _read_body(request) -> dict:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.SCIM_MAX_BODY_BYTES:
        raise _too_large()
    media_type = (request.content_type or "").split(";")[0].strip().lower()
    if media_type not in SCIM_MEDIA_TYPES:
        raise ScimError(415, "Send the body as application/scim+json or application/json.")
    raw = request.body
    if len(raw) > settings.SCIM_MAX_BODY_BYTES:
        raise _too_large()
    return json_body(raw)


def resource_select(document: dict, model, parameters: ResponseParameters | None) -> dict:
    """Apply attributes / excludedAttributes (RFC 7644 §3.4.2.5) through the typed model."""
    if parameters is None:
        return document
    # The product's extension is not in the typed model (custom.py): selected here by hand.
    document, section = custom_split(document)
    selected = resource_load(model, document).model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=parameters
    )
    return with_custom(selected, _custom_selected(section or {}, parameters))


def _custom_selected(section: dict, parameters: ResponseParameters) -> dict:
    def named(paths) -> tuple[bool, set[str]]:
        paths = [str(path) for path in paths or ()]
        return any(is_custom(p) for p in paths), {custom_key(p).lower() for p in paths if custom_key(p)}

    if parameters.attributes:
        everything, keys = named(parameters.attributes)
        return section if everything else {k: v for k, v in section.items() if k.lower() in keys}
    everything, keys = named(parameters.excluded_attributes)
    return {} if everything else {k: v for k, v in section.items() if k.lower() not in keys}


class ResourceListView(ScimView):
    model = None

    def list_response(self, page_fn, render, query: ListQuery | None = None):
        query = query or query_from_params(query_params(self.request))
        page = page_fn(self.scope, query)
        base_url = self.base_url if page.items else ""
        resources = [
            resource_select(render(obj, base_url=base_url), self.model, query.parameters)
            for obj in page.items
        ]
        return list_response(page.total, query.start, resources)


def list_response(total: int, start: int, resources: list[dict]):
    return scim_response(
        {
            "schemas": [schemas.LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


def resource_response(request, model, document: dict, *, status: int = 200, location: bool = False):
    headers = {"ETag": document["meta"]["version"]}
    if location:
        headers["Location"] = document["meta"]["location"]
    return scim_response(
        resource_select(document, model, parameters_from_params(query_params(request))),
        status=status,
        headers=headers,
    )
