"""The centre's services on a street's tab and form, and the city's workload page (三(三)): what a clerk records
shows in the city's monthly figures; nothing half-saved; other cities and operators see nothing of it."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, expect

from tenants.calendar import today
from tests.conftest import Auth
from tests.streetdata_fixtures import StreetUser, create_street, unique
from tests.web.browser import DESKTOP, LiveServer, looks_right, looks_right_on_a_phone, open_watched, sign_in
from tests.web.helpers import csrf_of, error_beside, sign_in_form


async def _post(client: httpx.AsyncClient, path: str, form: dict[str, str]) -> httpx.Response:
    opened = await client.get(path)
    assert opened.status_code == 200, opened.text[:300]
    return await client.post(path, data={**form, "_csrf_token": csrf_of(opened.text)})


async def test_the_operator_records_a_service_and_the_city_sees_its_month(
    client: httpx.AsyncClient, auth: Auth, jinan_operator: StreetUser
) -> None:
    street = jinan_operator.street_id
    base = f"/city/jinan/streets/{street}"
    await sign_in_form(client, jinan_operator.username)
    tab = await client.get(f"{base}/services")
    assert tab.status_code == 200
    assert "服务记录" in tab.text
    assert f'href="{base}/new/service"' in tab.text
    assert f'href="{base}/import/services"' in tab.text
    assert "/templates/services.xlsx" in tab.text

    staff = unique("王芳")
    day = today().isoformat()
    refused = await _post(
        client, f"{base}/new/service", {"kind": "policy", "servedOn": day, "people": "-3", "staff": staff}
    )
    assert refused.status_code == 422
    assert error_beside(refused.text, "f-people")
    assert staff in refused.text  # what was typed is kept
    assert staff not in (await client.get(f"{base}/services")).text  # and nothing saved
    saved = await _post(
        client, f"{base}/new/service", {"kind": "policy", "servedOn": day, "people": "14", "staff": staff}
    )
    assert saved.status_code == 303, saved.text[:500]
    listed = await client.get(f"{base}/services")
    assert staff in listed.text
    assert "政策咨询" in listed.text
    assert "服务记录已登记" in (await client.get(saved.headers["location"])).text
    # An operator has no city-wide page.
    assert (await client.get("/city/jinan/workload")).status_code == 403

    client.cookies.clear()
    await sign_in_form(client, "jinan-case")
    page = await client.get("/city/jinan/workload")
    assert page.status_code == 200, page.text[:500]
    assert "服务工作量" in page.text
    assert f"{today().year}-{today().month:02d}" in page.text
    assert f'/city/jinan/streets/{street}/services"' in page.text
    assert f"/api/tenants/jinan/workload/{today().year}.xlsx" in page.text
    assert (await client.get(f"/api/tenants/jinan/workload/{today().year}.xlsx")).status_code == 200
    assert (await client.get(f"/city/jinan/workload?year={today().year + 1}")).status_code == 404


async def test_another_city_sees_nothing_of_the_workload(client: httpx.AsyncClient, auth: Auth) -> None:
    street = await create_street(client, auth)
    await sign_in_form(client, "qingdao-admin")
    assert (await client.get("/city/jinan/workload")).status_code == 404
    assert (await client.get(f"/city/jinan/streets/{street['id']}/services")).status_code == 404
    assert (await client.get(f"/city/jinan/streets/{street['id']}/new/service")).status_code == 404


async def test_a_caseworker_reaches_the_workload_from_the_menu_in_the_browser(
    live: LiveServer, browser: Browser
) -> None:
    page, watch = await open_watched(browser, viewport=DESKTOP)
    await sign_in(page, live.url, "jinan-case")
    await page.get_by_role("navigation", name="主菜单").get_by_role("link", name="服务工作量").click()
    await expect(page).to_have_url(f"{live.url}/city/jinan/workload")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("服务工作量")
    await expect(page.get_by_role("region", name="全市按月汇总")).to_contain_text(f"{today().year}-01")
    await looks_right(page, "workload", labelled=True)
    await looks_right_on_a_phone(page, "workload-phone")
    watch.assert_clean()
    await page.context.close()


async def test_the_audit_page_lists_the_citys_rows_and_downloads_a_range(client: httpx.AsyncClient, auth: Auth) -> None:
    street = await create_street(client, auth, "weihai")
    await sign_in_form(client, "weihai-admin")
    page = await client.get("/city/weihai/audit")
    assert page.status_code == 200, page.text[:500]
    assert "审计日志" in page.text
    assert "street.create" in page.text
    assert 'action="/api/tenants/weihai/audit.csv"' in page.text
    day = today().isoformat()
    download = await client.get("/api/tenants/weihai/audit.csv", params={"from": day, "to": day})
    assert download.status_code == 200
    assert str(street["id"]) in download.text
    client.cookies.clear()
    await sign_in_form(client, "weihai-case")
    assert (await client.get("/city/weihai/audit", follow_redirects=False)).status_code in (302, 403)
    assert "street.create" not in (await client.get("/city/weihai/audit", follow_redirects=True)).text
    client.cookies.clear()
    await sign_in_form(client, "jinan-admin")
    assert (await client.get("/city/weihai/audit")).status_code == 404
