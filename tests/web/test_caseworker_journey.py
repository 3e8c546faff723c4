"""The caseworker's day in Debian's Chromium: the overdue visits, a visit recorded from the list, a need and an
action added on an entity's page, the ledger filtered, another city's entity not shown; on a desktop and a phone.

The console stays free of errors and no request leaves the server; screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, NamedTuple

import pytest
from litestar import Litestar
from playwright.async_api import Browser, ViewportSize, expect

from services.context import AppContext
from tests.conftest import Auth, api_client, body
from tests.streetdata_fixtures import create_entity, create_street
from tests.web.browser import DESKTOP, LiveServer, looks_right, open_watched, screenshot, sign_in, sign_out_and_close
from tests.web.test_caseworker_pages import need_then_sweep

CITY = "zaozhuang"
PHONE_390 = ViewportSize(width=390, height=844)


class Day(NamedTuple):
    """A street with two overdue entities (one with a need on the ledger, one without) and Qingdao's entity."""

    street: dict[str, Any]
    visited: dict[str, Any]
    helped: dict[str, Any]
    qingdao: dict[str, Any]


@pytest.fixture(scope="module")
async def day(app: Litestar, context: AppContext, auth: Auth) -> Day:
    tag = uuid.uuid4().hex[:4]
    async with api_client(app) as client:
        street = await create_street(client, auth, CITY, name=f"枣庄微山湖{tag}创业街区")
        visited = await create_entity(
            client,
            auth,
            street["id"],
            CITY,
            name=f"枣庄石榴{tag}农业有限公司",
            joinedOn="2019-12-01",
            **{"class": "growth"},
        )
        helped = await create_entity(
            client,
            auth,
            street["id"],
            CITY,
            name=f"枣庄辣子鸡{tag}餐饮店",
            joinedOn="2019-12-15",
            **{"class": "startup"},
        )
        await need_then_sweep(client, auth, context, CITY, street["id"], visited["id"], "premises", "协调厂房")
        other = await create_street(client, auth, "qingdao")
        qingdao = await create_entity(client, auth, other["id"], "qingdao", name=f"青岛崂山{tag}茶业有限公司")
        tasks = await client.get(
            f"/api/tenants/{CITY}/tasks",
            params={"streetId": street["id"], "status": "open"},
            headers=await auth.headers(f"{CITY}-case"),
        )
        assert len(body(tasks)) == 2
    return Day(street, visited, helped, qingdao)


async def test_a_caseworker_records_a_visit_from_the_list_and_helps_an_entity(
    live: LiveServer, browser: Browser, day: Day
) -> None:
    page, watch = await open_watched(browser, viewport=DESKTOP)

    await sign_in(page, live.url, f"{CITY}-case")
    await expect(page).to_have_url(f"{live.url}/city/{CITY}/caseworker")
    await expect(page.get_by_role("heading", level=1)).to_have_text("走访任务")
    card = page.locator("li.card", has_text=day.visited["name"])
    await expect(card).to_contain_text(day.street["name"])
    await expect(card).to_contain_text("每 60 天走访一次")
    await expect(card).to_contain_text("已逾期")
    await looks_right(page, "caseworker-home", labelled=True)

    await card.get_by_role("button", name="登记今日走访").click()
    await expect(page).to_have_url(f"{live.url}/city/{CITY}/caseworker?saved=visit")
    await expect(page.get_by_role("status")).to_have_text("走访已登记，该走访任务已关闭。")
    await expect(page.locator("li.card", has_text=day.visited["name"])).to_have_count(0)
    await screenshot(page, "caseworker-home-visited")

    # The entity with no need on the ledger: its card leads to its page to record one first.
    helped = page.locator("li.card", has_text=day.helped["name"])
    await helped.get_by_role("link", name="先登记需求再走访").click()
    await expect(page).to_have_url(re.compile(rf"/city/{CITY}/ledger/entities/{day.helped['id']}#need-form$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(day.helped["name"])
    need = page.locator("#need-form")
    await need.get_by_label("需求类型").select_option("loans_financing")
    await need.get_by_label("帮扶措施").fill("推荐创业担保贷款")
    await need.get_by_role("button", name="登记需求").click()
    await expect(page.get_by_role("status")).to_have_text("需求已登记。")
    await expect(page.locator("table").first).to_contain_text("贷款融资")

    action = page.locator("#action-form")
    await action.get_by_label("帮扶措施").fill("已陪同办理贷款申请")
    await action.get_by_label("办理状态").select_option("in_progress")
    await action.get_by_role("button", name="保存措施").click()
    await expect(page.get_by_role("status")).to_have_text("帮扶措施已记录。")
    await expect(page.locator("table").first).to_contain_text("已陪同办理贷款申请")
    await expect(page.locator("table").first).to_contain_text("办理中")
    await looks_right(page, "ledger-entity", labelled=True)

    # Back on the list, the task is closed without a visit: a reason is asked for first.
    await page.get_by_role("navigation", name="主菜单").get_by_role("link", name="走访任务").click()
    helped = page.locator("li.card", has_text=day.helped["name"])
    await expect(helped.get_by_role("button", name="登记今日走访")).to_be_visible()  # it has a need now
    await helped.get_by_text("无法走访，关闭任务").click()
    close = helped.locator("form.close-form")
    watch.expect(422, live.url + (await close.get_attribute("action") or ""))
    await close.get_by_role("button", name="关闭任务").click()
    helped = page.locator("li.card", has_text=day.helped["name"])
    await expect(helped.get_by_role("alert").last).to_have_text("此项为必填项。")
    await looks_right(page, "caseworker-close-refused")
    await helped.get_by_label("关闭原因").fill("店铺装修停业，下月再访")
    await helped.get_by_role("button", name="关闭任务").click()
    await expect(page.get_by_role("status")).to_have_text("走访任务已关闭。")
    await expect(page.locator("li.card", has_text=day.helped["name"])).to_have_count(0)

    await page.get_by_role("navigation", name="主菜单").get_by_role("link", name="帮扶台账").click()
    await expect(page).to_have_url(f"{live.url}/city/{CITY}/ledger")
    await page.get_by_label("街区").select_option(str(day.street["id"]))
    await page.get_by_label("需求").select_option("loans_financing")
    await page.get_by_role("button", name="筛选").click()
    await expect(page.locator("tbody tr")).to_have_count(1)
    await expect(page.locator("caption")).to_contain_text("共 1 条")
    await expect(page.locator("tbody")).to_contain_text(day.helped["name"])
    await looks_right(page, "ledger")

    # Another city's entity under this city's path: the not-found page, naming nothing.
    other = f"{live.url}/city/{CITY}/ledger/entities/{day.qingdao['id']}"
    watch.expect(404, other)
    await page.goto(other)
    await expect(page.get_by_role("heading", level=1)).to_have_text("未找到")
    await expect(page.locator("main")).not_to_contain_text(day.qingdao["name"])

    await sign_out_and_close(page, watch, live.url)


async def test_the_caseworker_pages_fit_a_phone(live: LiveServer, browser: Browser, day: Day) -> None:
    page, watch = await open_watched(browser, viewport=PHONE_390)
    await sign_in(page, live.url, f"{CITY}-case")
    await expect(page).to_have_url(f"{live.url}/city/{CITY}/caseworker")
    await looks_right(page, "caseworker-home-phone")
    for path, name in (
        (f"/city/{CITY}/ledger/entities/{day.helped['id']}", "ledger-entity-phone"),
        (f"/city/{CITY}/ledger", "ledger-phone"),
    ):
        await page.goto(live.url + path)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await looks_right(page, name)
    watch.assert_clean()
    await page.context.close()
