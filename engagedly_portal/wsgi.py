import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagedly_portal.settings")
application = get_wsgi_application()
# Import the URLconf, and through it every view, now rather than on the first request. A new
# gunicorn worker (at start, and after each max_requests recycle) only accepts connections once
# this module is loaded, so its first requests do not wait about a second on imports.
get_resolver().url_patterns  # noqa: B018
