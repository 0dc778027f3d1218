"""One JSON error shape for the whole API: {"status", "code", "detail", "fields"?}."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def error_body(*, status_code: int, code: str, detail: str, fields: dict | None = None) -> dict:
    body = {"status": status_code, "code": code, "detail": detail}
    if fields:
        body["fields"] = fields
    return body


def _from_django_validation(exc: DjangoValidationError) -> exceptions.ValidationError:
    """Services raise Django's ValidationError; fields stay fields, the rest is non_field_errors."""
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _from_django_validation(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an API exception: a bug. Logged with its traceback; the client gets no details.
        logger.exception("Unexpected error in %s", context.get("view").__class__.__name__, exc_info=exc)
        return Response(
            error_body(status_code=500, code="server_error", detail="Something went wrong on our side."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(
            status_code=response.status_code,
            code="invalid",
            detail="The request is not valid.",
            fields=fields,
        )
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = error_body(
            status_code=response.status_code,
            code=codes if isinstance(codes, str) else "error",
            detail=str(response.data.get("detail", "")) if isinstance(response.data, dict) else "",
        )
    return response


def not_found(request, *args, **kwargs):
    """Unknown paths under /api/v1/ answer in the API's shape, not with the portal's HTML page."""
    return JsonResponse(error_body(status_code=404, code="not_found", detail="No such endpoint."), status=404)
