# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000


.PHONY: run test serve worker worker-only bench-background bench-profile background-health lint format migrations-check install browser xmlsec clean scim-test bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Runtime and development sets: the tests need both (the image installs requirements.txt only).
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed xmlsec

# SAML sign-in: pysaml2 verifies and makes XML signatures with Debian's xmlsec1 binary.
xmlsec:
	@command -v xmlsec1 >/dev/null 2>&1 || { \
	  echo "Installing Debian's xmlsec1 for SAML single sign-on"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1 >/dev/null; }

# Debian's Chromium for the browser tests (test tools may not download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The demo admin keeps its password across runs; DEMO_PASSWORD=... sets one, DEMO_RESET=1 makes a new one.
run: install
	$(BIN)/python manage.py migrate --noinput
	PORT=$(PORT) $(BIN)/python manage.py seed_demo $(if $(DEMO_RESET),--reset-password)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install browser
	DJANGO_SETTINGS_MODULE=engagedly_portal.settings_test $(BIN)/python -m pytest $(PYTEST_ARGS)

# Production settings: refuses to start with a placeholder SECRET_KEY, DEBUG on or no ALLOWED_HOSTS.
serve: export DJANGO_SETTINGS_MODULE = engagedly_portal.settings_production
serve: install
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn engagedly_portal.wsgi:application -c gunicorn.conf.py

# One worker with the beat scheduler (the periodic sweep). Scale out with `make worker-only`
# on more terminals or machines: exactly one process may run beat.
worker: install
	$(BIN)/celery -A engagedly_portal worker --beat --loglevel=info $(WORKER_ARGS)

worker-only: install
	$(BIN)/celery -A engagedly_portal worker --loglevel=info $(WORKER_ARGS)

background-health: install
	$(BIN)/python manage.py background_health

# Against `make serve` + `make worker` on PostgreSQL and Redis (see bench/bench_background.py).
bench-background: install
	$(BIN)/python bench/bench_background.py $(BENCH_ARGS)

# SCIM throughput of `make serve` + `make worker` as shipped, on PostgreSQL and Redis (see
# bench/README.md); `make bench BENCH_ARGS="--before 6effee6"` compares with that commit.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Where a SCIM request's CPU goes, per operation, in one process (see bench/cpu_profile.py).
bench-profile: install
	$(BIN)/python bench/cpu_profile.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# The SCIM suite alone, scim2-tester against a live gunicorn included.
scim-test: install
	$(BIN)/python -m pytest integrations/tests/ -k scim $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
