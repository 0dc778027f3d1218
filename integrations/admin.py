"""Support staff's view of connections, tokens and SCIM activity.

Token plaintext is never stored; digests are never shown. Connections are created only in the
portal (the token is shown once to the admin who made it), so support staff can look and revoke.
"""

from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from . import services
from .models import Connection, ConnectionToken, ProvisionedEmployee, ScimRequest
from .scim.activity import person_digest

TOKEN_FIELDS = ("token_hint", "created_by", "created_at", "last_used_at", "revoked_at")


class ConnectionTokenInline(admin.TabularInline):
    model = ConnectionToken
    fields = TOKEN_FIELDS
    readonly_fields = TOKEN_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description="token")
    def token_hint(self, token: ConnectionToken) -> str:
        return str(token)

    def has_add_permission(self, request, obj=None):
        return False


class LiveListFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("deleted", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.filter(deleted_at__isnull=True)
        if self.value() == "deleted":
            return queryset.filter(deleted_at__isnull=False)
        return queryset


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "organization",
        "provider",
        "public_id",
        "live_tokens",
        "last_request_at",
        "created_at",
        "deleted_at",
    )
    list_filter = (LiveListFilter, "provider", "organization__provisioning_enabled", "organization")
    search_fields = ("name", "public_id", "organization__name", "organization__slug")
    list_select_related = ("organization",)
    fields = ("organization", "name", "provider", "public_id", "created_by", "created_at", "deleted_at")
    readonly_fields = fields
    inlines = [ConnectionTokenInline]
    actions = ["revoke_all_tokens"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                live_token_count=Count("tokens", filter=Q(tokens__revoked_at__isnull=True)),
                # A subquery, not a join: the activity table is large and would multiply the token rows.
                latest_request_at=Subquery(
                    ScimRequest.objects.filter(connection=OuterRef("pk"))
                    .order_by("-created_at", "-id")
                    .values("created_at")[:1]
                ),
            )
        )

    @admin.display(description="live tokens", ordering="live_token_count")
    def live_tokens(self, connection: Connection) -> int:
        return connection.live_token_count

    @admin.display(description="last request", ordering="latest_request_at")
    def last_request_at(self, connection: Connection):
        return connection.latest_request_at

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke every live token of the selected connections")
    def revoke_all_tokens(self, request, queryset):
        tokens = ConnectionToken.objects.filter(connection__in=queryset, revoked_at__isnull=True)
        revoked = 0
        for token in tokens:
            services.token_revoke(token=token, actor=request.user)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)


@admin.register(ConnectionToken)
class ConnectionTokenAdmin(admin.ModelAdmin):
    list_display = ("token_hint", "connection", "organization", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "connection__organization")
    search_fields = ("lookup", "connection__name", "connection__public_id", "connection__organization__name")
    list_select_related = ("connection__organization",)
    fields = ("connection", *TOKEN_FIELDS)
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="token", ordering="lookup")
    def token_hint(self, token: ConnectionToken) -> str:
        return str(token)

    @admin.display(description="organization", ordering="connection__organization__name")
    def organization(self, token: ConnectionToken):
        return token.connection.organization

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.token_revoke(token=token, actor=request.user)
            revoked += 1
        self.message_user(
            request, f"Revoked {revoked} token(s) at {timezone.now():%H:%M:%S} UTC.", messages.SUCCESS
        )


@admin.register(ProvisionedEmployee)
class ProvisionedEmployeeAdmin(admin.ModelAdmin):
    """Which connection provisions whom; support staff release an employee by deleting the link."""

    list_display = ("employee", "connection", "linked_at")
    list_filter = ("connection__organization", "connection")
    search_fields = ("employee__email", "employee__username", "connection__name", "connection__public_id")
    list_select_related = ("employee", "connection")
    raw_id_fields = ("employee", "connection")

    def has_add_permission(self, request):
        return False


@admin.register(ScimRequest)
class ScimRequestAdmin(admin.ModelAdmin):
    """The activity record is evidence: support staff read it, nobody edits or deletes it here."""

    list_display = (
        "created_at",
        "connection",
        "method",
        "path",
        "status_code",
        "outcome",
        "operation",
        "employee",
        "subject",
        "duration_ms",
    )
    list_filter = ("outcome", "operation", "connection__organization")
    search_fields = ("path", "resource_id", "detail", "connection__name", "connection__public_id")
    list_select_related = ("connection", "employee")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # A full address also finds the requests that attempted it (refused creates keep only
        # its masked form and keyed digest, see ScimRequest.subject_digest).
        results, duplicates = super().get_search_results(request, queryset, search_term)
        if "@" in search_term:
            results |= queryset.filter(subject_digest=person_digest(search_term))
        return results, duplicates

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Held deactivations and guardrail decisions (a module of their own, to keep this one short).
from . import guard_admin  # noqa: E402, F401
