"""The typical cases' pages: an operator drafts, the city accepts, the province publishes, and the public sees
the case on /cases; refusals show beside their field; another city sees nothing."""

from __future__ import annotations

import math
import re
from pathlib import Path

import httpx
from playwright.async_api import Browser, expect

from services.web.scope import PER_PAGE
from tests.cases.test_cases_api import CASES, PROVINCE, case_body, draft, png
from tests.conftest import Auth
from tests.streetdata_fixtures import StreetUser, create_street, unique
from tests.web.browser import DESKTOP, LiveServer, inputs_labelled, looks_right, open_watched, sign_in
from tests.web.helpers import csrf_of, sign_in_form


async def test_operator_drafts_city_accepts_province_publishes_public_reads(
    live: LiveServer, browser: Browser, jinan_operator: StreetUser, tmp_path: Path
) -> None:
    title = unique("芙蓉街夜间集市孵化青年创业")
    photo = tmp_path / "market.png"
    photo.write_bytes(png())

    page, watch = await open_watched(browser, viewport=DESKTOP)
    await sign_in(page, live.url, jinan_operator.username)
    await page.get_by_role("navigation", name="主菜单").get_by_role("link", name="典型案例").click()
    await expect(page).to_have_url(f"{live.url}/city/jinan/cases")
    await looks_right(page, "cases-city-list")
    await page.get_by_label("标题").fill(title)
    await page.get_by_label("类别").select_option("youth")
    await page.get_by_label("摘要").fill("以夜间集市为孵化载体，带动高校毕业生创业。")
    await page.get_by_label("正文（Markdown）").fill(
        "## 主要做法\n\n- 每周五、六开放 **60 个** 摊位\n- 导师驻场指导\n\n<script>alert('x')</script>"
    )
    await page.get_by_label("关键数据（每行一项，如“带动就业：1,200 人”）").fill("带动就业：1,200 人\n孵化项目：86 个")
    assert await inputs_labelled(page)
    await page.get_by_role("button", name="保存草稿").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await expect(page.get_by_text("案例草稿已保存。")).to_be_visible()
    await page.get_by_label("图片（JPEG 或 PNG，不超过 5 MB，至多 6 张）").set_input_files(str(photo))
    await page.get_by_role("button", name="上传").click()
    await expect(page.get_by_text("图片已上传。")).to_be_visible()
    case_url = page.url.split("?")[0]
    await page.get_by_role("button", name="提交市级审核").click()
    await expect(page.get_by_text("已提交市级审核。")).to_be_visible()
    await expect(page.get_by_role("button", name="提交市级审核")).to_have_count(0)
    await page.context.close()

    page, watch_city = await open_watched(browser, viewport=DESKTOP)
    await sign_in(page, live.url, "jinan-admin")
    await page.goto(f"{live.url}/city/jinan/cases")
    await page.get_by_role("link", name=title).click()
    await expect(page.locator(".case-body h2")).to_have_text("主要做法")
    await expect(page.locator(".case-body")).to_contain_text("<script>alert('x')</script>")  # shown as text
    await looks_right(page, "case-city-review")
    await page.get_by_role("button", name="采纳").click()
    await expect(page.get_by_text("审核结果已保存。")).to_be_visible()
    await expect(page.locator(".badge").first).to_have_text("已采纳")
    await page.context.close()

    page, watch_province = await open_watched(browser, viewport=DESKTOP)
    await sign_in(page, live.url, "province")
    await page.get_by_role("link", name="典型案例发布").click()
    row = page.get_by_role("row").filter(has_text=title)
    await row.get_by_role("button", name="发布").click()
    row = page.get_by_role("row").filter(has_text=title)
    await expect(row.locator(".badge")).to_have_text("已发布")
    await looks_right(page, "cases-province")
    await page.context.close()

    page, watch_public = await open_watched(browser, viewport=DESKTOP)
    await page.goto(f"{live.url}/cases")
    await expect(page.get_by_role("heading", level=1)).to_have_text("山东省创业街区典型案例")
    item = page.locator(".case-list li").filter(has_text=title)
    await expect(item).to_contain_text("济南市")
    await looks_right(page, "cases-public")
    await item.get_by_role("link", name=title).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await expect(page.locator(".figures")).to_contain_text("1,200 人")
    image = page.get_by_role("img", name="案例图片 1")
    await expect(image).to_be_visible()
    await expect(image).to_have_js_property("complete", True)  # visible is not yet loaded
    assert await image.evaluate("i => i.naturalWidth") == 1
    assert await page.evaluate("typeof window.alert === 'function'")  # no script ran from the body
    await looks_right(page, "case-public")
    await page.context.close()
    for seen in (watch, watch_city, watch_province, watch_public):
        seen.assert_clean()
    assert case_url.startswith(f"{live.url}/city/jinan/cases/")


