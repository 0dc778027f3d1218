"""DRF authentication by personal API key: `Authorization: Bearer engapi_...`."""

from rest_framework import authentication, exceptions

from .services import ApiKeyRefused, api_key_authenticate


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None  # DRF answers 401 with authenticate_header's challenge
        scheme, _, plaintext = header.partition(" ")
        if scheme.lower() != "bearer" or not plaintext.strip():
            raise exceptions.AuthenticationFailed("Send the API key as `Authorization: Bearer <key>`.")
        try:
            api_key = api_key_authenticate(plaintext=plaintext.strip())
        except ApiKeyRefused as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from exc
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        return api_key.employee.user, api_key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
