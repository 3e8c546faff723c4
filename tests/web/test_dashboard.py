"""The province dashboard: the report of a year as pages for the province's readers, its charts, its downloads
and a city's streets; nothing of it for a city's users.

Over HTTP as a browser without JavaScript reads it, then in Chromium: every chart drawn with its data, no
console error, no request leaving the server, the XLSX download holding a figure the page shows.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import uuid
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import openpyxl
import pytest
from litestar import Litestar
from playwright.async_api import Browser, expect

from tenants import calendar
from tests.conftest import Auth, api_client
from tests.streetdata_fixtures import create_entity, create_street, record_street_data
from tests.users.helpers import NEW_PASSWORD, ready_user
from tests.web.browser import DESKTOP, LiveServer, looks_right, open_watched, screenshot, sign_in
from tests.web.helpers import sign_in_form

CHART_KEYS = ("status", "target", "outcomes", "jobs", "classes")
DASHBOARD = "/province/shandong/dashboard"


class Linyi(NamedTuple):
    """A street of Linyi with data in this year: entities, an activity, a monthly report, an assessment."""

    street: dict[str, Any]
    year: int


@pytest.fixture(scope="module")
async def linyi(app: Litestar, auth: Auth) -> Linyi:
    year = calendar.today().year
    tag = uuid.uuid4().hex[:4]
    async with api_client(app) as client:
        street = await create_street(client, auth, "linyi", name=f"临沂沂河{tag}创业街区")
        entity = await create_entity(client, auth, street["id"], "linyi", employees=37, joinedOn=f"{year}-01-02")
        await create_entity(
            client, auth, street["id"], "linyi", employees=8, joinedOn=f"{year}-01-03", **{"class": "growth"}
        )
        records: list[tuple[str, dict[str, Any]]] = [
            ("activities", {"kind": "salon", "title": "创业沙龙", "heldOn": f"{year}-01-10", "participants": 30}),
            ("reports", {"month": f"{year}-01", "jobsDriven": 12, "internshipPositions": 1}),
            ("assessments", {"year": year}),
        ]
        await record_street_data(client, auth, "linyi", street["id"], records, entity)
    return Linyi(street, year)


def chart_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.DOTALL)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


async def test_the_province_reads_the_cities_side_by_side_with_the_charts_data_in_the_page(
    client: httpx.AsyncClient, auth: Auth, linyi: Linyi
) -> None:
    await sign_in_form(client, "province")
    home = await client.get("/province/shandong")
    assert f'href="{DASHBOARD}"' in home.text
    response = await client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.text
    assert f"山东省创业街区数据看板 · {linyi.year}" in html
    assert f'href="{DASHBOARD}/cities/linyi?year={linyi.year}">临沂市</a>' in html
    assert f'href="{DASHBOARD}/{linyi.year}/report.xlsx"' in html
    assert f'href="{DASHBOARD}/{linyi.year}/report.csv"' in html
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "/static/vendor/echarts-6.1.0.min.js" in html
    assert "<script>" not in html  # no inline script: the page's policy would refuse it

    data = chart_data(html)
    assert set(data) == set(CHART_KEYS)
    cities = data["status"]["categories"]
    linyi_at = cities.index("临沂市")
    applied = next(s for s in data["status"]["series"] if s["name"] == "已申报")
    assert applied["data"][linyi_at] >= 1
    assert data["jobs"]["categories"][0] == "1月"
    province_jobs = data["jobs"]["series"][0]
    assert province_jobs["name"] == "全省"
    assert province_jobs["data"][0] >= 12
    config = await client.get("/api/tenants/shandong/config", headers=await auth.headers("province"))
    assert data["target"]["targets"][0] == config.json()["pilotTarget"]  # the province's setting
    outcomes = {s["name"]: s["data"][linyi_at] for s in data["outcomes"]["series"]}
    assert sum(outcomes.values()) == sum(s["data"][linyi_at] for s in data["status"]["series"])
    startup = next(s for s in data["classes"]["series"] if s["name"] == "初创企业")
    assert startup["data"][linyi_at] >= 1

    # The yearly grades per city, as the report counts them.
    report = await client.get(f"/api/province/shandong/reports/{linyi.year}", headers=await auth.headers("province"))
    graded = next(c for c in report.json()["cities"] if c["tenant"] == "linyi")["grades"]
    assert sum(graded.values()) >= 1  # the street assessed this year
    row = re.search(r'<tr><th scope="row">临沂市</th>\s*((?:<td class="num grade-[A-D]">[^<]*</td>\s*){4})', html)
    assert row is not None
    cells = re.findall(r'grade-([A-D])">([^<]*)<', row.group(1))
    assert {g: int(n.replace(",", "")) for g, n in cells} == graded
    assert "A 优秀" in html
    assert "D 不合格" in html

    english = await client.get(DASHBOARD, params={"lang": "en"})
    assert f"Entrepreneurship streets of Shandong Province · {linyi.year}" in english.text
    assert "A excellent" in english.text
    assert "Streets by status per city" in english.text
    assert chart_data(english.text)["jobs"]["categories"][0] == "01"
    await client.get(DASHBOARD, params={"lang": "zh"})


async def test_another_year_is_chosen_in_the_url_and_a_future_year_does_not_exist(
    client: httpx.AsyncClient, linyi: Linyi
) -> None:
    await sign_in_form(client, "province")
    last = await client.get(DASHBOARD, params={"year": linyi.year - 1})
    assert last.status_code == 200
    assert f'<option value="{linyi.year - 1}" selected>' in last.text
    assert f'href="{DASHBOARD}/{linyi.year - 1}/report.xlsx"' in last.text
    assert (await client.get(DASHBOARD, params={"year": linyi.year + 1})).status_code == 404
    assert (await client.get(DASHBOARD, params={"year": "soon"})).status_code == 400


async def test_a_citys_drill_down_lists_its_streets_with_their_figures(client: httpx.AsyncClient, linyi: Linyi) -> None:
    await sign_in_form(client, "province")
    response = await client.get(f"{DASHBOARD}/cities/linyi", params={"year": linyi.year})
    assert response.status_code == 200
    html = response.text
    street = linyi.street
    row = re.search(rf'<a href="/city/linyi/streets/{street["id"]}">{street["name"]}</a>.*?</tr>', html, re.DOTALL)
    assert row is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(0))
    # Entities at year end, jobs driven (37 + 8), activities, satisfaction (no survey), ledger coverage.
    assert cells[:5] == ["2", "45", "1", "—", "50.0%"]
    assert (await client.get(f"{DASHBOARD}/cities/jiangsu")).status_code == 404


async def test_the_downloads_are_the_reports_exports(client: httpx.AsyncClient, linyi: Linyi) -> None:
    await sign_in_form(client, "province")
    xlsx = await client.get(f"{DASHBOARD}/{linyi.year}/report.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"shandong-streets-{linyi.year}.xlsx" in xlsx.headers["content-disposition"]
    assert "总览" in openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames
    exported = await client.get(f"{DASHBOARD}/{linyi.year}/report.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert any(row[0] == "临沂市" for row in rows)


async def test_a_department_viewer_reads_the_dashboard_without_the_citys_street_pages(
    client: httpx.AsyncClient, app: Litestar, auth: Auth, linyi: Linyi
) -> None:
    username, _ = await ready_user(auth, app, "province", "shandong", role="department_viewer", department="finance")
    await sign_in_form(client, username, NEW_PASSWORD)
    assert (await client.get("/")).headers["location"] == DASHBOARD  # where a department starts
    assert (await client.get(DASHBOARD)).status_code == 200
    city = await client.get(f"{DASHBOARD}/cities/linyi")
    assert city.status_code == 200
    assert 'href="/province/shandong"' not in city.text  # the province's home is not theirs
    assert linyi.street["name"] in city.text
    assert f'href="/city/linyi/streets/{linyi.street["id"]}"' not in city.text


@pytest.mark.parametrize("username", ["jinan-admin", "jinan-case", "jinan-viewer"])
async def test_a_citys_users_get_nothing_of_the_province_dashboard(client: httpx.AsyncClient, username: str) -> None:
    await sign_in_form(client, username)
    for path in (DASHBOARD, f"{DASHBOARD}/cities/jinan", f"{DASHBOARD}/{calendar.today().year}/report.xlsx"):
        response = await client.get(path)
        assert response.status_code == 403, path
        assert "您的角色无权访问此页面" in response.text
        assert "临沂市" not in response.text
    assert (await client.get("/province/jinan/dashboard")).status_code == 403


async def test_another_province_slug_is_not_found(client: httpx.AsyncClient) -> None:
    await sign_in_form(client, "province")
    assert (await client.get("/province/jinan/dashboard")).status_code == 404
    assert (await client.get("/province/jinan/dashboard/cities/jinan")).status_code == 404


async def test_the_province_admin_sees_every_chart_drawn_and_downloads_what_it_shows(
    live: LiveServer, browser: Browser, linyi: Linyi
) -> None:
    page, watch = await open_watched(browser, viewport=DESKTOP, accept_downloads=True)

    await sign_in(page, live.url, "province")
    await expect(page).to_have_url(live.url + "/province/shandong")
    await page.get_by_role("link", name=re.compile("数据看板")).click()
    await expect(page).to_have_url(live.url + DASHBOARD)
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"山东省创业街区数据看板 · {linyi.year}")
    # A locator waits from outside the page: a polled function would need eval, which the page's CSP refuses.
    await expect(page.locator("[data-chart] canvas")).to_have_count(len(CHART_KEYS))
    drawn = await page.evaluate(
        """() => [...document.querySelectorAll('[data-chart]')].map(el => {
            const chart = echarts.getInstanceByDom(el);
            return [el.dataset.chart, chart ? chart.getOption().series[0].data.length : 0];
        })"""
    )
    assert sorted(key for key, _ in drawn) == sorted(CHART_KEYS)
    assert all(length > 0 for _, length in drawn), drawn
    await looks_right(page, "province-dashboard")

    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="临沂市", exact=True))
    shown_jobs = int((await row.locator("td").nth(4).inner_text()).replace(",", ""))
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="下载 Excel").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(f"{linyi.year}.xlsx")
    content = await asyncio.to_thread(Path(await download.path()).read_bytes)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    overview = [list(r) for r in workbook["总览"].iter_rows(values_only=True)]
    header = next(r for r in overview if r and r[0] == "城市")
    linyi_row = next(r for r in overview if r and r[0] == "临沂市")
    assert linyi_row[header.index("带动就业人数")] == shown_jobs

    # The tooltip is drawn on the canvas: hovering logs no refusal of the page's Content-Security-Policy.
    status = page.locator('[data-chart="status"]')
    await status.hover()
    await screenshot(page, "province-dashboard-tooltip")
    await page.mouse.move(400, 500)

    await row.get_by_role("link", name="临沂市").click()
    await expect(page).to_have_url(f"{live.url}{DASHBOARD}/cities/linyi?year={linyi.year}")
    street_link = page.get_by_role("link", name=linyi.street["name"])
    await expect(street_link).to_be_visible()
    await looks_right(page, "province-dashboard-city")
    await street_link.click()
    await expect(page).to_have_url(f"{live.url}/city/linyi/streets/{linyi.street['id']}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(linyi.street["name"])
    await expect(page.get_by_role("link", name="编辑")).to_have_count(0)  # read-only for the province
    watch.assert_clean()
    await page.context.close()


async def test_a_city_admin_opening_the_dashboard_gets_the_refusal_page(live: LiveServer, browser: Browser) -> None:
    page, watch = await open_watched(browser, viewport=DESKTOP)
    await sign_in(page, live.url, "jinan-admin")
    await expect(page).to_have_url(live.url + "/city/jinan")
    watch.expect(403, live.url + DASHBOARD)
    response = await page.goto(live.url + DASHBOARD)
    assert response is not None
    assert response.status == 403
    await expect(page.get_by_text("您的角色无权访问此页面。")).to_be_visible()
    assert await page.locator("[data-chart]").count() == 0
    watch.assert_clean()
    await page.context.close()
