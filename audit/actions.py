"""The actions the audit trail knows by name. Other features add theirs with `register`."""

LABELS: dict[str, str] = {
    "provisioning.enabled": "Turned the identity-provider integration on",
    "provisioning.disabled": "Turned the identity-provider integration off",
    "organization.settings_changed": "Changed organization settings",
    "connection.created": "Created a connection",
    "connection.deleted": "Deleted a connection",
    "token.issued": "Generated a token",
    "token.revoked": "Revoked a token",
    "token.changed": "Changed a token",
    "employee.created": "Added an employee",
    "employee.updated": "Changed an employee",
    "employee.deactivated": "Deactivated an employee",
    "employee.reactivated": "Reactivated an employee",
    "alerts.preference_changed": "Changed alert emails",
    "activity.retention_changed": "Changed activity retention",
}


def register(action: str, label: str) -> None:
    """Name a feature's own action (brake decisions, mapping changes, sign-in events, ...)."""
    LABELS[action] = label


def action_label(action: str) -> str:
    return LABELS.get(action) or action.replace(".", ": ").replace("_", " ").capitalize()
