"""The province's selection page over HTTP, on the selection workflow of a time-skipping Temporal server: no
recommendation yet, the ranking by street name, a designation over the target refused until a reason is given,
the reason in the audit log; a city's admin, the province's viewer and another province's URL are refused."""

from __future__ import annotations

import re

import httpx
from temporalio.testing import WorkflowEnvironment

from services.app import create_app
from services.context import AppContext
from tests.conftest import api_client
from tests.web.helpers import csrf_of, error_beside, sign_in_form
from tests.web.selection_fixtures import TARGET, recommend, streets
from tests.workflows.clock import next_year
from tests.workflows.cycle_fixtures import CycleData
from workflows.worker import build_worker


async def _designate(client: httpx.AsyncClient, path: str, ids: list[int], reason: str = "") -> httpx.Response:
    form = await client.get(path)
    data = {"_csrf_token": csrf_of(form.text), "overrideReason": reason, "streetIds[]": [str(i) for i in ids]}
    return await client.post(path, data=data)


def _notice(html: str) -> str:
    found = re.search(r'id="selection-error">.*?<span>([^<]+)</span>', html, re.S)
    assert found is not None, html[:3000]
    return found.group(1)


async def test_the_province_designates_with_a_reason_over_its_target(
    temporal_env: WorkflowEnvironment, cycle_context: AppContext
) -> None:
    env, context = temporal_env, cycle_context
    year = await next_year(env)
    made = await streets(context, year)
    path = f"/province/shandong/cycles/{year}/selection"
    app = create_app(context)
    async with build_worker(env.client, context), api_client(app) as province, api_client(app) as viewer:
        await sign_in_form(province, "province")
        empty = await province.get(path)
        assert empty.status_code == 200, empty.text[:2000]
        assert "尚无推荐" in empty.text
        assert "全省尚无试点街区或省级创业街区" in empty.text

        await recommend(env, context, year, made)
        page = await province.get(path)
        assert page.status_code == 200
        ranking = page.text.split("<caption>各市推荐街区排名")[1].split("</table>")[0]
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", ranking, re.S)[1:]
        assert [re.search(r'href="/city/(\w+)/streets/(\d+)">([^<]+)<', row).groups() for row in rows] == [  # type: ignore[union-attr]
            ("jinan", str(made.passing.id), made.passing.name),
            ("qingdao", str(made.other.id), made.other.name),
            ("jinan", str(made.no_survey.id), made.no_survey.name),
        ]
        assert "济南市" in rows[0]
        assert "通过" in rows[0]
        assert "数据不全" in rows[2]
        assert re.search(rf'<span class="count">{TARGET}</span>省定目标', page.text)

        over = await _designate(province, path, [made.passing.id, made.other.id])
        assert over.status_code == 422
        assert "超过年度目标 1 个，须填写认定理由" in error_beside(over.text, "f-overrideReason")
        assert 'id="selection-error"' not in over.text  # said once, beside the field
        assert over.text.count("checked") == 2  # the ticks are kept
        not_passing = await _designate(province, path, [made.no_survey.id])
        assert not_passing.status_code == 422
        beside = error_beside(not_passing.text, "f-overrideReason")
        assert f"街区 {made.no_survey.name}（{made.no_survey.id}） 初审未通过，认定须填写认定理由" in beside
        none = await _designate(province, path, [])
        assert none.status_code == 422
        assert "请至少勾选一个推荐街区" in _notice(none.text)
        long = await _designate(province, path, [made.passing.id, made.other.id], "理" * 2001)
        assert long.status_code == 422
        assert error_beside(long.text, "f-overrideReason").startswith("理由至多 2000 字")
        data = CycleData(context, year)
        assert await data.status(made.passing) == "recommended"  # nothing designated by a refusal

        await sign_in_form(viewer, "province-viewer")
        assert (await viewer.get(path)).status_code == 200
        assert "认定所选街区" not in (await viewer.get(path)).text
        token = csrf_of((await viewer.get(path)).text)
        refused = await viewer.post(path, data={"_csrf_token": token, "streetIds[]": str(made.passing.id)})
        assert refused.status_code == 403

        reason = "两个街区同样出色，经厅务会研究同意"
        done = await _designate(province, path, [made.passing.id, made.other.id], reason)
        assert done.status_code == 303
        assert done.headers["location"] == f"{path}?designated=1#designated"
        english = await province.get(f"{path}?lang=en")
        assert english.status_code == 200
        assert "The cities&#39; recommendations, ranked" in english.text
        await province.get(f"{path}?lang=zh")
        result = (await province.get(done.headers["location"])).text
        assert "已完成认定" in result
        assert reason in result
        assert "认定所选街区" not in result  # the selection has closed
        pilots = result.split('id="pilots"')[1]
        assert made.passing.name in pilots
        assert made.other.name in pilots
        assert made.no_survey.name not in pilots
        assert await data.status(made.passing) == "pilot"
        audit = await data.rows(
            "SELECT actor, after FROM audit_log WHERE tenant_id = 'shandong' AND action = 'selection.designate'"
        )
        assert len(audit) == 1
        assert audit[0].actor == "province"
        assert audit[0].after["overrideReason"] == reason
        assert audit[0].after["overTarget"] is True


async def test_only_the_provinces_readers_see_it_and_another_province_sees_nothing(
    temporal_env: WorkflowEnvironment, cycle_context: AppContext
) -> None:
    year = await next_year(temporal_env)
    path = f"/province/shandong/cycles/{year}/selection"
    app = create_app(cycle_context)
    async with api_client(app) as city, api_client(app) as province:
        await sign_in_form(city, "jinan-admin")
        assert (await city.get(path)).status_code == 403
        token = csrf_of((await city.get("/city/jinan")).text)
        assert (await city.post(path, data={"_csrf_token": token, "streetIds[]": "1"})).status_code == 403
        await sign_in_form(province, "province")
        # A city's slug, or a province the caller is not of, is no province of this caller's: nothing is shown.
        for other in ("jinan", "henan"):
            missing = await province.get(f"/province/{other}/cycles/{year}/selection")
            assert missing.status_code == 404
            assert "页面不存在或无权访问" in missing.text
        token = csrf_of((await province.get(path)).text)
        posted = await province.post(
            f"/province/jinan/cycles/{year}/selection", data={"_csrf_token": token, "streetIds[]": "1"}
        )
        assert posted.status_code == 404
        home = (await province.get("/province/shandong")).text
        assert "/province/shandong/cycles/" in home
        assert "/province/shandong/baseline/" in home
