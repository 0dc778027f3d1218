"""Login accounts: the Django user an employee signs in with, created when they get a way to sign in.

An employee's account is optional. Identity providers' employees get none when provisioned
(their passwords are never stored, so nobody could sign in with it); employee_set_password
creates it the first time one is set. Deactivation and reactivation (see lifecycle) apply to
the account when there is one.
"""

import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Employee

User = get_user_model()


def _new_account(*, password: str | None, is_active: bool = True):
    # The account carries no email of its own: sign-in looks the employee up by theirs.
    # No password means an unusable one until one is set.
    return User.objects.create_user(username=f"e-{uuid.uuid4().hex}", password=password, is_active=is_active)


@transaction.atomic
def employee_set_password(*, employee: Employee, password: str) -> Employee:
    """Set the password the employee signs in with, creating their login account if they have none.

    A new account is active only if the employee is: a deactivated employee stays unable to sign
    in until reactivated, which turns the account on. The employee's row is locked so that two
    concurrent calls create one account, and its version is bumped with the link so that a
    reactivation working from the row as read before it (and so not seeing the account) re-reads
    it under the lock and turns the account on.
    """
    locked = Employee.objects.select_for_update().only("pk", "user_id", "status").get(pk=employee.pk)
    if locked.user_id is not None:
        user = User.objects.get(pk=locked.user_id)
        user.set_password(password)
        user.save(update_fields=["password"])
    else:
        user = _new_account(password=password, is_active=locked.status == Employee.Status.ACTIVE)
        Employee.objects.filter(pk=locked.pk).update(
            user=user, version=F("version") + 1, updated_at=timezone.now()
        )
        employee.refresh_from_db(fields=["version", "updated_at"])
    employee.user = user
    return employee
