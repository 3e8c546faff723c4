"""Journeys in Debian's Chromium: the city admin opens an operator account whose user sets its password at
first sign-in, imports entities (a bad file, then a good one), and tightens a rule after previewing it.

Each journey checks that another city's page is the 404 page, that the console stays free of errors and
that no request leaves the server; screenshots go into tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar import Litestar
from playwright.async_api import Browser, FilePayload, Page, expect

from tests.conftest import Auth, api_client
from tests.streetdata_fixtures import ENTITY_HEADER_ZH, create_street, new_uscc, xlsx_file
from tests.web.browser import (
    DESKTOP,
    LiveServer,
    Watch,
    inputs_labelled,
    looks_right,
    open_watched,
    screenshot,
    sign_in,
    sign_out,
    sign_out_and_close,
)

CITY = "zibo"
RULE_YEAR = 2092  # a year no assessment uses: the rule saved here changes no other test's verdicts
HEADER = ENTITY_HEADER_ZH[:8]  # without the joining and leaving dates


def _entity(name: str, employees: object = 5, uscc: str | None = None) -> list[object]:
    return [name, uscc or new_uscc("370303"), "企业", "初创企业", "高校毕业生", "2024-03-05", employees, "是"]


@pytest.fixture(scope="module")
async def streets(app: Litestar, auth: Auth) -> dict[str, dict[str, Any]]:
    tag = uuid.uuid4().hex[:4]
    async with api_client(app) as client:
        return {
            "graduates": await create_street(client, auth, CITY, name=f"淄博周村{tag}创业街区", theme="graduates"),
            "veterans": await create_street(client, auth, CITY, name=f"淄博博山{tag}创业街区", theme="veterans"),
            "qingdao": await create_street(client, auth, "qingdao", name=f"青岛崂山{tag}创业街区"),
        }


async def _refused(page: Page, watch: Watch, url: str) -> None:
    """Another city's page: the 404 page, as for a page that does not exist."""
    watch.expect(404, url)
    response = await page.goto(url)
    assert response is not None
    assert response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("未找到")


async def _leave(page: Page, watch: Watch, base: str) -> None:
    """Back to the home page, then sign out and close: how each journey ends."""
    await page.goto(base + "/")
    await sign_out_and_close(page, watch, base)


async def _choose_file(page: Page, workbook: bytes) -> None:
    """The workbook put in the wizard's file field as 实体.xlsx."""
    xlsx: FilePayload = {"name": "实体.xlsx", "mimeType": "application/octet-stream", "buffer": workbook}
    await page.get_by_label("文件").set_input_files(files=[xlsx])


async def test_city_admin_opens_an_operator_account_and_the_operator_sets_its_password(
    live: LiveServer, browser: Browser, streets: dict[str, dict[str, Any]]
) -> None:
    street = streets["graduates"]
    username = f"zibo-op-{uuid.uuid4().hex[:6]}"
    page, watch = await open_watched(browser, viewport=DESKTOP)
    await sign_in(page, live.url, f"{CITY}-admin")
    await page.goto(f"{live.url}/city/{CITY}/accounts")
    await expect(page.get_by_role("heading", level=1)).to_have_text("账号管理")
    assert await inputs_labelled(page)
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("显示名称").fill("周村街区运营")
    await page.get_by_label("角色").select_option(label="街区运营机构")
    await page.get_by_label("街区（运营机构必选）").select_option(label=street["name"])
    await page.get_by_role("button", name="创建账号").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("账号已创建")
    await expect(page.get_by_role("note")).to_contain_text("此密码只显示这一次")
    password = (await page.locator("#once-password").inner_text()).strip()
    assert len(password) == 19
    await looks_right(page, "accounts-one-time-password")

    await page.get_by_role("link", name="返回账号管理").click()
    row = page.locator("tr", has_text=username)
    await expect(row).to_contain_text("街区运营机构")
    await expect(row).to_contain_text(street["name"])
    await expect(page.locator("main")).not_to_contain_text(password)
    await looks_right(page, "accounts")
    await _refused(page, watch, f"{live.url}/city/qingdao/accounts")
    await page.goto(f"{live.url}/city/{CITY}/accounts")
    await sign_out(page, live.url)

    await sign_in(page, live.url, username, password)
    await expect(page).to_have_url(live.url + "/password")
    await expect(page.get_by_role("heading", level=1)).to_have_text("设置新密码")
    await expect(page.locator("#f-new-hint")).to_contain_text("至少 10 个字符")
    await page.get_by_label("当前密码（一次性密码）").fill(password)
    await page.locator("#f-new").fill("周村街区-2026-春")
    await page.get_by_label("再次输入新密码").fill("周村街区-2026-夏")
    watch.expect(422, live.url + "/password")
    await page.get_by_role("button", name="保存新密码").click()
    await expect(page.locator("#f-again-error")).to_have_text("两次输入的新密码不一致")
    await looks_right(page, "password-first-sign-in")
    await page.get_by_label("当前密码（一次性密码）").fill(password)
    await page.locator("#f-new").fill("周村街区-2026-春")
    await page.get_by_label("再次输入新密码").fill("周村街区-2026-春")
    await page.get_by_role("button", name="保存新密码").click()
    await expect(page).to_have_url(f"{live.url}/city/{CITY}/streets/{street['id']}/home")
    await expect(page.get_by_role("heading", level=1)).to_have_text(street["name"])
    await screenshot(page, "operator-first-home")
    await _refused(page, watch, f"{live.url}/city/qingdao/streets/{streets['qingdao']['id']}/home")
    await _leave(page, watch, live.url)


