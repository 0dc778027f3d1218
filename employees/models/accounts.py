"""Sign-in: sessions that know their user, and the record of sign-in attempts."""

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models

from .people import Employee, Organization


class UserSession(AbstractBaseSession):
    """A database session that records its user, so a deactivation ends every session with one query."""

    user_id = models.BigIntegerField(null=True, db_index=True)

    @classmethod
    def get_session_store_class(cls):
        from ..sessions import SessionStore

        return SessionStore


class SignInEvent(models.Model):
    """One sign-in attempt, successful or not, as the organization's admins and support see it."""

    class Method(models.TextChoices):
        PASSWORD = "password", "Password"
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"
        PASSWORD_LINK = "password_link", "Password set from an emailed link"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Signed in"
        FAILURE = "failure", "Refused"
        LOCKED_OUT = "locked_out", "Locked out"

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    employee = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.CharField(max_length=254, blank=True)
    method = models.CharField(max_length=16, choices=Method.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    detail = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="signinevent_org_time")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} sign-in {self.outcome} for {self.email or '?'}"
