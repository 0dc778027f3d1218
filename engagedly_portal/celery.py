"""Celery application. The broker is Redis (REDIS_URL); without it tasks run in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagedly_portal.settings")

app = Celery("engagedly_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
