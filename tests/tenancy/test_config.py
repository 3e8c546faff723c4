"""Saving a tenant's configuration: impossible windows and webhook URLs are refused in Chinese and English
and write nothing; what GET answered can be sent back with PUT unchanged; another tenant answers 404."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import msgspec
import pytest

from infra.settings import load_settings
from services.context import AppContext
from tenants.config import window_problem
from tests.conftest import Auth
from workflows.cycle.schemas import window_dates

CITY = "liaocheng"
CONFIG = f"/api/tenants/{CITY}/config"


async def put(
    client: httpx.AsyncClient, auth: Auth, body: dict[str, Any], user: str = "liaocheng-admin"
) -> httpx.Response:
    return await client.put(CONFIG, json=body, headers=await auth.headers(user))


async def stored(client: httpx.AsyncClient, auth: Auth) -> dict[str, Any]:
    response = await client.get(CONFIG, headers=await auth.headers("liaocheng-admin"))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def refused_detail(client: httpx.AsyncClient, auth: Auth, body: dict[str, Any]) -> str:
    """PUT `body` as the city admin: a 422 that stores nothing; its detail."""
    before = await stored(client, auth)
    response = await put(client, auth, body)
    assert response.status_code == 422, response.text
    assert await stored(client, auth) == before
    detail: str = response.json()["detail"]
    return detail


@pytest.mark.parametrize(
    ("window", "says"),
    [
        (["02-30", "03-31"], "02-30"),
        (["01-01", "13-01"], "13-01"),
        (["00-10", "03-31"], "00-10"),
        (["3-1", "03-31"], "3-1"),
        (["04-01", "03-01"], "starts (04-01) after it ends (03-01)"),
        (["01-01", "02-29x"], "02-29x"),
    ],
)
async def test_an_impossible_application_window_is_refused(
    auth: Auth, client: httpx.AsyncClient, window: list[str], says: str
) -> None:
    detail = await refused_detail(client, auth, {"applicationWindow": window})
    assert "申报窗口" in detail
    assert says in detail
    assert "application window" in detail


def test_a_leap_day_and_a_one_day_window_are_real() -> None:
    """(Saving a changed window asks the running cycles: over HTTP in tests/workflows/test_cycle_settings.py.)"""
    assert window_problem(("02-29", "02-29")) is None
    assert window_problem(("01-01", "12-31")) is None
    assert window_dates(("02-29", "02-29"), 2027) == (date(2027, 2, 28), date(2027, 2, 28))
    assert window_dates(("02-10", "02-29"), 2028) == (date(2028, 2, 10), date(2028, 2, 29))


async def test_what_get_answered_goes_back_with_put_unchanged(auth: Auth, client: httpx.AsyncClient) -> None:
    wecom = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    first = await put(client, auth, {"surveyMinSample": 35, "webhookUrl": wecom, "webhookSecret": "s3cret-1"})
    assert first.status_code == 200, first.text
    got = await stored(client, auth)
    assert got["webhookSecretSet"] is True
    assert got["webhookSecret"] is None
    again = await put(client, auth, got)
    assert again.status_code == 200, again.text
    answered = again.json()
    assert answered.pop("notices") == []  # a save that changes nothing has nothing to tell
    assert answered == got
    assert await stored(client, auth) == got  # the secret is kept, not cleared
    audit = (await client.get(f"/api/tenants/{CITY}/audit", headers=await auth.headers("liaocheng-admin"))).text
    assert "tenant.configure" in audit
    assert "s3cret-1" not in audit  # the audit trail says a secret is set, as GET does, never which
    # A new secret replaces it; leaving both out clears it.
    assert (await put(client, auth, {**got, "webhookSecret": "s3cret-2"})).json()["webhookSecretSet"] is True
    cleared = await put(client, auth, {**got, "webhookSecretSet": False})
    assert cleared.json()["webhookSecretSet"] is False
    # With no secret stored, "keep it" is a mistake, said as such.
    keep_nothing = await put(client, auth, {**got, "webhookSecretSet": True})
    assert keep_nothing.status_code == 422
    assert "webhookSecret" in keep_nothing.json()["detail"]
    assert (await put(client, auth, {})).status_code == 200


async def test_config_of_another_tenant(auth: Auth, client: httpx.AsyncClient) -> None:
    got = await stored(client, auth)
    assert (await client.get(CONFIG, headers=await auth.headers("qingdao-admin"))).status_code == 404
    assert (await put(client, auth, got, user="qingdao-admin")).status_code == 404
    assert (await put(client, auth, {"applicationWindow": ["02-30", "03-01"]}, user="qingdao-admin")).status_code == 404


REFUSED = [
    ("file:///etc/passwd", "https://"),
    ("javascript:alert(1)", "https://"),
    ("ftp://example.com/x", "https://"),
    ("http://example.com/hook", "https://"),
    ("https://localhost/hook", "localhost"),
    ("https://LOCALHOST./hook", "localhost"),
    ("https://api.localhost/hook", "api.localhost"),
    ("https://127.0.0.1/hook", "127.0.0.1"),
    ("https://127.1/hook", "127.1"),
    ("https://2130706433/hook", "2130706433"),
    ("https://0x7f.0.0.1/hook", "0x7f.0.0.1"),
    ("https://0.0.0.0:8443/hook", "0.0.0.0"),  # noqa: S104 - a URL refused, not an address bound
    ("https://10.1.2.3/hook", "10.1.2.3"),
    ("https://172.16.0.9/hook", "172.16.0.9"),
    ("https://192.168.1.20/hook", "192.168.1.20"),
    ("https://169.254.169.254/latest/meta-data", "169.254.169.254"),
    ("https://100.64.0.1/hook", "100.64.0.1"),
    ("https://[::1]/hook", "::1"),
    ("https://[::]/hook", "::"),
    ("https://[fe80::1]/hook", "fe80::1"),
    ("https://[fd00::5]/hook", "fd00::5"),
    ("https://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1"),
    ("https://user:pw@example.com/hook", "password"),
    ("https://example.com/ho ok", "whitespace"),
    ("https://example.com:99999/hook", "not a valid URL"),
]


@pytest.mark.parametrize(("url", "says"), REFUSED, ids=[url for url, _ in REFUSED])
async def test_a_webhook_url_jiequ_must_not_post_to_is_refused(
    auth: Auth, client: httpx.AsyncClient, url: str, says: str
) -> None:
    detail = await refused_detail(client, auth, {"webhookUrl": url})
    assert "webhook" in detail
    assert says in detail
    assert " / " in detail  # Chinese, then English


async def test_a_wecom_url_saves(auth: Auth, client: httpx.AsyncClient) -> None:
    for url in (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
        "https://relay.jinan.example.cn:8443/wecom",
        "https://8.8.8.8/hook",
    ):
        response = await put(client, auth, {"webhookUrl": url})
        assert response.status_code == 200, response.text
        assert response.json()["webhookUrl"] == url
    assert (await put(client, auth, {})).status_code == 200


def test_http_is_allowed_only_by_the_setting() -> None:
    assert load_settings({"JIEQU_JWT_SECRET": "x" * 40}).webhook_allow_http is False
    assert load_settings({"JIEQU_JWT_SECRET": "x" * 40, "JIEQU_WEBHOOK_ALLOW_HTTP": "1"}).webhook_allow_http is True


@pytest.fixture
def allowing_http(context: AppContext) -> Iterator[None]:
    """The app's deployment allows plain-http webhooks for the test (its settings restored after)."""
    settings = context.settings
    context.settings = msgspec.structs.replace(settings, webhook_allow_http=True)
    try:
        yield
    finally:
        context.settings = settings


@pytest.mark.usefixtures("allowing_http")
async def test_where_the_deployment_allows_http_an_http_url_saves(auth: Auth, client: httpx.AsyncClient) -> None:
    assert (await put(client, auth, {"webhookUrl": "http://relay.example.cn/hook"})).status_code == 200
    private = await put(client, auth, {"webhookUrl": "http://192.168.0.10/hook"})
    assert private.status_code == 422  # the addresses are still checked
    assert (await put(client, auth, {})).status_code == 200
