"""The Content-Security-Policy header: django-csp's, built from settings.CONTENT_SECURITY_POLICY."""

from csp.constants import HEADER
from csp.middleware import CSPMiddleware

# What API responses (SCIM's JSON) carry instead of the pages' policy: nothing may load from them
# and no page may frame them.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, except that a response that already carries a policy of its own
    (API_POLICY) is left as it is: django-csp would not replace it either, but would build the
    pages' policy first on every request."""

    def process_response(self, request, response):
        if HEADER in response:
            return response
        return super().process_response(request, response)
