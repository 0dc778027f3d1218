from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal receivers)
