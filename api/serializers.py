"""What the API reads and writes. Reads render the selectors' objects; writes validate input only
(the services decide)."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditEvent
from employees.custom_fields import custom_value_clean
from employees.models import Employee
from integrations.models import Connection, ProvisionedDeactivation, ScimRequest
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
    field = serializers.CharField(
        max_length=64, required=False, help_text="A custom field's key; filter by it with `value`."
    )
    value = serializers.CharField(
        max_length=200,
        required=False,
        help_text="The custom field's value: text contains it (any case), other types equal it.",
    )

    def validate(self, data):
        """`field` and `value` together; the key one of the organization's active custom fields
        (context `custom_fields`), the value of the field's type."""
        if ("field" in data) != ("value" in data):
            missing = "value" if "field" in data else "field"
            raise serializers.ValidationError({missing: ["Give `field` and `value` together."]})
        if "field" not in data:
            return data
        field = self.context["custom_fields"].get(data["field"])
        if field is None:
            raise serializers.ValidationError(
                {"field": [f"No active custom field has the key “{data['field']}”."]}
            )
        if field.field_type != field.Type.TEXT:
            try:
                custom_value_clean(field, data["value"])
            except ValidationError as exc:
                raise serializers.ValidationError({"value": exc.messages}) from exc
        data["custom_field"] = field
        return data


class EmployeeSerializer(serializers.ModelSerializer):
    custom_values = serializers.SerializerMethodField(
        help_text="Every active custom field by key, null when not set; archived fields are left out."
    )

    @extend_schema_field({"type": "object", "additionalProperties": {"nullable": True}})
    def get_custom_values(self, employee) -> dict:
        stored = employee.custom_values or {}
        return {key: stored.get(key) for key in self.context["custom_fields"]}

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
            "custom_values",
        ]


class HeldDeactivationSerializer(serializers.ModelSerializer):
    """A deactivation the brake holds: who, when, which request, why."""

    employee_name = serializers.CharField(source="employee.full_name")
    employee_email = serializers.CharField(source="employee.email")
    request = serializers.CharField(help_text="The SCIM request that asked for it, e.g. `PATCH /Users/42`.")
    deleted = serializers.BooleanField(help_text="A DELETE: hidden from the identity provider while held.")
    reason_label = serializers.CharField(source="get_reason_display")

    class Meta:
        model = ProvisionedDeactivation
        fields = [
            "id",
            "employee",
            "employee_name",
            "employee_email",
            "created_at",
            "request",
            "deleted",
            "reason",
            "reason_label",
        ]


class HeldDecisionSerializer(serializers.Serializer):
    """Which held deactivations to decide on: `ids` (of this connection's held ones), or `"all": true`."""

    # The view passes the connection's held ids as context `held_ids`.

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=False, max_length=1000
    )
    all = serializers.BooleanField(required=False, default=False, help_text="Every held deactivation.")

    def validate(self, data):
        if data["all"] == ("ids" in data):
            raise serializers.ValidationError({"non_field_errors": ['Give either `ids` or `"all": true`.']})
        unknown = sorted(set(data.get("ids", [])) - set(self.context["held_ids"]))
        if unknown:
            listed = ", ".join(map(str, unknown))
            raise serializers.ValidationError({"ids": [f"Not held on this connection: {listed}."]})
        return data

    def chosen(self) -> list[int] | None:
        """The ids for integrations.held, None for all."""
        return None if self.validated_data["all"] else self.validated_data["ids"]


class HeldOutcomeSerializer(serializers.Serializer):
    done = serializers.IntegerField(help_text="How many were applied or kept active.")
    refused = serializers.ListField(
        child=serializers.CharField(),
        help_text="Not deactivated, as the organization's last active admin: they stay held.",
    )
    still_held = serializers.IntegerField(help_text="How many the connection still holds.")


class AuditFilterSerializer(serializers.Serializer):
    action = serializers.CharField(
        max_length=64, required=False, help_text="An action's dotted name, e.g. `token.revoked`."
    )
    actor = serializers.CharField(max_length=200, required=False, help_text="Words in the name or email.")
    date_from = serializers.DateField(required=False, help_text="From this day (inclusive), YYYY-MM-DD.")
    date_to = serializers.DateField(required=False, help_text="To this day (inclusive), YYYY-MM-DD.")

    def validate_action(self, value: str) -> str:
        if value not in self.context["actions"]:
            raise serializers.ValidationError(f"Unknown action “{value}”.")
        return value

    def validate(self, data):
        if "date_from" in data and "date_to" in data and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": ["The end date is before the start date."]})
        return data


class AuditEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField()
    before = serializers.JSONField(help_text="The fields that changed, as they were.")
    after = serializers.JSONField(help_text="The fields that changed, as they are now.")

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor_name",
            "actor_email",
            "actor_kind",
            "action",
            "action_label",
            "target_type",
            "target_id",
            "target_label",
            "before",
            "after",
        ]
