"""A year of the annual cycle in Debian's Chromium: the city admin starts it from its page after reading what
starting does, changes the application window after reading the consequences, applies two streets, sees their
screening by name, is refused a recommendation (the reason shown in Chinese), recommends, and follows tracking
and the year-end re-evaluation; another city's admin gets the 404 page. The live page server and the worker
share the test's time-skipping Temporal server; a screenshot of each phase goes into tests/screenshots/.
"""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Browser, expect
from temporalio.testing import WorkflowEnvironment

from infra.settings import Settings
from services.context import AppContext
from tenants.calendar import day_end, today, year_start
from tests.polling import eventually
from tests.web.browser import DESKTOP, LiveServer, looks_right, open_watched, sign_in
from tests.workflows.clock import next_year, skip_to
from tests.workflows.cycle_fixtures import CycleData
from workflows import client as cycles
from workflows.cycle.schemas import CycleView, Designation
from workflows.worker import build_worker


async def _phase(env: WorkflowEnvironment, year: int, phase: str) -> CycleView:
    async def probe() -> CycleView | None:
        return await cycles.cycle_view(env.client, "jinan", year)

    return await eventually(probe, lambda view: view.phase == phase and view.application_window is not None)


async def test_a_city_admin_runs_the_cycle_in_the_browser(
    temporal_env: WorkflowEnvironment, cycle_context: AppContext, settings: Settings, browser: Browser
) -> None:
    env, context = temporal_env, cycle_context
    year = await next_year(env)
    data = CycleData(context, year)
    good, weak = await data.passing_and_failing(1, "曲水亭创业街区", "芙蓉街创业街区")
    live = LiveServer(settings, context.database_url, temporal_env.client.service_client.config.target_host)
    live.start()
    url = f"{live.url}/city/jinan/cycles/{year}"
    page, watch = await open_watched(browser, viewport=DESKTOP)
    try:
        async with build_worker(env.client, context):
            await sign_in(page, live.url, "jinan-admin")
            await page.get_by_role("link", name="年度流程", exact=True).click()
            await expect(page.get_by_role("heading", level=1)).to_contain_text(f"{today().year} 年度流程")
            await page.goto(url)
            await expect(page.get_by_role("heading", level=2, name=f"{year} 年度流程尚未启动")).to_be_visible()
            await expect(page.locator("main")).to_contain_text(f"申报窗口：{year}-01-01 至 {year}-03-31（本市配置）")
            await looks_right(page, "cycle-not-started", labelled=True)
            await page.get_by_role("button", name="确认启动年度流程").click()
            await expect(page.get_by_role("status").first).to_contain_text("年度流程已启动")
            await _phase(env, year, "application")
            await page.reload()
            await expect(page.locator("[aria-current=step]")).to_contain_text("等待运营机构在窗口内申报")
            await expect(page.get_by_role("link", name="在 Temporal 界面查看此流程")).to_have_attribute(
                "href", f"http://127.0.0.1:8233/namespaces/default/workflows/cycle:jinan:{year}"
            )

            # The window: what the change does, then the confirmation.
            await page.get_by_label("截止（月-日）").fill("04-30")
            await page.get_by_role("button", name="查看修改的影响").click()
            consequences = page.locator("#window-consequences")
            await expect(consequences).to_contain_text(f"窗口立即改为 {year}-01-01 至 {year}-04-30")
            await expect(consequences).to_contain_text("以后每个年度流程启动时都读取这一窗口")
            await looks_right(page, "cycle-window-consequences", labelled=True)
            await page.get_by_role("button", name="确认修改申报窗口").click()
            await expect(page.get_by_role("status").first).to_contain_text("申报窗口已保存")
            await expect(page.locator(".timeline")).to_contain_text(f"{year}-01-01 至 {year}-04-30")

            # Applications in the window, then the screening by name.
            await skip_to(env, year_start(year))
            for street in (good, weak):
                await page.get_by_label("代为申报街区").select_option(label=street.name)
                await page.get_by_role("button", name="提交申报").click()
                await expect(page.get_by_role("status").first).to_contain_text("申报已提交")
            await looks_right(page, "cycle-applications", labelled=True)
            await skip_to(env, day_end(date(year, 4, 30)))
            await _phase(env, year, "recommendation")
            await page.reload()
            applications = page.locator("table", has_text="本年度申报的街区")
            await expect(applications.locator("tr", has_text=weak.name)).to_contain_text("未通过")
            await expect(applications.locator("tr", has_text=weak.name)).to_contain_text("活动 10 次以上")
            await expect(applications.locator("tr", has_text=good.name)).to_contain_text("通过")
            await looks_right(page, "cycle-screening", labelled=True)

            # A refused recommendation: the cycle's reason in Chinese, on the page.
            await page.get_by_label(f"推荐 {good.name}").check()
            await page.get_by_label(f"推荐 {weak.name}").check()
            watch.expect(422, url + "/recommendations")
            await page.get_by_role("button", name="提交推荐").click()
            await expect(page.locator("#cycle-error")).to_contain_text(f"街区「{weak.name}」初审未达到必备条件")
            await looks_right(page, "cycle-recommendation-refused", labelled=True)
            await page.get_by_label(f"推荐 {good.name}").check()
            await page.get_by_role("button", name="提交推荐").click()
            await expect(page.get_by_role("status").first).to_contain_text("推荐已提交省厅")
            await expect(page.locator("[aria-current=step]")).to_contain_text("等待省厅认定")
            await _ranked(env, year)  # the selection reads its target as it opens
            await page.reload()
            await expect(page.locator("main")).to_contain_text("全省试点名额 1 个")
            await looks_right(page, "cycle-waiting-for-province", labelled=True)

            # The province designates; tracking shows the months reported or missing.
            await _ranked(env, year)
            await cycles.designate(env.client, "shandong", year, Designation(street_ids=(good.id,), designated_by="p"))
            await _phase(env, year, "tracking")
            await skip_to(env, day_end(date(year, 9, 10)) + timedelta(days=2))
            await page.reload()
            tracked = page.locator("table", has_text="已认定街区的月报").locator("tr", has_text=good.name)
            await expect(tracked).to_contain_text(f"{year}-07")
            await expect(tracked).to_contain_text("08月 已提醒")
            await expect(tracked).to_contain_text("07月 已督办")
            await looks_right(page, "cycle-tracking", labelled=True)

            # The year end: rectification with its due date and reason.
            await data.too_few_activities(good)
            await skip_to(env, year_start(year + 1))
            await eventually(
                lambda: cycles.reevaluation_view(env.client, "jinan", year), lambda v: v.phase == "rectification"
            )
            await page.reload()
            verdict = page.locator("table", has_text="复评结论").locator("tr", has_text=good.name)
            await expect(verdict).to_contain_text("整改中")
            await expect(verdict).to_contain_text("活动 10 次以上")
            await expect(page.locator("[aria-current=step]")).to_contain_text("整改")
            await looks_right(page, "cycle-rectification", labelled=True)

        # Another city's admin: the 404 page, nothing of Jinan's cycle.
        other, other_watch = await open_watched(browser, viewport=DESKTOP)
        await sign_in(other, live.url, "qingdao-admin")
        other_watch.expect(404, url)
        response = await other.goto(url)
        assert response is not None
        assert response.status == 404
        await expect(other.locator("main")).not_to_contain_text(good.name)
        other_watch.assert_clean()
        await other.context.close()
        watch.assert_clean()
    finally:
        await page.context.close()
        live.stop()


async def _ranked(env: WorkflowEnvironment, year: int) -> None:
    await eventually(
        lambda: cycles.selection_view(env.client, "shandong", year),
        lambda view: bool(view.ranking) and view.target is not None,
    )
