from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Admin REST API"

    def ready(self):
        # Registers the API key scheme with drf-spectacular (an import for its side effect).
        from . import schema  # noqa: F401
