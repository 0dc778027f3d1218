"""Support staff's view of the audit trail: everything, searchable, read-only."""

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "organization",
        "actor_display",
        "actor_kind",
        "action_label",
        "target_label",
    )
    list_filter = ("actor_kind", "action", "organization")
    search_fields = ("actor_name", "actor_email", "action", "target_label", "organization__name")
    list_select_related = ("organization",)
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "organization",
        "actor_display",
        "actor_kind",
        "action",
        "action_label",
        "target_type",
        "target_id",
        "target_label",
        "before",
        "after",
    )
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description="who", ordering="actor_name")
    def actor_display(self, event: AuditEvent) -> str:
        return event.actor_display

    @admin.display(description="action", ordering="action")
    def action_label(self, event: AuditEvent) -> str:
        return event.action_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
