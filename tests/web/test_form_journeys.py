"""Journeys through the data forms in Debian's Chromium: the city admin registers and edits a street, the
operator submits a monthly report, an activity and a survey answer.

Each journey checks that the console stays free of errors and that no request leaves the server, and
writes a screenshot of each form into tests/screenshots/ (git-ignored) for people to look at.
"""

from __future__ import annotations

import re
import uuid

from litestar import Litestar
from playwright.async_api import Browser, Page, expect

from services.context import AppContext
from tests.conftest import Auth, api_client
from tests.streetdata_fixtures import bad_check_digit, create_street, new_uscc, operator_of
from tests.web.browser import (
    DESKTOP,
    LiveServer,
    inputs_labelled,
    looks_right,
    looks_right_on_a_phone,
    open_watched,
    screenshot,
    sign_in,
    sign_out_and_close,
)

RIZHAO = "371102"  # 东港区: Rizhao is used by no other page test


async def test_city_admin_creates_a_street_after_a_wrong_uscc_and_edits_it(live: LiveServer, browser: Browser) -> None:
    page, watch = await open_watched(browser, viewport=DESKTOP, locale="zh-CN")
    tag = uuid.uuid4().hex[:4]
    name, operator, uscc = f"日照东港{tag}创业街区", f"日照海曲{tag}运营有限公司", new_uscc(RIZHAO)

    await sign_in(page, live.url, "rizhao-admin")
    await page.get_by_role("navigation", name="主菜单").get_by_role("link", name="街区").click()
    await page.get_by_role("link", name="新建街区").click()
    await expect(page).to_have_url(live.url + "/city/rizhao/streets/new")
    await expect(page.get_by_role("heading", level=1)).to_have_text("新建街区")
    assert await inputs_labelled(page)

    await page.get_by_label("街区名称").fill(name)
    await page.get_by_label("所在区县").select_option(label="东港区")
    await page.get_by_label("主题").select_option("returnees")
    await page.get_by_label("运营机构名称").fill(operator)
    await page.get_by_label("统一社会信用代码").fill(bad_check_digit(uscc))
    await page.get_by_label("统一社会信用代码").press("Tab")  # leaving the field checks it (htmx)
    check = page.locator("#f-operator-uscc-check")
    await expect(check).to_contain_text("第 18 位校验码错误")
    await page.get_by_label("具有独立法人资格").check()
    await page.get_by_label("地址").fill("日照市东港区海曲路9号")
    await page.get_by_label("第 1 人姓名").fill("李青")
    await page.get_by_label("第 1 人岗位").fill("创业导师")
    await page.get_by_label("第 1 人专职").check()
    for service in ("政策咨询", "创业指导", "创业培训"):
        await page.get_by_label(service, exact=True).check()
    watch.expect(422, live.url + "/city/rizhao/streets/new")
    await page.get_by_role("button", name="保存").click()

    # Refused on the server too: the message beside the field, everything typed still there.
    await expect(page.locator("#f-operator-uscc-error")).to_contain_text("第 18 位校验码错误")
    await expect(page.get_by_role("alert").first).to_contain_text("表单有误")
    await expect(page.get_by_label("街区名称")).to_have_value(name)
    await expect(page.get_by_label("所在区县")).to_have_value(RIZHAO)
    await expect(page.get_by_label("第 1 人姓名")).to_have_value("李青")
    await expect(page.get_by_label("创业指导", exact=True)).to_be_checked()
    await expect(page.get_by_label("具有独立法人资格")).to_be_checked()
    await looks_right(page, "form-street-refused")

    await page.get_by_label("统一社会信用代码").fill(uscc)
    await page.get_by_label("统一社会信用代码").press("Tab")
    await expect(check).to_contain_text("校验通过")
    await page.get_by_role("button", name="保存").click()
    await expect(page).to_have_url(re.compile(r"/city/rizhao/streets/\d+\?saved=street$"))
    await expect(page.get_by_role("status")).to_have_text("街区已保存。")
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)
    await expect(page.locator(".panel")).to_contain_text("李青")
    await expect(page.locator(".panel")).to_contain_text(uscc)

    await page.get_by_role("link", name="编辑街区").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("编辑街区")
    await expect(page.get_by_label("统一社会信用代码")).to_have_value(uscc)
    await looks_right(page, "form-street-edit")
    await looks_right_on_a_phone(page, "form-street-edit-375")
    await page.set_viewport_size(DESKTOP)
    await page.get_by_label("街区名称").fill(name + "二期")
    await page.get_by_label("第 2 人姓名").fill("周敏")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(name + "二期")
    await expect(page.locator(".panel")).to_contain_text("周敏")
    await sign_out_and_close(page, watch, live.url)