async def test_city_admin_imports_entities_with_a_bad_file_then_a_good_one(
    live: LiveServer, browser: Browser, streets: dict[str, dict[str, Any]]
) -> None:
    street = streets["veterans"]
    wizard = f"{live.url}/city/{CITY}/streets/{street['id']}/import/entities"
    page, watch = await open_watched(browser, viewport=DESKTOP)
    await sign_in(page, live.url, f"{CITY}-admin")
    entities = f"{live.url}/city/{CITY}/streets/{street['id']}/entities"
    await page.goto(entities)
    await expect(page.locator(".tab-actions")).to_contain_text("下载 XLSX 模板")  # the template, from the tab too
    await page.get_by_role("link", name="从 Excel 导入创业实体").click()  # the wizard is reached from the tab
    await expect(page).to_have_url(wizard)
    await expect(page.get_by_role("heading", level=1)).to_have_text("导入创业实体")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="下载 XLSX 模板").click()
    assert (await download.value).suggested_filename.endswith(".xlsx")

    bad = xlsx_file([HEADER, _entity("博山琉璃工坊"), _entity("博山陶瓷", employees="很多"), _entity("", uscc="123")])
    await _choose_file(page, bad)
    watch.expect(422, wizard)
    await page.get_by_role("button", name="上传并导入").click()
    await expect(page.get_by_role("alert")).to_contain_text("未导入任何数据")
    problems = page.locator("#problems + .table-block tbody tr")
    await expect(problems).to_have_count(3)
    await expect(problems.nth(0)).to_contain_text("从业人数")
    await looks_right(page, "import-row-errors")
    await page.goto(entities)
    await expect(page.locator("main")).to_contain_text("还没有登记创业实体")

    await page.get_by_role("link", name="从 Excel 导入创业实体").click()
    await expect(page).to_have_url(wizard)
    good = xlsx_file([HEADER, _entity("博山琉璃工坊"), _entity("博山陶瓷文化有限公司")])
    await _choose_file(page, good)
    await page.get_by_role("button", name="上传并导入").click()
    await expect(page.get_by_role("status")).to_contain_text("导入成功：共导入 2 条")
    await screenshot(page, "import-done")
    await page.get_by_role("link", name="查看").click()
    await expect(page.locator("main")).to_contain_text("博山陶瓷文化有限公司")
    await _refused(page, watch, f"{live.url}/city/qingdao/streets/{streets['qingdao']['id']}/import/entities")
    await _leave(page, watch, live.url)


async def test_city_admin_previews_a_tightened_rule_by_street_name_and_saves_it(
    live: LiveServer, browser: Browser, streets: dict[str, dict[str, Any]]
) -> None:
    rules = f"{live.url}/city/{CITY}/rules"
    cid = f"theme_{uuid.uuid4().hex[:6]}"
    page, watch = await open_watched(browser, viewport=DESKTOP)
    await sign_in(page, live.url, f"{CITY}-admin")
    await page.goto(f"{rules}?year={RULE_YEAR}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("评价规则")
    await expect(page.locator("tr", has_text="entity_count")).to_contain_text("鲁人社函〔2024〕49号 二(三)")
    assert await inputs_labelled(page)

    # Loosening a baseline criterion is refused next to the form.
    await page.get_by_label("条件编号").fill("entity_count")
    await page.get_by_label("中文名称").fill("创业实体不少于 50 家")
    await page.get_by_label("英文名称").fill("At least 50 entities")
    await page.get_by_label("指标").select_option(label="创业实体数量")
    await page.get_by_label("比较方式").select_option(label="不低于")
    await page.get_by_label("要求值").fill("50")
    await page.get_by_label("生效年度").fill(str(RULE_YEAR))
    watch.expect(422, rules + "#propose")
    await page.get_by_role("button", name="预览影响").click()
    await expect(page.locator("#rule-error")).to_contain_text("放宽省级基本条件 entity_count")
    await screenshot(page, "rules-refused")

    await page.get_by_label("条件编号").fill(cid)
    await page.get_by_label("中文名称").fill("街区特色须为退役军人创业")
    await page.get_by_label("英文名称").fill("The street's theme is veterans")
    await page.get_by_label("指标").select_option(label="街区特色")
    await page.get_by_label("比较方式").select_option(label="属于")
    await page.get_by_label("要求值").fill("veterans")
    await page.get_by_label("依据条款").fill("淄人社字〔2092〕3号 第一条")
    await page.get_by_role("button", name="预览影响").click()
    what_if = page.locator("#what-if + .table-block")
    await expect(what_if).to_contain_text(streets["graduates"]["name"])
    await expect(what_if).not_to_contain_text(streets["veterans"]["name"])
    await looks_right(page, "rules-preview")

    await page.get_by_role("button", name="保存发布").click()
    await expect(page).to_have_url(f"{rules}?year={RULE_YEAR}#side-by-side")
    city = page.locator("tr", has_text=cid)
    await expect(city).to_contain_text(cid)
    await expect(city).to_contain_text("市级要求")
    await expect(city).to_contain_text("淄人社字〔2092〕3号 第一条")
    await looks_right(page, "rules")
    await _refused(page, watch, f"{live.url}/city/qingdao/rules")
    await _leave(page, watch, live.url)
