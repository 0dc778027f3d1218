"""The background-work health view: queue depth and the oldest unfinished item, for support and monitors."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse

from engagedly_portal.celery import queue_stats

from . import selectors


def background_report() -> dict:
    report = selectors.background_backlog()
    try:
        report.update(queue_stats())
    except Exception as exc:  # Redis down: the report still shows the database side
        report.update({"queue": None, "queued": None, "unacknowledged": None, "broker_error": str(exc)[:200]})
    return report


@staff_member_required
def background_health(request):
    return JsonResponse(background_report())
