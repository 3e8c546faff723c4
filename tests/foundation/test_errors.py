"""Every 4xx answers in Chinese and English with Litestar's shape; bodies are bounded; an outage answers 503."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from infra.local import free_port
from infra.settings import Settings
from services.app import create_app
from services.context import AppContext
from services.shared.bounds import MAX_BODY_BYTES, MAX_JSON_DEPTH, too_deep
from tests.conftest import Auth, asgi_transport, body
from tests.streetdata_fixtures import create_street, import_file, street_body

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def assert_bilingual(response: httpx.Response, status: int) -> dict[str, Any]:
    """``response`` is ``status`` with Litestar's shape and a "中文 / English" detail."""
    assert response.status_code == status, response.text
    data: dict[str, Any] = body(response)
    assert set(data) <= {"status_code", "detail", "extra"}, data
    assert data["status_code"] == status
    zh, separator, en = data["detail"].partition(" / ")
    assert separator, data["detail"]
    assert CHINESE.search(zh), data["detail"]
    assert re.search(r"[A-Za-z]", en), data["detail"]
    return data


# ------------------------------------------------------------------------------------------ the error shape


async def test_validation_names_the_field_what_it_expects_and_the_allowed_values(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    headers = await auth.headers("jinan-admin")
    query = assert_bilingual(await client.get("/api/tenants/jinan/streets?status=approved", headers=headers), 400)
    [problem] = query["extra"]
    assert problem["field"] == "status"
    assert problem["source"] == "query"
    assert "applied" in problem["allowed"]
    assert "withdrawn" in problem["allowed"]
    assert "approved" in query["detail"]
    assert "withdrawn" in query["detail"]

    nested = street_body(center={"services": ["mentoring", "yoga"]})
    data = assert_bilingual(await client.post("/api/tenants/jinan/streets", json=nested, headers=headers), 400)
    [problem] = data["extra"]
    assert problem["field"] == "center.services[1]"
    assert "policy_consultation" in problem["allowed"]

    alias = assert_bilingual(await client.get("/api/tenants/jinan/ledger?entityId=abc", headers=headers), 400)
    assert alias["extra"][0]["field"] == "entityId"  # the name the client sent, not the Python one
    assert "整数" in alias["detail"]

    missing = assert_bilingual(
        await client.post("/api/tenants/jinan/streets", json={"district": "370102"}, headers=headers), 400
    )
    assert "缺少必填字段 name" in missing["detail"]
    unknown = assert_bilingual(
        await client.post("/api/tenants/jinan/streets", json={**street_body(), "colour": "red"}, headers=headers), 400
    )
    assert "colour" in unknown["detail"]
    bounded = assert_bilingual(await client.get("/api/tenants/jinan/streets?limit=0", headers=headers), 400)
    assert "≥ 1" in bounded["detail"]
    assert "limit" in bounded["detail"]
    no_year = assert_bilingual(await client.delete("/api/tenants/jinan/rules/anything", headers=headers), 400)
    assert "year" in no_year["detail"]


async def test_malformed_json_401_403_unknown_route_405_and_tenant_answer_in_both_languages(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    admin = await auth.headers("jinan-admin")
    malformed = await client.post(
        "/api/tenants/jinan/streets", content=b'{"name": ', headers={**admin, "content-type": "application/json"}
    )
    assert "JSON" in assert_bilingual(malformed, 400)["detail"]
    assert_bilingual(await client.get("/api/me"), 401)
    assert_bilingual(await client.get("/api/me", headers={"Authorization": "Bearer not-a-token"}), 401)
    assert_bilingual(await client.get("/api/tenants/jinan/audit", headers=await auth.headers("jinan-case")), 403)
    route = assert_bilingual(await client.get("/api/no-such-thing", headers=admin), 404)
    assert "/api/no-such-thing" in route["detail"]
    method = assert_bilingual(await client.delete("/api/tenants/jinan/streets", headers=admin), 405)
    assert "DELETE" in method["detail"]
    for tenant in ("qingdao", "atlantis"):  # another city and no city at all answer alike
        hidden = assert_bilingual(await client.get(f"/api/tenants/{tenant}/streets", headers=admin), 404)
        assert "不存在或无权访问" in hidden["detail"]
        assert "no access" in hidden["detail"]


# ------------------------------------------------------------------------------------------ request bodies


async def test_a_body_over_the_limit_is_413_but_an_import_may_be_larger(client: httpx.AsyncClient, auth: Auth) -> None:
    headers = await auth.headers("jinan-admin")
    huge = json.dumps({**street_body(), "name": "街" * MAX_BODY_BYTES}).encode()
    response = await client.post(
        "/api/tenants/jinan/streets", content=huge, headers={**headers, "content-type": "application/json"}
    )
    assert str(MAX_BODY_BYTES) in assert_bilingual(response, 413)["detail"]
    street = await create_street(client, auth)
    # 2 MiB of rows: over the JSON limit, within the upload's; the rows are refused for what they hold.
    rows = b"name,uscc,kind\r\n" + b"x,y,z\r\n" * (2 * MAX_BODY_BYTES // 7)
    upload = await import_file(client, auth, "entities", street["id"], rows, "big.csv")
    assert upload.status_code == 422, upload.text[:500]


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 50_000])
async def test_deeply_nested_json_is_refused_before_decoding(client: httpx.AsyncClient, auth: Auth, depth: int) -> None:
    headers = {**await auth.headers("jinan-admin"), "content-type": "application/json"}
    nested = b"[" * depth + b"]" * depth
    response = await client.post("/api/tenants/jinan/streets", content=nested, headers=headers)
    assert str(MAX_JSON_DEPTH) in assert_bilingual(response, 400)["detail"]
    inside = json.dumps(street_body(customFields={}))[:-1] + ', "x": ' + '"' + "[" * 100 + '"}'
    assert not too_deep(inside.encode())  # brackets inside strings do not count


# ------------------------------------------------------------------------------------------ faults


class Proxy:
    """A TCP proxy in front of the test PostgreSQL that can be cut (connections dropped, port closed) and resumed."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        query = parse_qs(parts.query)
        self._socket = query["host"][0] + f"/.s.PGSQL.{query.get('port', ['5432'])[0]}" if "host" in query else None
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 5432
        self._target = parts
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()

    def url(self) -> str:
        user = self._target.username or "postgres"
        return f"postgresql://{user}@127.0.0.1:{self.port}{self._target.path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._socket:
            upstream_reader, upstream_writer = await asyncio.open_unix_connection(self._socket)
        else:
            upstream_reader, upstream_writer = await asyncio.open_connection(self._host, self._port)
        self._pipes |= {writer, upstream_writer}

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pump(reader, upstream_writer), pump(upstream_reader, writer))

    async def resume(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def cut(self) -> None:
        """The database goes away: every open connection is dropped and new ones are refused."""
        assert self._server is not None
        self._server.close()
        for pipe in self._pipes:
            pipe.transport.abort()
        self._pipes.clear()
        await self._server.wait_closed()


@contextlib.contextmanager
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The outage log and Litestar's own: the app's logging configuration replaces the root logger's handlers,
    caplog's among them, so it listens on the two loggers themselves."""
    loggers = [logging.getLogger("litestar"), logging.getLogger("jiequ.outages")]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        for logger in loggers:
            logger.removeHandler(caplog.handler)


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "jiequ.outages"]


