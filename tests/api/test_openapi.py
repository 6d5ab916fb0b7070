from __future__ import annotations

from starlette.testclient import TestClient


def test_the_openapi_document_describes_every_api_route(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    paths = document["paths"]
    assert all(path.startswith("/api/v1/") for path in paths)
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
            responses = operation["responses"]
            assert {"401", "422"} <= set(responses), (method, path)
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_the_api_docs_page_is_served(client: TestClient) -> None:
    assert client.get("/api/docs").status_code == 200
