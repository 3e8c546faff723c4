"""The caseworker's pages over HTTP: the home of overdue visits, the support ledger and an entity's page, their
forms, their filters, other cities, and the statements a list reads.

Zaozhuang is used by no other page test, so its task list holds only what these tests make.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import text
from temporalio.testing import ActivityEnvironment

from infra.db import owner_transaction
from services.context import AppContext
from tenants.calendar import today
from tests.conftest import Auth, api_client, body
from tests.statements import page_statements
from tests.streetdata_fixtures import create_entity, create_street
from tests.web.helpers import csrf_of, error_beside, sign_in_form
from workflows.followups.activities import FollowupActivities, SweepInput

CITY = "zaozhuang"
CASEWORKER = f"{CITY}-case"
HOME = f"/city/{CITY}/caseworker"
LEDGER = f"/city/{CITY}/ledger"


async def overdue(
    client: httpx.AsyncClient, auth: Auth, context: AppContext, city: str = CITY, **entity: Any
) -> dict[str, Any]:
    """A street, a startup entity of it that joined on 1 January 2020 and was never visited, a need on the
    ledger, and the street swept as of today: its task is open, due on 31 January 2020."""
    street = await create_street(client, auth, city, name=f"枣庄台儿庄{uuid.uuid4().hex[:6]}创业街区")
    made = await create_entity(
        client, auth, street["id"], city, joinedOn="2020-01-01", **{"class": "startup", **entity}
    )
    entry = await need_then_sweep(client, auth, context, city, street["id"], made["id"], "talent", "对接高校毕业生")
    return {**made, "street": street, "entryId": entry["id"]}


async def need_then_sweep(
    client: httpx.AsyncClient,
    auth: Auth,
    context: AppContext,
    city: str,
    street_id: int,
    entity_id: int,
    need: str,
    action: str,
) -> dict[str, Any]:
    """The entity's `need` put on the ledger with `action` by the city's caseworker, then the entity's street
    swept as of today; the ledger entry."""
    entry = await client.post(
        f"/api/tenants/{city}/ledger",
        json={"entityId": entity_id, "need": need, "action": action},
        headers=await auth.headers(f"{city}-case"),
    )
    assert entry.status_code == 201, entry.text
    await sweep(context, city, street_id)
    made: dict[str, Any] = body(entry)
    return made


async def sweep(context: AppContext, city: str, street_id: int) -> None:
    await ActivityEnvironment().run(
        FollowupActivities(context).sweep_followups, SweepInput(tenant=city, street_id=street_id, as_of=today())
    )


async def open_tasks(client: httpx.AsyncClient, auth: Auth, street_id: int) -> list[dict[str, Any]]:
    response = await client.get(
        f"/api/tenants/{CITY}/tasks",
        params={"streetId": street_id, "status": "open"},
        headers=await auth.headers(CASEWORKER),
    )
    assert response.status_code == 200, response.text
    tasks: list[dict[str, Any]] = body(response)
    return tasks


def task_card(html: str, name: str) -> str:
    """The card of the task of the entity ``name`` on the home page."""
    card = r'<li class="card late" id="task-\d+">(?:(?!</li>).)*?' + re.escape(name) + r".*?</li>"
    found = re.search(card, html, re.S)
    assert found is not None, f"no task of {name}"
    return found.group(0)


@pytest.fixture
async def caseworker(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in through the form as the city's caseworker."""
    async with api_client(app) as signed_in:
        await sign_in_form(signed_in, CASEWORKER)
        yield signed_in


async def test_a_caseworker_lands_on_the_overdue_visits_and_a_visit_closes_the_task(
    client: httpx.AsyncClient, auth: Auth, context: AppContext, caseworker: httpx.AsyncClient
) -> None:
    entity = await overdue(client, auth, context)
    [task] = await open_tasks(client, auth, entity["street"]["id"])
    start = await caseworker.get("/")
    assert start.headers["location"] == HOME
    home = await caseworker.get(HOME)
    assert home.status_code == 200
    card = task_card(home.text, entity["name"])
    assert entity["street"]["name"] in card
    assert "初创企业" in card
    assert "每 30 天走访一次" in card
    assert "2020-01-31" in card
    assert f"<strong>{(today() - dt.date(2020, 1, 31)).days}</strong>" in card
    assert 'aria-current="page"' in home.text

    visited = await caseworker.post(
        f"{HOME}/entities/{entity['id']}/visit",
        data={
            "onEntry": str(entity["entryId"]),
            "visit.visitedOn": today().isoformat(),
            "_csrf_token": csrf_of(home.text),
        },
    )
    assert visited.status_code == 303
    assert visited.headers["location"] == f"{HOME}?saved=visit"
    after = await caseworker.get(visited.headers["location"])
    assert "走访已登记，该走访任务已关闭。" in after.text
    assert f'id="task-{task["id"]}"' not in after.text
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    refused = await caseworker.post(
        f"{HOME}/entities/{entity['id']}/visit",
        data={"onEntry": str(entity["entryId"]), "visit.visitedOn": tomorrow, "_csrf_token": csrf_of(home.text)},
    )
    assert refused.status_code == 422  # shown on the entity's page, beside its visit form
    assert error_beside(refused.text, "f-visit-visitedOn")
    assert await open_tasks(client, auth, entity["street"]["id"]) == []


