# syntax=docker/dockerfile:1
# Two stages: dependencies are installed and static files collected in `build`; the runtime image
# gets the virtualenv and the code only (no pip cache, no test or benchmark tools) and runs as an
# unprivileged user. requirements.txt is the runtime set; requirements-dev.txt never enters.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
WORKDIR /app
COPY . .
# The development settings module with DEBUG off: collectstatic needs no secret, and the manifest
# storage's hashed names are what production serves. This key exists only in this build step.
RUN DJANGO_SETTINGS_MODULE=engagedly_portal.settings DEBUG=0 SECRET_KEY=collectstatic-build-step \
    python manage.py collectstatic --noinput -v0

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=engagedly_portal.settings_production DEBUG=0 HOST=0.0.0.0 PORT=8000
# xmlsec1: pysaml2 verifies SAML signatures with it.
RUN apt-get update && apt-get install -y --no-install-recommends xmlsec1 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home --shell /usr/sbin/nologin portal
COPY --from=build /opt/venv /opt/venv
# Owned by root and read-only to the app: a compromised process cannot rewrite the code it runs.
COPY --from=build /app /app
WORKDIR /app
USER portal
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 CMD ["python", "deploy/healthcheck.py"]
CMD ["gunicorn", "engagedly_portal.wsgi:application", "-c", "gunicorn.conf.py"]
