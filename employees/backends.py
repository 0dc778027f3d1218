"""Sign-in with an employee's email and password; deactivated employees are refused, and so are
the people of an organization that requires single sign-on (its break-glass admins aside)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .models import Employee


class EmployeeEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = (email or username or "").strip()
        if not email or not password:
            return None
        candidates = Employee.objects.filter(
            email__iexact=email, status=Employee.Status.ACTIVE, user__isnull=False
        ).select_related("user", "organization")
        for employee in candidates:
            user = employee.user
            if (
                user.check_password(password)
                and self.user_can_authenticate(user)
                and employee.may_use_password
            ):
                return user
        if not candidates:
            # Run the hasher anyway so response time does not reveal which emails exist.
            get_user_model()().set_password(password)
        return None
