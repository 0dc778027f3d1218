"""What the API reads and writes. Reads render the selectors' objects; writes validate input only
(the services decide)."""

from rest_framework import serializers

from employees.models import Employee
from integrations.models import Connection, ScimRequest
from integrations.status import Status


class ConnectionSerializer(serializers.Serializer):
    """A connection as the Okta page shows it (a selectors.ConnectionOverview)."""

    id = serializers.IntegerField(source="connection.pk")
    name = serializers.CharField(source="connection.name")
    provider = serializers.CharField(source="connection.provider")
    base_url = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=list(Status.LABELS.items()))
    status_label = serializers.CharField()
    created_at = serializers.DateTimeField(source="connection.created_at")
    last_request_at = serializers.DateTimeField(allow_null=True)
    active_employees = serializers.IntegerField()
    deactivated_employees = serializers.IntegerField()
    live_tokens = serializers.SerializerMethodField()

    def get_base_url(self, overview) -> str:
        return self.context["base_url"](overview.connection)

    def get_live_tokens(self, overview) -> int:
        return len(overview.live_tokens)


class ConnectionCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="For your own reference, e.g. “Okta production”.")
    provider = serializers.ChoiceField(
        choices=Connection.Provider.choices,
        default=Connection.Provider.OKTA,
        help_text="The identity provider, which picks the setup steps shown in the portal.",
    )


class ConnectionCreatedSerializer(serializers.Serializer):
    """The answer to a create: what an admin pastes into Okta. The token is never shown again."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    base_url = serializers.CharField()
    token = serializers.CharField()


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    prefix = serializers.CharField(
        source="__str__", help_text="The token's first characters, to tell it apart."
    )
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(source="last_used", allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class TokenIssuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    token = serializers.CharField(help_text="Shown once; only a digest is stored.")
    created_at = serializers.DateTimeField()


class ActivityFilterSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ScimRequest.Outcome.choices, required=False)
    operation = serializers.ChoiceField(choices=ScimRequest.Operation.choices, required=False)
    since = serializers.DateTimeField(required=False, help_text="From this time (inclusive), ISO 8601.")
    until = serializers.DateTimeField(required=False, help_text="Before this time (exclusive), ISO 8601.")


class ScimRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScimRequest
        fields = [
            "id",
            "created_at",
            "method",
            "path",
            "status_code",
            "outcome",
            "operation",
            "resource_id",
            "employee",
            "detail",
            "duration_ms",
        ]


class EmployeeFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Employee.Status.choices, required=False)
    department = serializers.CharField(max_length=200, required=False, help_text="Exact, any case.")
    manager = serializers.IntegerField(min_value=1, required=False, help_text="The manager's employee id.")
    q = serializers.CharField(max_length=200, required=False, help_text="Words in the name or email.")


class EmployeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Employee
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "display_name",
            "job_title",
            "department",
            "business_unit",
            "location_city",
            "employee_number",
            "manager",
            "manager_email",
            "manager_link",
            "status",
            "is_org_admin",
            "can_manage_integrations",
            "external_id",
            "activated_at",
            "deactivated_at",
            "created_at",
            "updated_at",
        ]
