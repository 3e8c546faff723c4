"""The street's assessment tab in Chromium when a city criterion does not apply to the street (不适用)."""

from __future__ import annotations

from litestar import Litestar
from playwright.async_api import Browser, expect

from services.context import AppContext
from tests.conftest import Auth, api_client
from tests.rulesets.helpers import YEAR, clean_rules, criterion, make_street
from tests.web.browser import DESKTOP, LiveServer, looks_right, open_watched, sign_in

CITY = "binzhou"  # its city rules are dropped by clean_rules


async def test_a_criterion_outside_its_scope_reads_not_applicable_with_the_reason(
    app: Litestar, auth: Auth, context: AppContext, live: LiveServer, browser: Browser
) -> None:
    await clean_rules(context)
    try:
        async with api_client(app) as api:
            headers = await auth.headers(f"{CITY}-admin")
            added = await api.post(
                f"/api/tenants/{CITY}/rules",
                headers=headers,
                json=criterion(
                    id="night_market",
                    titleZh="产业链街区每年举办至少 20 场夜市活动",
                    titleEn="An industry-chain street holds at least 20 night markets a year",
                    fact="activities",
                    value=20,
                    appliesTo={"themes": ["industry_chain"]},
                ),
            )
            assert added.status_code == 201, added.text
            street = await make_street(context, CITY, entities=3, theme="graduates")
            assessed = await api.post(
                f"/api/tenants/{CITY}/streets/{street}/assessments", headers=headers, json={"year": YEAR}
            )
            assert assessed.status_code == 201, assessed.text

        page, watch = await open_watched(browser, viewport=DESKTOP)
        await sign_in(page, live.url, f"{CITY}-admin")
        await page.goto(f"{live.url}/city/{CITY}/streets/{street}/assessments")
        row = page.locator("tr.criterion-not_applicable")
        await expect(row).to_have_count(1)
        await expect(row.locator(".badge")).to_have_text("不适用")
        await expect(row.locator(".explanation")).to_contain_text("本条件仅适用于主题为“特色产业链”的街区")
        await expect(row.locator("td.missing")).to_have_text("—")
        await looks_right(page, "assessment-not-applicable")
        watch.assert_clean()
        await page.context.close()
    finally:
        await clean_rules(context)
