"""The OpenAPI document: valid OpenAPI 3, every endpoint in it, and the reference page."""

import re

import yaml
from django.test import Client
from django.urls import URLPattern, get_resolver
from openapi_spec_validator import validate

from api import urls as api_urls


def _document() -> dict:
    response = Client().get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _api_paths() -> set[str]:
    """Every route of api/urls.py but the document, its page and the catch-all, in OpenAPI form."""
    paths = set()
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in {"schema", "docs", None}:
            continue
        route = str(pattern.pattern)
        paths.add(
            "/api/v1/" + re.sub(r"<int:(\w+)>", lambda m: "{" + ("id" if m[1] == "pk" else m[1]) + "}", route)
        )
    return paths


def test_the_document_is_valid_openapi_3(db):
    document = _document()
    assert document["openapi"].startswith("3.")
    validate(document)


def test_the_document_lists_every_endpoint_and_verb(db):
    document = _document()
    assert set(document["paths"]) == _api_paths()
    for path in ("connections/{id}/held/apply/", "connections/{id}/held/keep/", "audit/", "audit.csv"):
        assert "/api/v1/" + path in document["paths"]
    resolver = get_resolver()
    for path, operations in document["paths"].items():
        view = resolver.resolve(re.sub(r"\{\w+\}", "1", path)).func.view_class
        verbs = {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}
        assert set(operations) - {"parameters"} == verbs, path
        for operation in operations.values():
            assert operation["security"] == [{"apiKey": []}], path
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_the_reference_page_serves_swagger_ui_from_our_own_files(db):
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<style" not in page and "cdn." not in page
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert len(scripts) == 3 and all(src.startswith("/") for src in scripts)
    assert Client().get(scripts[-1]).status_code == 200


def test_every_operation_documents_the_error_shape(db):
    document = _document()
    assert document["components"]["schemas"]["Error"]["required"] == ["status", "code", "detail"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403", "429"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, status)
            assert ("404" in operation["responses"]) == ("{" in path), (path, method)
