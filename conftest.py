import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer

from employees.tests.factories import EmployeeFactory, OrganizationFactory
from engagedly_portal.optional_redis import redis_client, redis_reset
from integrations.activity_log import activity_log


@pytest.fixture(scope="session", autouse=True)
def live_server_backlog():
    """The live test server takes bursts of connections as gunicorn does: socketserver's listen
    backlog of 5 would reset the connections of thirty simultaneous IdP requests."""
    ThreadedWSGIServer.request_queue_size = 128


@pytest.fixture(autouse=True)
def no_activity_from_earlier_tests():
    """Activity records a test left queued belong to its rolled-back database (or, after the last
    test, to a test database about to be dropped)."""
    activity_log.discard()
    yield
    activity_log.discard()


@pytest.fixture(autouse=True)
def redis_answers_again():
    """A test that stopped Redis leaves this process's pause behind (engagedly_portal.optional_redis)."""
    redis_reset()


@pytest.fixture(autouse=True)
def fresh_scim_list_cache():
    """Organization ids repeat between tests (rolled back, or a new test database against the same
    Redis): what SCIM list pages remembered about an earlier test's organization must not serve
    this one's. Only those keys go from Redis, which also carries the Celery broker's."""
    if not settings.REDIS_URL:
        cache.clear()
        return
    client = redis_client()
    stale = list(client.scan_iter(match="scim-roster:*", count=1000))
    if stale:
        client.delete(*stale)


@pytest.fixture
def acme(db):
    return OrganizationFactory(name="Acme", slug="acme", provisioning_enabled=True)


@pytest.fixture
def outsider_org(db):
    return OrganizationFactory(name="Globex", slug="globex", provisioning_enabled=True)


@pytest.fixture
def acme_admin(acme):
    return EmployeeFactory(
        organization=acme, email="admin@acme.example", is_org_admin=True, password="pw-Admin-123"
    )


@pytest.fixture
def acme_employee(acme):
    return EmployeeFactory(organization=acme, email="plain@acme.example", password="pw-Plain-123")


@pytest.fixture
def outsider_admin(outsider_org):
    return EmployeeFactory(
        organization=outsider_org, email="admin@globex.example", is_org_admin=True, password="pw-Globex-123"
    )


def signed_in(client, employee):
    client.force_login(employee.user, backend="employees.backends.EmployeeEmailBackend")
    return client


@pytest.fixture
def admin_client(client, acme_admin):
    return signed_in(client, acme_admin)


@pytest.fixture
def eager_tasks(settings):
    """Tasks run in-process at commit, as in `make run`, even when REDIS_URL points at a broker."""
    from engagedly_portal.celery import app

    saved = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
