"""The accounts page and the first sign-in's password page over HTTP, as a browser without JavaScript."""

from __future__ import annotations

import re

import httpx
from litestar import Litestar

from services.context import AppContext
from tests.conftest import Auth, api_client
from tests.streetdata_fixtures import create_street, unique
from tests.web.helpers import csrf_of, error_beside, sign_in_form

NEW_PASSWORD = "海港街区-Strong-2026"


def _once(html: str) -> str:
    found = re.search(r'id="once-password">([^<]+)<', html)
    assert found is not None, html[:2000]
    return found.group(1)


async def _create(client: httpx.AsyncClient, tenant: str, **fields: str) -> httpx.Response:
    form = await client.get(f"/city/{tenant}/accounts")
    assert form.status_code == 200, form.text[:500]
    return await client.post(f"/city/{tenant}/accounts", data={**fields, "_csrf_token": csrf_of(form.text)})


async def test_city_admin_opens_an_operator_account_and_its_user_sets_a_password_at_first_sign_in(
    app: Litestar, auth: Auth
) -> None:
    async with api_client(app) as api:
        street = await create_street(api, auth, "jinan")
    username = unique("op-page-")
    async with api_client(app) as admin:
        await sign_in_form(admin, "jinan-admin")
        created = await _create(
            admin, "jinan", username=username, displayName="海港运营", role="operator", streetId=str(street["id"])
        )
        assert created.status_code == 200, created.text[:1000]
        assert "只显示这一次" in created.text
        once = _once(created.text)
        listing = await admin.get("/city/jinan/accounts")
        row = re.search(rf"<tr>\s*<td class=\"code\">{username}</td>.*?</tr>", listing.text, re.S)
        assert row is not None
        assert "街区运营机构" in row.group(0)
        assert street["name"] in row.group(0)
        assert "待设置新密码" in row.group(0)
        assert once not in listing.text  # shown once, never again

    async with api_client(app) as user:
        signed = await sign_in_form(user, username, once)
        assert signed.status_code == 303
        start = await user.get("/")
        assert (start.status_code, start.headers["location"]) == (302, "/password")
        elsewhere = await user.get(f"/city/jinan/streets/{street['id']}/home")
        assert (elsewhere.status_code, elsewhere.headers["location"]) == (302, "/password")
        swapped = await user.get(f"/city/jinan/streets/{street['id']}/entities", headers={"hx-request": "true"})
        assert (swapped.status_code, swapped.headers["hx-redirect"]) == (204, "/password")
        form = await user.get("/password")
        assert form.status_code == 200
        assert "至少 10 个字符" in form.text
        assert "不能包含用户名" in form.text
        token = csrf_of(form.text)
        differ = await user.post(
            "/password", data={"current": once, "new": NEW_PASSWORD, "again": "x", "_csrf_token": token}
        )
        assert differ.status_code == 422
        assert error_beside(differ.text, "f-again").startswith("两次输入的新密码不一致")
        weak = await user.post(
            "/password", data={"current": once, "new": "short", "again": "short", "_csrf_token": token}
        )
        assert weak.status_code == 422
        assert error_beside(weak.text, "f-new").startswith("密码至少需要 10 个字符")
        wrong = await user.post(
            "/password", data={"current": "not-it", "new": NEW_PASSWORD, "again": NEW_PASSWORD, "_csrf_token": token}
        )
        assert wrong.status_code == 422
        assert error_beside(wrong.text, "f-current").startswith("当前密码不正确")
        still = await user.get("/")
        assert still.headers["location"] == "/password"  # nothing was changed

        done = await user.post(
            "/password", data={"current": once, "new": NEW_PASSWORD, "again": NEW_PASSWORD, "_csrf_token": token}
        )
        assert done.status_code == 303, done.text[:500]
        home = f"/city/jinan/streets/{street['id']}/home"
        assert done.headers["location"] == home
        assert "jiequ_token=" in done.headers["set-cookie"]
        landed = await user.get(home)
        assert landed.status_code == 200
        assert street["name"] in landed.text

    async with api_client(app) as again:
        assert (await sign_in_form(again, username, once)).status_code == 401
        assert (await sign_in_form(again, username, NEW_PASSWORD)).status_code == 303


