"""Journeys in Debian's Chromium: the city admin's and the operator's first pages, sign-in and sign-out.

Each journey checks that the console stays free of errors and that no request leaves the server, and
writes screenshots of the main pages into tests/screenshots/ (git-ignored) for people to look at.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, NamedTuple

import pytest
from litestar import Litestar
from playwright.async_api import Browser, expect

from services.context import AppContext
from tests.conftest import PASSWORD, Auth, api_client
from tests.streetdata_fixtures import create_entity, create_street, operator_of, record_street_data
from tests.web.browser import (
    DESKTOP,
    PHONE,
    LiveServer,
    inputs_labelled,
    looks_right,
    open_watched,
    screenshot,
    sign_in,
    sign_out,
    sign_out_and_close,
)


class Weihai(NamedTuple):
    """Weihai's data for the journeys: a street with something on every tab, its operator, other streets."""

    street: dict[str, Any]
    entity: dict[str, Any]
    operator: str
    other: dict[str, Any]
    qingdao: dict[str, Any]
    tag: str


@pytest.fixture(scope="module")
async def weihai(app: Litestar, context: AppContext, auth: Auth) -> Weihai:
    tag = uuid.uuid4().hex[:4]
    user = await operator_of(app, context, auth, "weihai", f"journey{tag}")
    async with api_client(app) as client:
        headers = await auth.headers("weihai-admin")
        base = f"/api/tenants/weihai/streets/{user.street_id}"
        street = (
            await client.patch(base, headers=headers, json={"name": f"威海海港{tag}创业街区", "theme": "veterans"})
        ).json()
        entity = await create_entity(
            client, auth, user.street_id, "weihai", name=f"威海渔家{tag}文化有限公司", employees=1234
        )
        await create_entity(client, auth, user.street_id, "weihai", **{"class": "growth"})
        for title in ("创业政策宣讲会", "青年创业沙龙"):
            response = await client.post(
                f"{base}/activities",
                headers=headers,
                json={"kind": "salon", "title": title, "heldOn": "2026-03-15", "participants": 45},
            )
            assert response.status_code == 201, response.text
        records: list[tuple[str, dict[str, Any]]] = [
            ("reports", {"month": "2026-02", "jobsDriven": 1520, "internshipPositions": 6}),
            ("surveys", {"responses": [{"respondedOn": "2026-04-01", "rating": r} for r in (5, 5, 4, 3)]}),
            ("internships", {"title": "跨境电商运营见习", "openedOn": "2026-03-01", "entityId": entity["id"]}),
            ("assessments", {"year": 2025}),
        ]
        await record_street_data(client, auth, "weihai", user.street_id, records, entity)
        other = await create_street(client, auth, "weihai", name=f"威海刘公岛{tag}创业街区", theme="culture_tourism")
        qingdao = await create_street(client, auth, "qingdao", name=f"青岛台东{tag}创业街区")
    return Weihai(street, entity, user.username, other, qingdao, tag)


