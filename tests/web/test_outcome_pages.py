"""Support outcomes (帮扶成效) on an entity's ledger page: shown in a table, recorded with the form, refused beside
the field (over HTTP and in Debian's Chromium, with a screenshot of the page)."""

from __future__ import annotations

import uuid

import httpx
from litestar import Litestar
from playwright.async_api import Browser, expect

from services.context import AppContext
from tests.conftest import Auth, api_client, body
from tests.streetdata_fixtures import count, create_entity, create_street
from tests.web.browser import DESKTOP, LiveServer, looks_right, open_watched, sign_in
from tests.web.helpers import csrf_of, error_beside, sign_in_form

CITY = "weihai"
LEDGER = f"/city/{CITY}/ledger"


async def helped_entity(client: httpx.AsyncClient, auth: Auth) -> tuple[dict[str, object], int]:
    """A Weihai entity with a loans need on the ledger: the entity and its entry's id."""
    street = await create_street(client, auth, CITY, name=f"威海刘公岛{uuid.uuid4().hex[:6]}创业街区")
    entity = await create_entity(client, auth, street["id"], CITY, name=f"威海海鲜{uuid.uuid4().hex[:4]}有限公司")
    entry = await client.post(
        f"/api/tenants/{CITY}/ledger",
        json={"entityId": entity["id"], "need": "loans_financing", "action": "推荐创业担保贷款"},
        headers=await auth.headers(f"{CITY}-case"),
    )
    assert entry.status_code == 201, entry.text
    entry_id: int = body(entry)["id"]
    return entity, entry_id


async def test_the_form_records_an_outcome_and_refuses_beside_the_field(
    app: Litestar, client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    entity, entry_id = await helped_entity(client, auth)
    path = f"{LEDGER}/entities/{entity['id']}"
    async with api_client(app) as browser:
        await sign_in_form(browser, f"{CITY}-case")
        page = await browser.get(path)
        assert "还没有登记帮扶成效。" in page.text
        token = csrf_of(page.text)
        base = {"ofEntry": str(entry_id), "outcome.achievedOn": "2025-06-01", "_csrf_token": token}
        for form, field, message in [
            (
                {"outcome.kind": "guaranteed_loan", "outcome.amountWan": "-5", "outcome.lender": "威海银行"},
                "f-outcome-amountWan",
                "不能小于 1。",
            ),
            (
                {"outcome.kind": "startup_subsidy", "outcome.amountYuan": "5000", "outcome.persons": "2"},
                "f-outcome-persons",
                "所选类型不填写此项，请清空。",
            ),
            (
                {"outcome.kind": "interns_taken", "outcome.graduates": "0"},
                "f-outcome-graduates",
                "见习招用人数不能为 0",
            ),
            ({"outcome.kind": "lottery"}, "f-outcome-kind", "请从列表中选择。"),
        ]:
            refused = await browser.post(f"{path}/outcomes", data={**base, **form})
            assert refused.status_code == 422, form
            assert message in error_beside(refused.text, field)
        assert await count(context, "SELECT count(*) FROM ledger_outcomes WHERE entry_id = :e", e=entry_id) == 0
        saved = await browser.post(
            f"{path}/outcomes",
            data={**base, "outcome.kind": "rent_reduction", "outcome.amountYuan": "24000", "outcome.months": "6"},
        )
        assert saved.status_code == 303
        shown = await browser.get(saved.headers["location"])
        assert "帮扶成效已登记。" in shown.text
        assert "租金减免" in shown.text
        assert "24,000 元 · 6 个月" in shown.text
        english = await browser.get(f"{path}?lang=en")
        assert "rent reduction" in english.text
    async with api_client(app) as qingdao:
        await sign_in_form(qingdao, "qingdao-case")
        token = csrf_of((await qingdao.get("/city/qingdao/ledger")).text)
        for url in (f"{path}/outcomes", f"/city/qingdao/ledger/entities/{entity['id']}/outcomes"):
            response = await qingdao.post(
                url, data={**base, "outcome.kind": "talent_placed", "outcome.persons": "1", "_csrf_token": token}
            )
            assert response.status_code == 404, url
    assert await count(context, "SELECT count(*) FROM ledger_outcomes WHERE entry_id = :e", e=entry_id) == 1


async def test_a_caseworker_records_a_loan_on_the_entity_page(
    live: LiveServer, browser: Browser, app: Litestar, auth: Auth
) -> None:
    async with api_client(app) as client:
        entity, _ = await helped_entity(client, auth)
    page, watch = await open_watched(browser, viewport=DESKTOP)
    await sign_in(page, live.url, f"{CITY}-case")
    await page.goto(f"{live.url}{LEDGER}/entities/{entity['id']}")
    form = page.locator("#outcome-form")
    await form.get_by_label("成效类型").select_option("guaranteed_loan")
    await form.get_by_label("贷款金额（万元）").fill("30")
    await form.get_by_label("放款机构").fill("威海市商业银行")
    await form.get_by_role("button", name="登记成效").click()
    await expect(page.get_by_role("status")).to_have_text("帮扶成效已登记。")
    outcomes = page.locator("section", has=page.get_by_role("heading", name="帮扶成效", exact=True))
    await expect(outcomes).to_contain_text("创业担保贷款")
    await expect(outcomes).to_contain_text("30 万元 · 威海市商业银行")
    await form.get_by_label("成效类型").select_option("interns_taken")
    await form.get_by_label("招用高校毕业生（人）").fill("2")
    await form.get_by_label("招用其他青年（人）").fill("1")
    await form.get_by_role("button", name="登记成效").click()
    await expect(outcomes).to_contain_text("高校毕业生 2 · 其他青年 1")
    await looks_right(page, "ledger-entity-outcomes", labelled=True)
    watch.assert_clean()
    await page.context.close()