def traces(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "Uncaught exception" in r.getMessage()]


@contextlib.asynccontextmanager
async def app_over(context: AppContext, settings: Settings, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The API over its own context on ``database_url`` (the tenant directory borrowed from ``context``)."""
    other = AppContext.create(settings, database_url)
    other.directory = context.directory
    transport = asgi_transport(create_app(other))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://jiequ.test") as client:
            yield client
    finally:
        await other.close()


def assert_unavailable(response: httpx.Response, what: str) -> None:
    assert what in assert_bilingual(response, 503)["detail"]
    assert int(response.headers["retry-after"]) > 0


async def test_database_refused_lost_and_back_answers_503_then_200_logging_one_line_each(
    context: AppContext, settings: Settings, database_url: str, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    headers = await auth.headers("jinan-admin")
    proxy = Proxy(database_url)
    await proxy.resume()
    async with app_over(context, settings, proxy.url()) as client, contextlib.AsyncExitStack() as stack:
        stack.enter_context(captured(caplog))
        assert (await client.get("/api/tenants/jinan/streets", headers=headers)).status_code == 200
        await proxy.cut()  # the pooled connection is lost, and reconnecting is refused
        for _ in range(5):
            assert_unavailable(await client.get("/api/tenants/jinan/streets", headers=headers), "数据库")
        written = await client.post("/api/tenants/jinan/streets", json=street_body(), headers=headers)
        assert_unavailable(written, "database")
        [down] = outage_lines(caplog)
        assert "database unreachable" in down
        assert not traces(caplog)  # one line for the outage, not a trace per request
        await proxy.resume()
        assert (await client.get("/api/tenants/jinan/streets", headers=headers)).status_code == 200
        assert (await client.get("/api/tenants/jinan/streets", headers=headers)).status_code == 200
        assert len(lines := outage_lines(caplog)) == 2
        assert "database reachable again" in lines[1]
        assert "6 requests answered 503" in lines[1]
        await proxy.cut()


async def test_connections_the_server_dropped_between_requests_are_replaced_without_an_error(
    context: AppContext, settings: Settings, database_url: str, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    """A restart of the database between two requests: the pooled connections are gone, the server is back. The
    pool does not test a connection before lending it, so the next transaction's first statement finds it dropped
    and begins again on a new one: the caller sees nothing, and nothing is logged as an outage."""
    headers = await auth.headers("jinan-admin")
    proxy = Proxy(database_url)
    await proxy.resume()
    async with app_over(context, settings, proxy.url()) as client, contextlib.AsyncExitStack() as stack:
        stack.enter_context(captured(caplog))
        # Two requests at once, so that the pool holds two connections; then both are dropped.
        first = await asyncio.gather(*(client.get("/api/tenants/jinan/streets", headers=headers) for _ in range(2)))
        assert [r.status_code for r in first] == [200, 200]
        await proxy.cut()
        await proxy.resume()
        for path in ("/api/tenants/jinan/streets", "/api/tenants/jinan/ledger", "/api/tenants/jinan/streets"):
            response = await client.get(path, headers=headers)
            assert response.status_code == 200, response.text
        created = await client.post("/api/tenants/jinan/streets", json=street_body(), headers=headers)
        assert created.status_code == 201, created.text
        assert outage_lines(caplog) == []
        assert not traces(caplog)
        await proxy.cut()


async def test_database_on_a_closed_port_answers_503(
    context: AppContext, settings: Settings, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    headers = await auth.headers("jinan-admin")
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/jiequ"
    async with app_over(context, settings, url) as client, contextlib.AsyncExitStack() as stack:
        stack.enter_context(captured(caplog))
        for path in ("/api/tenants/jinan/streets", "/api/tenants/jinan/ledger"):
            assert_unavailable(await client.get(path, headers=headers), "数据库")
        assert len(outage_lines(caplog)) == 1
        assert not traces(caplog)