async def _submit(page: Page, fields: dict[str, str], button: str, landing: str) -> None:
    """Type each value into the field with its label, press `button` and land on `landing`."""
    for label, value in fields.items():
        await page.get_by_label(label).fill(value)
    await page.get_by_role("button", name=button).click()
    await expect(page).to_have_url(landing)


async def test_operator_submits_a_report_an_activity_and_a_survey_answer(
    live: LiveServer, browser: Browser, app: Litestar, context: AppContext, auth: Auth
) -> None:
    user = await operator_of(app, context, auth, "weihai", "forms")
    async with api_client(app) as client:
        other = await create_street(client, auth, "weihai", name=f"威海荣成{uuid.uuid4().hex[:4]}创业街区")
    base = f"{live.url}/city/weihai/streets/{user.street_id}"
    page, watch = await open_watched(browser, viewport=DESKTOP, locale="zh-CN")

    await sign_in(page, live.url, user.username)
    await expect(page).to_have_url(base + "/home")
    await page.get_by_role("link", name="提交月报").click()
    await expect(page).to_have_url(base + "/new/report")
    await expect(page.locator("#f-jobsDriven-hint")).to_contain_text("当月新带动就业的人数")
    await looks_right(page, "form-report", labelled=True)
    await looks_right_on_a_phone(page, "form-report-375")
    await page.set_viewport_size(DESKTOP)
    report = {"月份": "2025-11", "带动就业人数": "2345", "创业见习岗位数": "4"}
    await _submit(page, report, "提交月报", base + "/reports?saved=report")
    await expect(page.get_by_role("status")).to_have_text("月报已提交。")
    row = page.locator("tbody tr", has_text="2025-11")
    await expect(row).to_contain_text("2,345")
    await screenshot(page, "form-report-saved")

    await page.get_by_role("navigation", name="街区信息").get_by_role("link", name="活动", exact=True).click()
    await page.get_by_role("link", name="登记活动").click()
    await expect(page).to_have_url(base + "/new/activity")
    await looks_right(page, "form-activity")
    await page.get_by_label("活动类型").select_option("training")
    activity = {"活动名称": "海洋经济创业培训班", "举办日期": "2026-02-10", "参加人数": "38"}
    await _submit(page, activity, "保存", base + "/activities?saved=activity")
    await expect(page.locator(".panel")).to_contain_text("海洋经济创业培训班")

    await page.get_by_role("navigation", name="街区信息").get_by_role("link", name="满意度调查").click()
    await page.get_by_role("link", name="登记满意度答卷").click()
    await screenshot(page, "form-survey")
    await page.get_by_label("评分").select_option("4")
    await _submit(page, {"答卷日期": "2026-02-11"}, "保存", base + "/surveys?saved=survey")
    await expect(page.get_by_role("status")).to_have_text("满意度答卷已登记。")
    await expect(page.locator(".panel")).to_contain_text("100.0%")

    for kind, heading in (("internship", "登记见习岗位"), ("entity", "登记创业实体")):
        await page.goto(f"{base}/new/{kind}")
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        await looks_right(page, f"form-{kind}", labelled=True)

    for path in (f"/city/weihai/streets/{other['id']}/new/report", f"/city/weihai/streets/{other['id']}/new/activity"):
        watch.expect(404, live.url + path)
        response = await page.goto(live.url + path)
        assert response is not None
        assert response.status == 404
        await expect(page.get_by_role("heading", level=1)).to_have_text("未找到")
        await expect(page.locator("body")).not_to_contain_text(other["name"])
    await sign_out_and_close(page, watch, live.url)