async def test_a_text_file_named_png_is_refused_beside_the_field(client: httpx.AsyncClient, auth: Auth) -> None:
    street = await create_street(client, auth)
    created = await client.post(CASES, json=case_body(street["id"]), headers=await auth.headers("jinan-admin"))
    path = f"/city/jinan/cases/{created.json()['id']}"
    await sign_in_form(client, "jinan-admin")
    opened = await client.get(path)
    assert opened.status_code == 200
    refused = await client.post(
        f"{path}/images",
        data={"_csrf_token": csrf_of(opened.text)},
        files={"file": ("photo.png", b"not an image at all", "image/png")},
    )
    assert refused.status_code == 422
    assert "文件不是 JPEG 或 PNG 图片" in refused.text
    assert (await client.get(path)).text.count("/images/1") == 0


async def test_another_city_and_the_public_see_nothing_of_a_draft(client: httpx.AsyncClient, auth: Auth) -> None:
    street = await create_street(client, auth)
    created = await client.post(CASES, json=case_body(street["id"]), headers=await auth.headers("jinan-admin"))
    case_id = created.json()["id"]
    assert (await client.get(f"/cases/{case_id}")).status_code == 404
    await sign_in_form(client, "qingdao-admin")
    assert (await client.get(f"/city/jinan/cases/{case_id}")).status_code == 404
    assert (await client.get(f"/city/qingdao/cases/{case_id}")).status_code == 404
    assert (await client.get("/city/jinan/cases")).status_code == 404
    assert (await client.get("/province/shandong/cases")).status_code in (403, 404)


async def test_the_public_list_is_paged_newest_first(client: httpx.AsyncClient, auth: Auth) -> None:
    street = await create_street(client, auth)
    admin, province = await auth.headers("jinan-admin"), await auth.headers("province")
    published = []
    for _ in range(PER_PAGE + 1):
        case = await draft(client, auth, street["id"])
        path = f"{CASES}/{case['id']}"
        assert (await client.post(f"{path}/submit", headers=admin)).status_code == 200
        assert (await client.post(f"{path}/review", json={"decision": "accept"}, headers=admin)).status_code == 200
        assert (await client.post(f"{PROVINCE}/jinan/{case['id']}/publish", headers=province)).status_code == 200
        published.append(case["id"])
    first = await client.get("/cases")
    assert first.status_code == 200
    counted = re.search(r"共 (\d+) 个案例", first.text)
    assert counted is not None
    total = int(counted[1])
    assert total >= PER_PAGE + 1
    shown = [int(i) for i in re.findall(r'<h2><a href="/cases/(\d+)">', first.text)]
    assert len(shown) == PER_PAGE
    assert shown[0] == published[-1]  # the newest first
    assert 'rel="next"' in first.text
    pages = math.ceil(total / PER_PAGE)
    last = await client.get("/cases", params={"page": str(pages)})
    assert len(re.findall(r'<h2><a href="/cases/\d+">', last.text)) == total - (pages - 1) * PER_PAGE
    assert 'rel="next"' not in last.text
    assert 'rel="prev"' in last.text
    past = await client.get("/cases", params={"page": str(pages + 1)})
    assert past.status_code == 200
    assert "此页之后没有更多案例" in past.text
    assert (await client.get("/cases", params={"page": "0"})).status_code == 400
