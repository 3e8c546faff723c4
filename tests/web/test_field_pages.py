"""The custom fields page over HTTP: the city's fields, a new one, its refusals beside the field (nothing saved)."""

from __future__ import annotations

import uuid

import httpx
from litestar import Litestar
from playwright.async_api import Browser, expect

from tests.conftest import Auth, api_client
from tests.web.browser import (
    DESKTOP,
    LiveServer,
    inputs_labelled,
    looks_right,
    looks_right_on_a_phone,
    open_watched,
    screenshot,
    sign_in,
)
from tests.web.helpers import csrf_of, error_beside, sign_in_form

CITY = "dezhou"  # no other page test defines fields here


async def _add(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    form = await client.get(f"/city/{CITY}/fields")
    assert form.status_code == 200, form.text[:500]
    return await client.post(f"/city/{CITY}/fields", data={**fields, "_csrf_token": csrf_of(form.text)})


async def _keys(app: Litestar, auth: Auth) -> list[str]:
    async with api_client(app) as api:
        response = await api.get(f"/api/tenants/{CITY}/fields", headers=await auth.headers(f"{CITY}-admin"))
        return [f["key"] for f in response.json()]


async def test_city_admin_adds_a_custom_field_and_sees_it_listed(app: Litestar, auth: Auth) -> None:
    key = f"stalls_{uuid.uuid4().hex[:6]}"
    async with api_client(app) as admin:
        await sign_in_form(admin, f"{CITY}-admin")
        home = await admin.get(f"/city/{CITY}")
        assert f'href="/city/{CITY}/fields"' in home.text  # in the city's menu
        added = await _add(admin, key=key, labelZh="摊位数", labelEn="stalls", type="integer", choices="")
        assert (added.status_code, added.headers["location"]) == (303, f"/city/{CITY}/fields?saved=field")
        listing = await admin.get(added.headers["location"])
        assert "自定义字段已添加" in listing.text
        assert f"custom.{key}" in listing.text
        assert "摊位数" in listing.text
        assert "整数" in listing.text

        chosen = f"level_{uuid.uuid4().hex[:6]}"
        choices = "一星\n二星，三星"
        added = await _add(admin, key=chosen, labelZh="星级", labelEn="level", type="choice", choices=choices)
        assert added.status_code == 303, added.text[:1000]
        assert "一星、二星、三星" in (await admin.get(f"/city/{CITY}/fields")).text
    assert {key, chosen} <= set(await _keys(app, auth))


async def test_refusals_show_beside_the_field_in_chinese_keep_what_was_typed_and_save_nothing(
    app: Litestar, auth: Auth
) -> None:
    before = await _keys(app, auth)
    async with api_client(app) as admin:
        await sign_in_form(admin, f"{CITY}-admin")
        bad_key = await _add(admin, key="Bad Key", labelZh="面积", labelEn="area", type="decimal", choices="")
        assert bad_key.status_code == 422
        assert "键名须以小写字母开头" in error_beside(bad_key.text, "f-key")
        assert 'value="Bad Key"' in bad_key.text
        assert 'value="面积"' in bad_key.text
        assert '<option value="decimal" selected>' in bad_key.text

        no_choices = await _add(admin, key="grade", labelZh="等级", labelEn="grade", type="choice", choices="")
        assert no_choices.status_code == 422
        assert "必须列出选项" in error_beside(no_choices.text, "f-choices")

        no_label = await _add(admin, key="grade", labelZh="", labelEn="grade", type="text", choices="")
        assert "请填写中文名称" in error_beside(no_label.text, "f-labelZh")

        repeated = await _add(admin, key="grade", labelZh="等级", labelEn="grade", type="choice", choices="甲\n甲")
        assert "选项不能重复" in error_beside(repeated.text, "f-choices")
        assert "甲\n甲" in repeated.text  # the box keeps the lines as typed

        first = await _add(admin, key="twice", labelZh="两次", labelEn="twice", type="boolean", choices="")
        assert first.status_code == 303
        again = await _add(admin, key="twice", labelZh="两次", labelEn="twice", type="boolean", choices="")
        assert again.status_code == 422
        assert "已存在" in error_beside(again.text, "f-key")
    assert set(await _keys(app, auth)) == {*before, "twice"}


async def test_only_the_city_admin_has_the_page(app: Litestar, auth: Auth) -> None:
    async with api_client(app) as caseworker:
        await sign_in_form(caseworker, f"{CITY}-case")
        refused = await caseworker.get(f"/city/{CITY}/fields")
        assert refused.status_code == 403
        assert f'href="/city/{CITY}/fields"' not in (await caseworker.get(f"/city/{CITY}")).text
    async with api_client(app) as other:
        await sign_in_form(other, "jinan-admin")
        assert (await other.get(f"/city/{CITY}/fields")).status_code in (403, 404)


async def test_city_admin_reaches_the_page_from_the_menu_and_adds_a_field_in_the_browser(
    live: LiveServer, browser: Browser
) -> None:
    page, watch = await open_watched(browser, viewport=DESKTOP)
    await sign_in(page, live.url, f"{CITY}-admin")
    await page.get_by_role("navigation", name="主菜单").get_by_role("link", name="自定义字段").click()
    await expect(page).to_have_url(f"{live.url}/city/{CITY}/fields")
    assert await inputs_labelled(page)

    key = f"area_{uuid.uuid4().hex[:6]}"
    await page.get_by_label("键名").fill("Area")
    await page.get_by_label("中文名称").fill("经营面积")
    await page.get_by_label("英文名称").fill("floor area")
    await page.get_by_label("类型").select_option("decimal")
    watch.expect(422, f"{live.url}/city/{CITY}/fields")
    await page.get_by_role("button", name="添加字段").click()
    await expect(page.locator("#f-key-error")).to_contain_text("键名须以小写字母开头")
    await expect(page.get_by_label("中文名称")).to_have_value("经营面积")
    await looks_right(page, "fields-error")

    await page.get_by_label("键名").fill(key)
    await page.get_by_role("button", name="添加字段").click()
    await expect(page.get_by_role("status")).to_contain_text("自定义字段已添加")
    await expect(page.locator("tbody")).to_contain_text(f"custom.{key}")
    await screenshot(page, "fields")
    await looks_right_on_a_phone(page, "fields-phone")
    watch.assert_clean()
    await page.context.close()