async def test_a_task_is_closed_with_a_reason_and_not_without_one(
    client: httpx.AsyncClient, auth: Auth, context: AppContext, caseworker: httpx.AsyncClient
) -> None:
    entity = await overdue(client, auth, context)
    [task] = await open_tasks(client, auth, entity["street"]["id"])
    home = await caseworker.get(HOME)
    path = f"{HOME}/tasks/{task['id']}/close"
    refused = await caseworker.post(path, data={"reason": "  ", "_csrf_token": csrf_of(home.text)})
    assert refused.status_code == 422
    assert error_beside(refused.text, f"reason-{task['id']}") == "此项为必填项。"
    assert f'id="task-{task["id"]}"' in refused.text
    closed = await caseworker.post(path, data={"reason": "企业已迁出", "_csrf_token": csrf_of(home.text)})
    assert closed.status_code == 303
    assert closed.headers["location"] == f"{HOME}?saved=closed"
    again = await caseworker.post(path, data={"reason": "再关一次", "_csrf_token": csrf_of(home.text)})
    assert again.status_code == 422
    assert "已于" in again.text  # already closed: said above the form
    assert await open_tasks(client, auth, entity["street"]["id"]) == []


async def test_the_ledger_lists_by_entity_name_with_its_filters_and_totals(
    app: Litestar, client: httpx.AsyncClient, auth: Auth
) -> None:
    tag = uuid.uuid4().hex[:6]
    street = await create_street(client, auth, CITY, name=f"筛选{tag}街区")
    headers = await auth.headers(CASEWORKER)
    made = []
    for name, entity_class, need in (
        (f"乙{tag}科技有限公司", "growth", "talent"),
        (f"甲{tag}文化有限公司", "brand", "premises"),
        (f"丙{tag}餐饮有限公司", "growth", "premises"),
    ):
        entity = await create_entity(client, auth, street["id"], CITY, name=name, **{"class": entity_class})
        response = await client.post(
            f"/api/tenants/{CITY}/ledger", json={"entityId": entity["id"], "need": need}, headers=headers
        )
        assert response.status_code == 201, response.text
        made.append(entity["name"])
    async with api_client(app) as browser:
        await sign_in_form(browser, CASEWORKER)

        async def shown(**query: str) -> tuple[list[str], str]:
            params = {"street": str(street["id"]), "need": "", "status": "", "class": "", **query}
            response = await browser.get(LEDGER, params=params)
            assert response.status_code == 200, response.text
            order = sorted((response.text.index(n), n) for n in made if n in response.text)
            return [n for _, n in order], response.text

        names, html = await shown()
        assert names == sorted(made)  # by the entity's name
        assert "共 3 条" in html
        assert "成长型企业" in html
        assert "经营场地" in html
        names, html = await shown(need="premises")
        assert set(names) == {made[1], made[2]}
        assert "共 2 条" in html
        names, html = await shown(need="premises", **{"class": "growth"})
        assert names == [made[2]]
        names, html = await shown(status="resolved")
        assert names == []
        assert "没有符合条件的台账记录。" in html
        for bad in ({"need": "nonsense"}, {"class": "giant"}, {"street": "abc"}):
            assert (await browser.get(LEDGER, params=bad)).status_code == 400


