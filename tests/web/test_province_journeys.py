"""The province's journeys in Chromium: designating recommended pilots with a reason over the target (the live
server's workflow client on the test's own time-skipping Temporal server, whose worker runs in the test), and
previewing then publishing a stricter baseline threshold. Screenshots of both pages go to tests/screenshots/."""

from __future__ import annotations

from playwright.async_api import Browser, expect
from temporalio.testing import WorkflowEnvironment

from infra.settings import Settings
from services.context import AppContext
from tenants.calendar import today
from tenants.context import Role
from tests.conftest import own_context
from tests.web.browser import (
    DESKTOP,
    LiveServer,
    looks_right,
    open_watched,
    screenshot,
    sign_in,
    sign_out,
)
from tests.web.selection_fixtures import recommend, streets
from tests.workflows.clock import next_year
from tests.workflows.cycle_fixtures import CycleData
from workflows.worker import build_worker


async def test_the_province_designates_pilots_with_a_reason(
    temporal_env: WorkflowEnvironment, cycle_context: AppContext, settings: Settings, browser: Browser
) -> None:
    env, context = temporal_env, cycle_context
    year = await next_year(env)
    made = await streets(context, year)
    live = LiveServer(settings, context.database_url, env.client.service_client.config.target_host)
    live.start()
    path = f"{live.url}/province/shandong/cycles/{year}/selection"
    page, watch = await open_watched(browser, viewport=DESKTOP, locale="zh-CN")
    try:
        async with build_worker(env.client, context):
            await sign_in(page, live.url, "province")
            await expect(page).to_have_url(live.url + "/province/shandong")
            await page.goto(path)
            await expect(page.get_by_role("heading", level=2, name="尚无推荐")).to_be_visible()
            await screenshot(page, "province-selection-empty")
            await recommend(env, context, year, made)
            await page.reload()
            await expect(page.get_by_role("heading", level=1)).to_have_text(f"{year} 年度省级试点评选")
            ranking = page.get_by_role("table", name="各市推荐街区排名")
            await expect(ranking.get_by_role("row")).to_have_count(4)
            await expect(ranking.get_by_role("link", name=made.passing.name)).to_have_attribute(
                "href", f"/city/jinan/streets/{made.passing.id}"
            )
            await looks_right(page, "province-selection", labelled=True)

            await page.get_by_label(f"认定 {made.passing.name}").check()
            needed = page.locator("#reason-needed")
            await expect(needed).to_be_hidden()
            await page.get_by_label(f"认定 {made.other.name}").check()
            await expect(needed).to_have_text("已选 2 个，超过省定目标 1 个：须填写认定理由。")
            watch.expect(422, path)
            await page.get_by_role("button", name="认定所选街区").click()
            await expect(page.locator("#f-overrideReason-error")).to_contain_text("超过年度目标 1 个")
            await expect(page.get_by_label(f"认定 {made.other.name}")).to_be_checked()
            await screenshot(page, "province-selection-reason")
            await page.get_by_label("认定理由", exact=False).fill("两个街区同样出色，经厅务会研究同意")
            await page.get_by_role("button", name="认定所选街区").click()
            await expect(page.get_by_role("status")).to_contain_text("已完成认定")
            pilots = page.get_by_role("table", name="全省试点街区与省级创业街区（现状）")
            await expect(pilots.get_by_role("link", name=made.other.name)).to_be_visible()
            assert await CycleData(context, year).status(made.other) == "pilot"

            await sign_out(page, live.url)
            await sign_in(page, live.url, "jinan-admin")
            watch.expect(403, path)
            await page.goto(path)
            await expect(page.get_by_role("heading", level=1)).to_contain_text("无权访问")
        watch.assert_clean()
    finally:
        await page.context.close()
        live.stop()


async def test_the_province_previews_and_publishes_a_stricter_threshold(
    server_url: str, settings: Settings, browser: Browser
) -> None:
    year = today().year
    users = [("province", "shandong", Role.PROVINCE_ADMIN)]
    async with own_context(server_url, settings, users) as context:
        data = CycleData(context, year)
        just_enough = await data.street("jinan", "泉城路青创街区")
        await data.street("qingdao", "中山路文创街区")
        live = LiveServer(settings, context.database_url)
        live.start()
        path = f"{live.url}/province/shandong/baseline/{year}"
        page, watch = await open_watched(browser, viewport=DESKTOP, locale="zh-CN")
        try:
            await sign_in(page, live.url, "province")
            await page.get_by_role("link", name=f"{year} 年省级基本条件").click()
            await expect(page).to_have_url(path)
            criteria = page.get_by_role("table", name=f"{year} 年度基本条件")
            await expect(criteria).to_contain_text("鲁人社函〔2024〕49号 二(三)")
            await criteria.get_by_role("row").filter(has_text="entity_count").get_by_role("link", name="修改").click()
            await expect(page.get_by_label("门槛")).to_have_value("100")
            await page.get_by_label("门槛").fill("120")
            await page.get_by_role("button", name="预览").click()
            jinan = page.locator("#preview-jinan")
            await expect(jinan.locator(".to-fail")).to_have_text("1")
            await expect(page.locator("#preview-qingdao .to-fail")).to_have_text("1")
            await jinan.get_by_text("查看 1 个街区").click()
            await expect(jinan.get_by_role("link", name=just_enough.name)).to_be_visible()
            await looks_right(page, "province-baseline-preview", labelled=True)
            await page.get_by_role("button", name="发布").click()
            await expect(page.get_by_role("status")).to_contain_text(f"已发布 {year} 年基本条件")
            await expect(criteria).to_contain_text("120")
            await screenshot(page, "province-baseline")
            watch.assert_clean()
        finally:
            await page.context.close()
            live.stop()
