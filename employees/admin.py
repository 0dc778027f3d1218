from django.contrib import admin

from .models import Employee, Organization, Team


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "okta_enabled", "created_at")
    list_editable = ("okta_enabled",)
    list_filter = ("okta_enabled",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "first_name",
        "last_name",
        "organization",
        "status",
        "manager_link",
        "manager_link_error",
    )
    list_filter = ("organization", "status", "manager_link", "is_org_admin")
    search_fields = ("email", "username", "first_name", "last_name", "employee_number", "external_id")
    list_select_related = ("organization",)
    raw_id_fields = ("manager", "user", "source_connection")
    readonly_fields = (
        "created_at",
        "updated_at",
        "activated_at",
        "deactivated_at",
        "deactivation_applied_at",
        "manager_link_pending_since",
        "provider_deleted_at",
        "version",
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "created_at")
    list_filter = ("organization",)
    search_fields = ("name", "external_id")
    raw_id_fields = ("members", "source_connection")
