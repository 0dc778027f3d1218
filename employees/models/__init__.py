"""The HR domain: organizations, their employees and teams. Knows nothing of identity providers."""

from .accounts import SignInEvent, UserSession
from .background import BackgroundHeartbeat
from .custom_fields import CustomField
from .people import Employee, Organization, Team

__all__ = [
    "BackgroundHeartbeat",
    "CustomField",
    "Employee",
    "Organization",
    "SignInEvent",
    "Team",
    "UserSession",
]
