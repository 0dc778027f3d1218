"""End the portal session of an employee who has been deactivated."""

from django.conf import settings
from django.contrib.auth import logout

from .models import Employee


class DeactivatedEmployeeLogoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # No session, so nobody signed in here (SCIM and API calls): the session store and
            # the user are not even looked up.
            request.employee = None
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            employee = Employee.objects.select_related("organization").filter(user=user).first()
            request.employee = employee
            if employee is not None and employee.status != Employee.Status.ACTIVE:
                # Sign-in is blocked at once, before the background task ends every session.
                logout(request)
                request.employee = None
        else:
            request.employee = None
        return self.get_response(request)
