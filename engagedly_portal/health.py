"""Health of the background work, for support staff, operators and monitors.

One report (background_report) read three ways: `manage.py background_health`, the support-staff
page /healthz/background, and /healthz/background/probe, which answers 200 or 503 as JSON without
a session, to a bearer token (HEALTH_PROBE_TOKEN) or to a request from HEALTH_PROBE_NETWORKS.

What the verdict trusts, and why: a worker's heartbeat (a database row it overwrites every few
seconds while connected to the broker), beat's (each sweep, which only beat sends, overwrites
its row), and the age of the oldest due item of each kind as the database records it. The
broker's "unacknowledged" count is shown but judged by nobody: it keeps the messages of a dead
worker until the visibility timeout, long after they stopped meaning anything.
"""

import hmac
import ipaddress

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from employees import selectors
from integrations.activity_log import activity_records_dropped

from .celery import queue_stats


def background_report() -> dict:
    report = {**selectors.background_backlog(), **selectors.background_heartbeats()}
    report["activity_records_dropped"] = activity_records_dropped()
    try:
        report.update(queue_stats())
    except Exception as exc:  # Redis down: the report still shows the database side
        report.update({"queue": None, "queued": None, "unacknowledged": None, "broker_error": str(exc)[:200]})
    return report


def background_problems(report: dict) -> list[str]:
    """Why the background work is failing now; empty when it is healthy.

    Without a broker (tasks run in the requests themselves) there is no worker to wait for.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    problems = []
    if report.get("broker_error"):
        problems.append(f"The broker does not answer: {report['broker_error']}")
    for kind, limit in (
        ("worker", settings.HEALTH_WORKER_SILENCE_SECONDS),
        ("beat", settings.HEALTH_BEAT_SILENCE_SECONDS),
    ):
        silence = report[f"{kind}_last_seen_seconds"]
        if silence is None:
            problems.append(f"No {kind} has ever been seen.")
        elif silence > limit:
            problems.append(f"No {kind} seen for {silence:.0f} s (limit {limit:.0f} s).")
    for key, what in (
        ("oldest_deactivation_pending_seconds", "A deactivation"),
        ("oldest_manager_link_due_seconds", "A manager link whose manager exists"),
    ):
        age = report[key]
        if age is not None and age > settings.HEALTH_MAX_DUE_SECONDS:
            problems.append(f"{what} has waited {age:.0f} s (limit {settings.HEALTH_MAX_DUE_SECONDS:.0f} s).")
    return problems


def _probe_allowed(request) -> bool:
    token = settings.HEALTH_PROBE_TOKEN
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    try:
        # The peer address: behind a proxy that is the proxy, so list the proxy's network or use
        # the token. X-Forwarded-For is not trusted; anyone can send it.
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.HEALTH_PROBE_NETWORKS)


@never_cache
def background_probe(request):
    """200 when the background work is healthy, 503 with the reasons when it is not; JSON either way."""
    if not _probe_allowed(request):
        return JsonResponse(
            {"detail": "Send Authorization: Bearer <token>, or probe from an allowed network."},
            status=403,
        )
    report = background_report()
    problems = background_problems(report)
    return JsonResponse(
        {"status": "failing" if problems else "ok", "problems": problems, **report},
        status=503 if problems else 200,
    )


@staff_member_required
def background_health(request):
    report = background_report()
    return JsonResponse({"problems": background_problems(report), **report})
