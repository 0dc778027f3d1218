from django.contrib import admin

from .models import SsoConfiguration


@admin.register(SsoConfiguration)
class SsoConfigurationAdmin(admin.ModelAdmin):
    """Support looks organizations' single sign-on up; admins change it in the portal's settings."""

    list_display = ("organization", "provider", "protocol", "enabled", "jit_create", "updated_at")
    list_filter = ("provider", "protocol", "enabled")
    search_fields = ("organization__name", "organization__slug", "oidc_issuer", "saml_idp_metadata_url")
    # Secrets never appear: the encrypted fields are not editable and not listed.
    readonly_fields = ("public_id", "saml_sp_certificate", "created_at", "updated_at")
    exclude = ("saml_idp_metadata_xml",)

    def has_add_permission(self, request):
        return False
