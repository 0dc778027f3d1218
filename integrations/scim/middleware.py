"""SCIM JSON for the errors the framework answers before a SCIM view runs."""

from .errors import SCIM_CONTENT_TYPE, ScimError, error_response

SCIM_PREFIX = "/scim/"

DETAILS = {
    400: "The request was refused: check the Host header and the request's form.",
    404: "The resource does not exist.",
    413: "The request is too large.",
}


class ScimErrorMiddleware:
    """Outermost: a host not in ALLOWED_HOSTS (Django's DisallowedHost), or any other error that
    Django or a middleware answers on a SCIM route with its own HTML page, becomes the SCIM error
    JSON that identity providers read (RFC 7644 §3.12), with the same status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith(SCIM_PREFIX)
            and not response.get("Content-Type", "").startswith(SCIM_CONTENT_TYPE)
        ):
            status = response.status_code
            detail = DETAILS.get(status, "The request could not be served.")
            return error_response(ScimError(status, detail))
        return response