async def test_an_entitys_page_adds_a_need_records_an_action_and_a_visit(
    app: Litestar, client: httpx.AsyncClient, auth: Auth
) -> None:
    street = await create_street(client, auth, CITY)
    entity = await create_entity(client, auth, street["id"], CITY, **{"class": "brand"})
    path = f"{LEDGER}/entities/{entity['id']}"
    async with api_client(app) as browser:
        await sign_in_form(browser, CASEWORKER)
        page = await browser.get(path)
        assert page.status_code == 200
        assert entity["name"] in page.text
        assert "每 90 天" in page.text
        assert "还没有登记需求。" in page.text
        token = csrf_of(page.text)

        missing = await browser.post(f"{path}/needs", data={"need": "", "action": "先写措施", "_csrf_token": token})
        assert missing.status_code == 422
        assert error_beside(missing.text, "f-need") == "此项为必填项。"
        assert "先写措施" in missing.text  # what was typed is kept
        saved = await browser.post(
            f"{path}/needs", data={"need": "loans_financing", "action": "对接创业担保贷款", "_csrf_token": token}
        )
        assert saved.status_code == 303
        assert saved.headers["location"] == f"{path}?saved=need"
        twice = await browser.post(f"{path}/needs", data={"need": "loans_financing", "_csrf_token": token})
        assert twice.status_code == 422
        assert "未解决的同类需求" in error_beside(twice.text, "f-need")

        page = await browser.get(path)
        entry = re.search(r'<option value="(\d+)" selected>贷款融资', page.text)
        assert entry is not None
        acted = await browser.post(
            f"{path}/action",
            data={
                "entryId": entry.group(1),
                "change.action": "已协助提交贷款申请",
                "change.status": "in_progress",
                "_csrf_token": token,
            },
        )
        assert acted.status_code == 303
        future = (today() + dt.timedelta(days=3)).isoformat()
        refused = await browser.post(
            f"{path}/visits",
            data={"onEntry": entry.group(1), "visit.visitedOn": future, "visit.notes": "约谈", "_csrf_token": token},
        )
        assert refused.status_code == 422
        assert error_beside(refused.text, "f-visit-visitedOn")
        assert "约谈" in refused.text
        visited = await browser.post(
            f"{path}/visits",
            data={
                "onEntry": entry.group(1),
                "visit.visitedOn": today().isoformat(),
                "visit.notes": "了解贷款进度",
                "_csrf_token": token,
            },
        )
        assert visited.status_code == 303
        page = await browser.get(visited.headers["location"])
        assert "已协助提交贷款申请" in page.text
        assert "办理中" in page.text
        assert "了解贷款进度" in page.text
        assert today().isoformat() in page.text
        english = await browser.get(f"{path}?lang=en")
        assert "Record a need" in english.text
        assert "loans and financing" in english.text
        assert "in progress" in english.text


