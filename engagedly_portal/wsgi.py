import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagedly_portal.settings")
application = get_wsgi_application()
# Import the URLconf, and through it every view, with the application rather than on its first
# request: gunicorn's master preloads this module (gunicorn.conf.py), or each worker loads it
# before accepting connections, so no request waits about a second on imports.
get_resolver().url_patterns  # noqa: B018
