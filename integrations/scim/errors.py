"""The one SCIM error type and the one place that renders it (RFC 7644 §3.12)."""

import orjson
from csp.constants import HEADER as CSP_HEADER
from django.http import HttpResponse

from engagedly_portal.content_security import API_POLICY

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_CONTENT_TYPE = "application/scim+json"


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str = "", headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type
        self.headers = headers or {}


def bad_request(detail: str, scim_type: str = "invalidValue") -> ScimError:
    return ScimError(400, detail, scim_type)


def not_found(detail: str = "The resource does not exist.") -> ScimError:
    return ScimError(404, detail)


def scim_response(body, status: int = 200, headers: dict | None = None) -> HttpResponse:
    # orjson writes the same JSON as the standard library's encoder (UTF-8, no whitespace), for
    # list pages of hundreds of resources at a fraction of the cost.
    content = b"" if body is None else orjson.dumps(body)
    response = HttpResponse(content, status=status, content_type=SCIM_CONTENT_TYPE)
    response[CSP_HEADER] = API_POLICY
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def error_response(error: ScimError) -> HttpResponse:
    body = {"schemas": [ERROR_SCHEMA], "status": str(error.status), "detail": error.detail}
    if error.scim_type:
        body["scimType"] = error.scim_type
    return scim_response(body, status=error.status, headers=error.headers)
