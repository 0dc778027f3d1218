import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagedly_portal.settings")
application = get_wsgi_application()

# The URLs and every view they import, now rather than on a worker's first request: gunicorn
# loads this module once and forks its workers from it (preload_app), so a new or recycled worker
# starts with all of it in memory. No connection may be shared with the forked workers.
import_module(settings.ROOT_URLCONF)
connections.close_all()
