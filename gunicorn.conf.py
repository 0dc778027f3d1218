"""Gunicorn settings for `make serve`; each value can be overridden from the environment.

Two processes of four threads each (gthread): SCIM requests spend much of their time waiting on
PostgreSQL and Redis, which threads overlap, and gthread keeps an identity provider's connections
alive between requests (sync workers close every one). bench/README.md has the figures.
"""

import gc
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "65"))
keepalive = 5
# Identity providers send long request lines (a filter, an attributes list): beyond gunicorn's
# 4 KiB default, up to the 1 MiB SCIM body limit (0 is gunicorn's "no limit of its own").
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "0"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# Recycle workers now and then so memory stays flat over weeks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
# The master loads the application once and each worker is a fork of it: a new worker (at start,
# after a recycle) accepts connections at once instead of after seconds of imports, during which
# the other worker, recycling too, could leave no one accepting. The workers share that memory.
# Nothing connects to PostgreSQL or Redis at import, so no connection is shared across a fork.
# GUNICORN_PRELOAD=0 loads the application in each worker instead.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"


def when_ready(server):
    # Python's documented advice for fork without exec: objects loaded before the fork move to a
    # permanent generation, so the workers' collections do not write to (and copy) their pages.
    gc.freeze()


def worker_exit(server, worker):
    # A graceful stop or recycle writes the SCIM activity records still queued in this worker
    # (integrations/activity_log.py) before the process ends.
    from integrations.activity_log import activity_log

    activity_log.close()
