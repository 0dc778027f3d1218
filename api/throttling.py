"""DRF's throttling, one bucket per API key, counted in the shared cache (Redis when configured)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from engagedly_portal.optional_redis import redis_call

from .models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self) -> str:
        # Read when a request arrives, not at import as DRF's THROTTLE_RATES is: one setting, API_RATE_LIMIT.
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None  # unauthenticated requests are refused before they cost anything
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}

    def allow_request(self, request, view) -> bool:
        # As for SCIM: when Redis does not answer, serve the request unmetered rather than fail it.
        return redis_call(
            lambda: super(ApiKeyRateThrottle, self).allow_request(request, view), True, "API throttle"
        )