async def test_city_admin_signs_in_and_reads_the_city_and_a_street(
    live: LiveServer, browser: Browser, weihai: Weihai
) -> None:
    page, watch = await open_watched(browser, viewport=DESKTOP)

    await sign_in(page, live.url, "weihai-admin")
    await expect(page).to_have_url(live.url + "/city/weihai")
    await expect(page.get_by_role("heading", level=1)).to_have_text("威海市创业街区")
    await expect(page.get_by_role("link", name=weihai.street["name"])).to_be_visible()  # latest assessments
    await looks_right(page, "city-home")

    await page.get_by_role("navigation", name="主菜单").get_by_role("link", name="街区").click()
    await expect(page).to_have_url(live.url + "/city/weihai/streets")
    await expect(page.get_by_role("link", name=weihai.other["name"])).to_be_visible()
    await looks_right(page, "streets", labelled=True)

    await page.get_by_label("名称或运营机构").fill(weihai.tag)
    await page.get_by_label("主题").select_option("veterans")
    await page.get_by_role("button", name="筛选").click()
    await expect(page).to_have_url(re.compile(r"theme=veterans"))
    await expect(page.locator("tbody tr")).to_have_count(1)
    await expect(page.locator("caption")).to_contain_text("共 1 条")
    await expect(page.get_by_label("主题")).to_have_value("veterans")  # the filter stays as chosen

    await page.get_by_role("link", name=weihai.street["name"]).click()
    await expect(page).to_have_url(f"{live.url}/city/weihai/streets/{weihai.street['id']}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(weihai.street["name"])
    await expect(page.locator(".panel")).to_contain_text("王晓涵")
    await screenshot(page, "street-profile")

    # The tabs are swapped in by htmx: the page itself is not loaded again.
    await page.evaluate("window.sameDocument = true")
    tabs = page.get_by_role("navigation", name="街区信息")
    expected = {
        "创业实体": ("entities", weihai.entity["name"]),
        "活动": ("activities", "青年创业沙龙"),
        "月报": ("reports", "1,520"),
        "满意度调查": ("surveys", "75.0%"),
        "见习岗位": ("internships", weihai.entity["name"]),
        "帮扶台账": ("ledger", "贷款融资"),
        "评估": ("assessments", "还差 98 家"),  # two entities against the required 100
    }
    for name, (key, seen) in expected.items():
        await tabs.get_by_role("link", name=name, exact=True).click()
        await expect(page).to_have_url(f"{live.url}/city/weihai/streets/{weihai.street['id']}/{key}")
        await expect(page.locator(".tabs a[aria-current=page]")).to_have_text(name)
        await expect(page.locator(".panel")).to_contain_text(seen)
        assert await page.evaluate("window.sameDocument === true")
        await looks_right(page, f"street-{key}")
    await page.go_back()  # the browser's history follows the tabs
    await expect(page).to_have_url(f"{live.url}/city/weihai/streets/{weihai.street['id']}/ledger")
    await expect(page.locator(".tabs a[aria-current=page]")).to_have_text("帮扶台账")

    await sign_out(page, live.url)
    await page.goto(live.url + "/city/weihai")
    await expect(page).to_have_url(re.compile(r"/\?next=/city/weihai$"))
    watch.assert_clean()
    await page.context.close()


async def test_wrong_password_by_keyboard_shows_the_chinese_message_and_english_is_a_switch(
    live: LiveServer, browser: Browser
) -> None:
    page, watch = await open_watched(browser, viewport=DESKTOP)
    await page.goto(live.url + "/")
    await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert await inputs_labelled(page)
    await screenshot(page, "signin")

    for _ in range(10):  # the form is reached with the keyboard alone, and the focus is visible
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.id") == "f-username":
            break
    assert await page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    await page.keyboard.type("heze-case")
    await page.keyboard.press("Tab")
    await page.keyboard.type("not-the-password")
    watch.expect(401, live.url + "/")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("alert")).to_have_text("用户名或密码错误，请重新输入。")
    await expect(page.get_by_label("用户名")).to_have_value("heze-case")
    await screenshot(page, "signin-wrong-password")

    await page.get_by_role("link", name="English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await page.get_by_label("User name").fill("weihai-admin")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Entrepreneurship streets of Weihai")
    await page.get_by_role("link", name="中文").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("威海市创业街区")
    await sign_out_and_close(page, watch, live.url)


async def test_operator_sees_its_street_only_on_a_desktop_and_a_phone(
    live: LiveServer, browser: Browser, weihai: Weihai
) -> None:
    page, watch = await open_watched(browser, viewport=DESKTOP)

    await sign_in(page, live.url, weihai.operator)
    home = f"{live.url}/city/weihai/streets/{weihai.street['id']}/home"
    await expect(page).to_have_url(home)
    await expect(page.get_by_role("heading", level=1)).to_have_text(weihai.street["name"])
    due = page.locator(".due")
    await expect(due).to_contain_text("要求不少于 10")  # activities against the rule's threshold
    await expect(due).to_contain_text("样本 4 / 30")
    await expect(page.locator("main")).to_contain_text("未达标或缺数据的条件")
    await expect(page.locator("main")).to_contain_text("还差 98 家")  # what is missing, as on the assessment tab
    await looks_right(page, "operator-home")
    await page.set_viewport_size(PHONE)
    await page.reload()
    await looks_right(page, "operator-home-375")
    await page.set_viewport_size(DESKTOP)

    await page.get_by_role("link", name="本街区").click()
    await expect(page.get_by_role("navigation", name="街区信息")).not_to_contain_text("帮扶台账")
    for path, hidden in (
        (f"/city/weihai/streets/{weihai.other['id']}", weihai.other["name"]),
        (f"/city/weihai/streets/{weihai.other['id']}/home", weihai.other["name"]),
        (f"/city/qingdao/streets/{weihai.qingdao['id']}/home", weihai.qingdao["name"]),
        (f"/city/weihai/streets/{weihai.street['id']}/ledger", weihai.entity["name"]),
    ):
        watch.expect(404, live.url + path)
        response = await page.goto(live.url + path)
        assert response is not None
        assert response.status == 404, path
        await expect(page.get_by_role("heading", level=1)).to_have_text("未找到")
        await expect(page.locator("body")).not_to_contain_text(hidden)
    await screenshot(page, "not-found")
    await page.goto(live.url + "/")
    await expect(page).to_have_url(home)
    await sign_out_and_close(page, watch, live.url)
