from django.contrib import admin

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Support staff see who holds keys and may revoke them; the secret itself is never stored."""

    list_display = ["__str__", "name", "employee", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "employee__email", "lookup"]
    readonly_fields = ["employee", "lookup", "digest", "created_at", "last_used_at"]
    fields = [
        "employee",
        "name",
        "lookup",
        "digest",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]

    def has_add_permission(self, request):
        return False
