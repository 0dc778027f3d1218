"""Login accounts: the Django user an employee signs in with, created when they get a way to sign in.

An employee's account is optional. Identity providers' employees get none when provisioned
(their passwords are never stored, so nobody could sign in with it); employee_set_password
creates it the first time one is set. Deactivation and reactivation (see lifecycle) apply to
the account when there is one.
"""

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import models, transaction
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


@transaction.atomic
def employee_login_account(*, employee: Employee) -> Employee:
    """The employee with their login account, created without a usable password if they have none
    (single sign-on and invitations need an account; a password may never be set)."""
    locked = Employee.objects.select_for_update().only("pk", "user_id", "status").get(pk=employee.pk)
    if locked.user_id is None:
        user = _new_account(password=None, is_active=locked.status == Employee.Status.ACTIVE)
        Employee.objects.filter(pk=locked.pk).update(
            user=user, version=F("version") + 1, updated_at=timezone.now()
        )
        employee.refresh_from_db(fields=["user", "version", "updated_at"])
    elif employee.user_id is None:
        employee.refresh_from_db(fields=["user"])
    return employee


@transaction.atomic
def employee_invite(*, employee: Employee, base_url: str) -> bool:
    """Email the employee a link to set their password (sent by a task once this commits).

    Only active employees whose organization lets them use a password are invited; returns
    whether an invitation was queued. The link is Django's password-reset token: it expires
    after PASSWORD_RESET_TIMEOUT and stops working once a password is set.
    """
    from ..tasks import enqueue_account_email

    if not employee.is_active or not employee.may_use_password:
        return False
    employee = employee_login_account(employee=employee)
    now = timezone.now()
    Employee.objects.filter(pk=employee.pk).update(invited_at=now, invitation_pending_since=now)
    employee.invited_at = employee.invitation_pending_since = now
    employee_pk = employee.pk
    transaction.on_commit(lambda: enqueue_account_email(employee_pk, "invitation", base_url))
    return True


def employees_invite(*, organization, base_url: str) -> int:
    """Invite every active employee of the organization who has no password yet; returns how many."""
    pending = Employee.objects.filter(organization=organization, status=Employee.Status.ACTIVE).filter(
        models.Q(user__isnull=True) | models.Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    )
    return sum(
        employee_invite(employee=employee, base_url=base_url)
        for employee in pending.select_related("organization")
    )


def password_reset_request(*, email: str, base_url: str) -> int:
    """Email a reset link to each active employee with this email who may use a password.

    Returns how many links were queued; the page says the same whatever the count, so it does
    not reveal which emails exist. People whose organization requires SSO get none.
    """
    from ..tasks import enqueue_account_email

    employees = Employee.objects.filter(
        email__iexact=email.strip(), status=Employee.Status.ACTIVE, user__isnull=False, user__is_active=True
    ).select_related("organization")
    queued = 0
    for employee in employees:
        if employee.may_use_password:
            employee_pk = employee.pk
            transaction.on_commit(
                lambda pk=employee_pk: enqueue_account_email(pk, "password_reset", base_url)
            )
            queued += 1
    return queued


def employee_invitation_done(*, employee_id: int) -> None:
    """The invitation's email went out (or no longer applies): the sweep leaves it alone."""
    Employee.objects.filter(pk=employee_id, invitation_pending_since__isnull=False).update(
        invitation_pending_since=None
    )


def employees_invitation_retry(*, employee_ids: list[int]) -> None:
    """Restart the wait of invitations the sweep re-sends."""
    Employee.objects.filter(pk__in=employee_ids, invitation_pending_since__isnull=False).update(
        invitation_pending_since=timezone.now()
    )
