"""The log keeps stack traces for server errors only: a 4xx is the request's own problem."""

from __future__ import annotations

import logging

import httpx
import pytest
from litestar import get

from services.app import create_app
from services.context import AppContext
from tests.conftest import Auth, asgi_transport


@get("/api/test-broken", opt={"exclude_from_auth": True})
async def broken() -> None:
    raise RuntimeError("a defect in the server")


async def test_a_404_logs_no_trace_and_a_500_does(
    context: AppContext, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(context, extra_handlers=[broken])
    headers = await auth.headers("jinan-admin")
    transport = asgi_transport(app)
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        # Litestar logs to its own logger, which does not propagate to the root one that caplog listens on.
        logging.getLogger("litestar").addHandler(caplog.handler)
        try:
            missing = await client.get("/api/tenants/jinan/streets/999999", headers=headers)
            assert missing.status_code == 404
            assert not [r for r in caplog.records if "Uncaught exception" in r.getMessage()]
            failed = await client.get("/api/test-broken")
            assert failed.status_code == 500
            logged = [r for r in caplog.records if "Uncaught exception" in r.getMessage()]
            assert len(logged) == 1
            assert "a defect in the server" in (logged[0].exc_text or "")
        finally:
            logging.getLogger("litestar").removeHandler(caplog.handler)
