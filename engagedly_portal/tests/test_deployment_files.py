"""The container files, read as an operator would: what ships, who runs it, what restarts."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
LONG_RUNNING = ("postgres", "redis", "web", "worker", "beat")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_dockerignore_keeps_secrets_local_state_and_dev_tools_out():
    ignored = dockerignore()
    for pattern in (".env", ".venv", "*.sqlite3", ".git", "bench", "**/tests", "requirements-dev.txt"):
        assert pattern in ignored, pattern
    assert "!.env.example" in ignored


def test_image_is_multi_stage_runs_as_non_root_with_runtime_deps_and_a_health_check():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    dockerfile = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    stages = re.findall(r"^FROM \S+ AS (\w+)", dockerfile, re.M)
    assert stages == ["build", "runtime"]
    runtime = dockerfile.split("AS runtime", 1)[1]
    users = re.findall(r"^USER (\S+)", runtime, re.M)
    assert users and users[-1] not in {"root", "0"}
    assert "COPY --from=build" in runtime and "pip install" not in runtime
    assert "pip install -r /tmp/requirements.txt" in dockerfile and "requirements-dev" not in dockerfile
    assert re.search(r"^HEALTHCHECK .*CMD", runtime, re.M)
    assert "DJANGO_SETTINGS_MODULE=engagedly_portal.settings_production" in runtime


def test_runtime_requirements_carry_no_test_or_benchmark_tools():
    runtime = (ROOT / "requirements.txt").read_text().lower()
    for tool in ("pytest", "playwright", "py-spy", "ruff", "hypothesis", "scim2-tester", "pyinstrument"):
        assert tool not in runtime, tool
    dev = (ROOT / "requirements-dev.txt").read_text()
    assert dev.splitlines()[1] == "-r requirements.txt"
    for path in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / path).read_text().splitlines():
            if line and not line.startswith(("#", "-r")):
                assert re.fullmatch(r"[\w.\-\[\]]+==[\w.]+", line), f"{path}: {line} is not pinned"


def test_every_service_restarts_and_has_a_health_check():
    services = compose()["services"]
    assert set(services) == {*LONG_RUNNING, "migrate"}
    for name in LONG_RUNNING:
        assert services[name]["restart"] == "unless-stopped", name
        assert services[name]["healthcheck"]["test"], name
    # The one-shot is retried on failure, never restarted after it succeeded.
    assert services["migrate"]["restart"].startswith("on-failure")


def test_migrations_run_once_before_web_worker_and_beat():
    services = compose()["services"]
    assert "migrate" in " ".join(services["migrate"]["command"])
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in " ".join(services[name]["command"]), name


def test_no_literal_secret_in_the_compose_file():
    text = (ROOT / "docker-compose.yml").read_text()
    services = compose()["services"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    # Passwords inside URLs come from the environment too.
    for url in re.findall(r"\w+://[^\s\"']+", text):
        credentials = re.match(r"\w+://([^@/]*)@", url)
        if credentials:
            assert re.fullmatch(r"[\w]*:?\$\{\w+(:\?[^}]*)?\}", credentials[1]), url
    assert not re.search(r"(PASSWORD|SECRET_KEY)\s*[:=]\s*[\"']?[A-Za-z0-9]", text)
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["env_file"] == ".env"


def test_redis_requires_a_password():
    redis = compose()["services"]["redis"]
    assert "--requirepass" in " ".join(redis["command"])
    assert redis["environment"]["REDIS_PASSWORD"].startswith("${REDIS_PASSWORD:?")
    assert re.fullmatch(
        r"redis://:\$\{REDIS_PASSWORD:\?[^}]*\}@redis:6379/0",
        compose()["services"]["web"]["environment"]["REDIS_URL"],
    )
