from django.contrib import admin

from .models import Connection, ConnectionToken, ScimRequest


class ConnectionTokenInline(admin.TabularInline):
    model = ConnectionToken
    fields = ("__str__", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "provider", "public_id", "created_at", "deleted_at")
    list_filter = ("provider", "organization")
    search_fields = ("name", "public_id", "organization__name")
    readonly_fields = ("public_id", "created_by", "created_at")
    inlines = [ConnectionTokenInline]


@admin.register(ScimRequest)
class ScimRequestAdmin(admin.ModelAdmin):
    list_display = ("created_at", "connection", "method", "path", "status_code", "outcome", "operation")
    list_filter = ("outcome", "operation")
    search_fields = ("path", "resource_id", "connection__name")
    list_select_related = ("connection",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