async def test_another_citys_ids_show_nothing_and_other_roles_do_not_write(
    app: Litestar, client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    ours = await overdue(client, auth, context)
    theirs = await overdue(client, auth, context, "qingdao", name=f"青岛啤酒屋{uuid.uuid4().hex[:6]}有限公司")
    qingdao_tasks = await client.get(
        "/api/tenants/qingdao/tasks",
        params={"streetId": theirs["street"]["id"], "status": "open"},
        headers=await auth.headers("qingdao-case"),
    )
    [their_task] = body(qingdao_tasks)
    async with api_client(app) as browser:
        await sign_in_form(browser, CASEWORKER)
        token = csrf_of((await browser.get(HOME)).text)
        for path in (
            f"{LEDGER}/entities/{theirs['id']}",
            "/city/qingdao/caseworker",
            "/city/qingdao/ledger",
            f"/city/qingdao/ledger/entities/{theirs['id']}",
        ):
            response = await browser.get(path)
            assert response.status_code == 404, path
            assert "页面不存在或无权访问" in response.text
            assert theirs["name"] not in response.text
        posts = {
            f"{HOME}/entities/{theirs['id']}/visit": {"onEntry": theirs["entryId"], "visit.visitedOn": "2025-01-02"},
            # another city's entry on one of ours
            f"{HOME}/entities/{ours['id']}/visit": {"onEntry": theirs["entryId"], "visit.visitedOn": "2025-01-02"},
            f"{LEDGER}/entities/{ours['id']}/action": {"entryId": theirs["entryId"], "change.action": "越权"},
            f"{LEDGER}/entities/{theirs['id']}/needs": {"need": "talent"},
            f"{LEDGER}/entities/{theirs['id']}/outcomes": {
                "ofEntry": theirs["entryId"],
                "outcome.kind": "talent_placed",
                "outcome.achievedOn": "2025-01-02",
                "outcome.persons": "1",
            },
            f"{LEDGER}/entities/{ours['id']}/outcomes": {
                "ofEntry": theirs["entryId"],
                "outcome.kind": "talent_placed",
                "outcome.achievedOn": "2025-01-02",
                "outcome.persons": "1",
            },
            f"{HOME}/tasks/{their_task['id']}/close": {"reason": "越权关闭"},
        }
        for path, form in posts.items():
            response = await browser.post(path, data={**form, "_csrf_token": token})
            assert response.status_code == 404, path
        qingdao_tasks = await client.get(
            "/api/tenants/qingdao/tasks",
            params={"streetId": theirs["street"]["id"], "status": "open"},
            headers=await auth.headers("qingdao-case"),
        )
        assert len(body(qingdao_tasks)) == 1  # nothing was recorded on Qingdao's entity
    async with api_client(app) as viewer:
        await sign_in_form(viewer, "zaozhuang-admin")
        assert (await viewer.get(HOME)).status_code == 200  # the city admin also works the list
    async with api_client(app) as province:
        await sign_in_form(province, "province")
        assert (await province.get(f"{LEDGER}/entities/{ours['id']}")).status_code == 200  # reads
        assert (await province.get(HOME)).status_code == 403
        response = await province.post(f"{LEDGER}/entities/{ours['id']}/needs", data={"need": "hr"})
        assert response.status_code in (403, 401)


async def test_the_ledger_and_the_home_read_the_same_number_of_statements_however_many_rows(
    app: Litestar, client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    first = await overdue(client, auth, context)
    street_id = first["street"]["id"]
    paths = [HOME, f"{LEDGER}?street={street_id}", LEDGER, f"{LEDGER}/entities/{first['id']}"]
    before = {path: await page_statements(app, context, auth, path, CASEWORKER) for path in paths}
    headers = await auth.headers(CASEWORKER)
    for _ in range(3):
        entity = await create_entity(client, auth, street_id, CITY, joinedOn="2020-02-01")
        response = await client.post(
            f"/api/tenants/{CITY}/ledger", json={"entityId": entity["id"], "need": "hr"}, headers=headers
        )
        assert response.status_code == 201, response.text
        visit = await client.post(
            f"/api/tenants/{CITY}/ledger/{first['entryId']}/visits",
            json={"visitedOn": "2021-01-01"},
            headers=headers,
        )
        assert visit.status_code == 201, visit.text
    await sweep(context, CITY, street_id)
    after = {path: await page_statements(app, context, auth, path, CASEWORKER) for path in paths}
    assert after == before


async def test_the_home_shows_the_visits_due_this_week_of_tracked_streets(
    app: Litestar, client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street = await create_street(client, auth, CITY)
    async with owner_transaction(context.sessions) as session:
        await session.execute(
            text("UPDATE streets SET status = 'pilot' WHERE tenant_id = :t AND id = :s"),
            {"t": CITY, "s": street["id"]},
        )
    now = today()
    soon = await create_entity(
        client, auth, street["id"], CITY, joinedOn=str(now - dt.timedelta(days=25)), **{"class": "startup"}
    )
    late = await create_entity(
        client, auth, street["id"], CITY, joinedOn=str(now - dt.timedelta(days=100)), **{"class": "growth"}
    )
    later = await create_entity(client, auth, street["id"], CITY, joinedOn=str(now - dt.timedelta(days=10)))
    entry = await client.post(
        f"/api/tenants/{CITY}/ledger",
        json={"entityId": soon["id"], "need": "policy"},
        headers=await auth.headers(CASEWORKER),
    )
    assert entry.status_code == 201, entry.text
    async with api_client(app) as browser:
        await sign_in_form(browser, CASEWORKER)
        home = (await browser.get(HOME)).text
        due = home[home.index('id="soon"') :]
        assert soon["name"] in due
        assert "（还有 5 天）" in due
        assert late["name"] in due
        assert "已逾期 40 天" in due
        assert later["name"] not in due
        visited = await browser.post(
            f"{HOME}/entities/{soon['id']}/visit",
            data={"onEntry": str(body(entry)["id"]), "visit.visitedOn": now.isoformat(), "_csrf_token": csrf_of(home)},
        )
        assert visited.status_code == 303
        again = (await browser.get(HOME + "?lang=en")).text
        assert soon["name"] not in again[again.index('id="soon"') :]  # visited today: next due in 30 days
        assert "Due this week" in again
        assert "overdue by 40 days" in again