async def test_refused_accounts_show_the_reason_next_to_the_field_and_write_nothing(app: Litestar) -> None:
    async with api_client(app) as admin:
        await sign_in_form(admin, "jinan-admin")
        taken = await _create(admin, "jinan", username="jinan-case", displayName="重名", role="caseworker")
        assert taken.status_code == 422
        assert error_beside(taken.text, "f-username").startswith("用户名 jinan-case 已被使用")
        name = unique("op-nostreet-")
        nostreet = await _create(admin, "jinan", username=name, displayName="无街区", role="operator")
        assert nostreet.status_code == 422
        assert "运营机构用户必须指定 streetId" in nostreet.text
        bad = await _create(admin, "jinan", username="Bad Name", displayName="x", role="viewer")
        assert bad.status_code == 422
        assert error_beside(bad.text, "f-username").startswith("用户名须为 3–64 个小写字母")
        norole = await _create(admin, "jinan", username=unique("norole-"), displayName="x", role="")
        assert error_beside(norole.text, "f-role").startswith("请选择角色")
        assert name not in (await admin.get("/city/jinan/accounts")).text.replace(f'value="{name}"', "")


async def test_disable_enable_and_reset_a_password(app: Litestar, context: AppContext) -> None:
    username = unique("viewer-page-")
    async with api_client(app) as admin:
        await sign_in_form(admin, "jinan-admin")
        first = _once((await _create(admin, "jinan", username=username, displayName="查看", role="viewer")).text)
        listing = await admin.get("/city/jinan/accounts")
        off = await admin.post(
            f"/city/jinan/accounts/{username}/active", data={"active": "false", "_csrf_token": csrf_of(listing.text)}
        )
        assert (off.status_code, off.headers["location"]) == (303, "/city/jinan/accounts")
        async with api_client(app) as user:
            assert (await sign_in_form(user, username, first)).status_code == 401  # disabled
        listing = await admin.get("/city/jinan/accounts")
        row = re.search(rf"<td class=\"code\">{username}</td>.*?</tr>", listing.text, re.S)
        assert row is not None
        assert "已停用" in row.group(0)
        on = await admin.post(
            f"/city/jinan/accounts/{username}/active", data={"active": "true", "_csrf_token": csrf_of(listing.text)}
        )
        assert on.status_code == 303
        reset = await admin.post(
            f"/city/jinan/accounts/{username}/password-reset", data={"_csrf_token": csrf_of(listing.text)}
        )
        assert reset.status_code == 200
        assert "密码已重置" in reset.text
        assert "只显示这一次" in reset.text
        second = _once(reset.text)
        assert second != first
        async with api_client(app) as user:
            assert (await sign_in_form(user, username, first)).status_code == 401
            assert (await sign_in_form(user, username, second)).status_code == 303
            assert (await user.get("/")).headers["location"] == "/password"


async def test_accounts_are_the_city_admins_and_another_citys_answer_404(app: Litestar) -> None:
    async with api_client(app) as admin:
        await sign_in_form(admin, "jinan-admin")
        other = await admin.get("/city/qingdao/accounts")
        assert other.status_code == 404
        assert "页面不存在或无权访问" in other.text
        english = await admin.get("/city/jinan/accounts?lang=en")
        assert english.status_code == 200
        assert "Users of Jinan" in english.text
        assert "<td>caseworker</td>" in english.text
        page = await admin.get("/city/jinan/accounts")
        refused = await admin.post(
            "/city/qingdao/accounts/qingdao-case/password-reset", data={"_csrf_token": csrf_of(page.text)}
        )
        assert refused.status_code == 404
    async with api_client(app) as caseworker:
        await sign_in_form(caseworker, "jinan-case")
        assert (await caseworker.get("/city/jinan/accounts")).status_code == 403
