"""``GET /health``: 200 when PostgreSQL and Temporal answer, 503 naming the one that does not."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy import text

from services.deps import app_context

CHECK_SECONDS = 3.0


async def _database(request: Request[Any, Any, Any]) -> str:
    async with app_context(request).engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return "ok"


async def _temporal(request: Request[Any, Any, Any]) -> str:
    client = await app_context(request).temporal()
    await client.service_client.check_health()
    return "ok"


async def _check(probe: Any, request: Request[Any, Any, Any]) -> str:
    try:
        return str(await asyncio.wait_for(probe(request), CHECK_SECONDS))
    except Exception as exc:
        return f"unavailable: {type(exc).__name__}: {exc}"[:300]


@get(
    "/health",
    exclude_from_auth=True,
    tags=["health"],
    summary="健康检查 / health",
    responses={
        503: ResponseSpec(data_container=dict[str, str], description="某项依赖不可用 / a dependency is unavailable")
    },
)
async def health(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    database, temporal = await asyncio.gather(_check(_database, request), _check(_temporal, request))
    ok = database == "ok" and temporal == "ok"
    body = {"status": "ok" if ok else "unavailable", "database": database, "temporal": temporal}
    return Response(body, status_code=200 if ok else 503)
