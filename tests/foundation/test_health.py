"""/health names the failing dependency."""

from __future__ import annotations

import httpx


async def test_health_is_503_naming_temporal_when_it_is_down(client: httpx.AsyncClient) -> None:
    # The test app has no Temporal server configured: the database is fine, Temporal is not.
    response = await client.get("/health")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "unavailable"
    assert data["database"] == "ok"
    assert data["temporal"].startswith("unavailable")


async def test_openapi_describes_the_routes_and_docs_load_local_assets(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    for path in ("/api/auth/login", "/api/me", "/api/tenants", "/health"):
        assert path in schema["paths"]
    page = (await client.get("/schema/swagger")).text
    assert "cdn" not in page.lower()
    assert "/schema/assets/swagger-ui-bundle.js" in page
    asset = await client.get("/schema/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert len(asset.content) > 100_000
