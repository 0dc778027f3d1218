from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"

    def ready(self) -> None:
        from django.db.models import CharField
        from django.db.models.functions import Lower

        from . import receivers  # noqa: F401  (connects the signal receivers)

        # `field__lower=...` compiles to lower(column) = ..., the expression of the
        # case-insensitive unique indexes the SCIM userName and email lookups rely on.
        CharField.register_lookup(Lower)
