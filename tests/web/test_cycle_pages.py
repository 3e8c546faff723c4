"""The annual cycle's page over HTTP, as a browser without JavaScript uses it, on Temporal's time-skipping server
with the project's worker: starting the year with its consequences stated, the window changed (taken by the
running cycle, then refused by it with its reason), applications and screening by street name, a refused
and an accepted recommendation, the province's target, tracking, the year-end verdicts; other roles and
another city."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import date, timedelta
from typing import Any

import httpx
from temporalio.testing import WorkflowEnvironment

from services.app import create_app
from services.context import AppContext
from services.cycles.schemas import Cycle, Window, YearEnd
from services.web.cycle_steps import timeline, window_consequences
from tenants.calendar import day_end, today, year_start
from tests.conftest import api_client
from tests.polling import eventually
from tests.web.helpers import csrf_of, sign_in_form
from tests.workflows.clock import next_year, skip_to
from tests.workflows.cycle_fixtures import CycleData
from workflows import client as cycles
from workflows.cycle.schemas import CycleView, Designation
from workflows.worker import build_worker

ACTIVITIES = "年度开展就业创业指导、创业沙龙、创业培训等活动 10 次以上"


class Browserless:
    """The pages as one signed-in user sees them, posting forms with the page's CSRF token."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(path)

    async def post(self, page: str, action: str, data: dict[str, Any]) -> httpx.Response:
        token = csrf_of((await self.http.get(page)).text)
        return await self.http.post(action, data={**data, "_csrf_token": token})


@asynccontextmanager
async def users(context: AppContext, *names: str) -> AsyncIterator[list[Browserless]]:
    app = create_app(context)
    async with AsyncExitStack() as stack:
        signed: list[Browserless] = []
        for name in names:
            http = await stack.enter_async_context(api_client(app))
            assert (await sign_in_form(http, name)).status_code == 303
            signed.append(Browserless(http))
        yield signed


def text_of(html: str) -> str:
    """The page's words without its tags, for reading a sentence the template builds from parts."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def phase_of(env: WorkflowEnvironment, year: int, phase: str) -> CycleView:
    async def probe() -> CycleView | None:
        return await cycles.cycle_view(env.client, "jinan", year)

    return await eventually(probe, lambda view: view.phase == phase and view.application_window is not None)


async def test_a_city_admin_runs_the_year_from_the_cycle_page(
    temporal_env: WorkflowEnvironment, cycle_context: AppContext
) -> None:
    env, context = temporal_env, cycle_context
    year = await next_year(env)
    data = CycleData(context, year)
    good, weak = await data.passing_and_failing(2, "曲水亭创业街区", "芙蓉街创业街区")
    foreign = await data.street("qingdao", "大鲍岛创业街区")
    page = f"/city/jinan/cycles/{year}"

    async with (
        build_worker(env.client, context),
        users(context, "jinan-admin", "jinan-case", "qingdao-admin", "province") as (admin, case, other, province),
    ):
        # Not started: the admin sees what starting does before confirming; the caseworker only reads.
        first = await admin.get(page)
        assert first.status_code == 200
        words = text_of(first.text)
        assert f"{year} 年度流程尚未启动" in words
        assert f"申报窗口：{year}-01-01 至 {year}-03-31（本市配置）" in words
        assert "确认启动年度流程" in words
        assert f"http://127.0.0.1:8233/namespaces/default/workflows/cycle:jinan:{year}" in first.text
        read_only = await case.get(page)
        assert read_only.status_code == 200
        assert "确认启动年度流程" not in read_only.text
        assert "8233" not in read_only.text
        assert "申报窗口" not in read_only.text
        assert (await case.post(page, page, {})).status_code == 403
        elsewhere = await other.get(page)
        assert elsewhere.status_code == 404
        assert "曲水亭" not in elsewhere.text
        assert (await other.post(f"/city/qingdao/cycles/{year}", page, {})).status_code == 404
        assert (await admin.get(f"/city/jinan/cycles/{year - 5}")).status_code == 200  # a past year: nothing to start
        home = await admin.get("/city/jinan")
        assert f'href="/city/jinan/cycles/{today().year}"' in home.text

        started = await admin.post(page, page, {})
        assert started.status_code == 303
        assert started.headers["location"] == f"{page}?done=started"
        await phase_of(env, year, "application")
        running = text_of((await admin.get(started.headers["location"])).text)
        assert "年度流程已启动" in running
        assert f"申报 {year}-01-01 至 {year}-03-31 当前阶段 等待：等待运营机构在窗口内申报" in running
        assert "初审" in running
        assert "省级认定" in running
        assert "整改" in running

        # A later close, while applications are open: said, confirmed, taken by the running cycle.
        window = f"{page}/window"
        preview = await admin.post(page, window, {"opens": "01-01", "closes": "04-30", "action": "preview"})
        assert preview.status_code == 200
        assert f"申报正在进行：窗口立即改为 {year}-01-01 至 {year}-04-30" in text_of(preview.text)
        assert 'value="confirm"' in preview.text
        bad = await admin.post(page, window, {"opens": "02-30", "closes": "04-30", "action": "preview"})
        assert bad.status_code == 422
        assert "不是有效的日期" in bad.text
        saved = await admin.post(page, window, {"opens": "01-01", "closes": "04-30", "action": "confirm"})
        assert saved.status_code == 303
        moved = await phase_of(env, year, "application")
        assert moved.application_window == (date(year, 1, 1), date(year, 4, 30))
        assert f"{year}-01-01 至 {year}-04-30" in text_of((await admin.get(page)).text)

        # Applications in the window, by name; another city's street is no page of this city.
        await skip_to(env, year_start(year))
        apply = f"{page}/applications"
        assert (await admin.post(page, apply, {"streetId": str(good.id)})).status_code == 303
        assert (await admin.post(page, apply, {"streetId": str(weak.id)})).status_code == 303
        assert (await admin.post(page, apply, {"streetId": str(foreign.id)})).status_code == 404
        assert (await admin.post(page, apply, {"streetId": ""})).status_code == 422

        # Screening at the new close; the admin recommends from the ranking.
        await skip_to(env, day_end(date(year, 4, 30)))
        await phase_of(env, year, "recommendation")
        screened = await admin.get(page)
        words = text_of(screened.text)
        assert f"/city/jinan/streets/{good.id}/assessments" in screened.text
        assert re.search(r"曲水亭创业街区 通过 \d+/\d+ — 评估详情", words)
        assert re.search(rf"芙蓉街创业街区 未通过 \d+/\d+ {ACTIVITIES} 评估详情", words)
        assert "市级推荐 初审完成后 当前阶段 等待：等待市级管理员从初审街区中推荐" in words
        assert words.index("1 曲水亭创业街区") < words.index("2 芙蓉街创业街区")
        recommend = f"{page}/recommendations"
        refused = await admin.post(page, recommend, {"streetIds[]": [str(good.id), str(weak.id)]})
        assert refused.status_code == 422
        assert f"街区「芙蓉街创业街区」初审未达到必备条件：{ACTIVITIES}" in text_of(refused.text)
        assert await data.status(good) == "applied"  # nothing half-done
        nothing = await admin.post(page, recommend, {})
        assert nothing.status_code == 422
        assert "请至少选择一个街区" in nothing.text
        assert (await case.post(page, recommend, {"streetIds[]": [str(good.id)]})).status_code == 403

        # A window that would reopen the screened applications: the consequence said, the cycle's refusal shown.
        reopen = await admin.post(page, window, {"opens": "01-01", "closes": "12-31", "action": "preview"})
        assert "流程会拒绝重新开放申报，配置不会保存" in text_of(reopen.text)
        kept = await admin.post(page, window, {"opens": "01-01", "closes": "12-31", "action": "confirm"})
        assert kept.status_code == 422
        assert f"{year} 年度流程未接受新的申报窗口" in text_of(kept.text)
        assert "不能按新窗口" in text_of(kept.text)
        assert "每年 01-01 至 04-30" in text_of(kept.text)  # the saved window is still the one in force

        done = await admin.post(page, recommend, {"streetIds[]": [str(good.id)]})
        assert done.status_code == 303
        await eventually(  # the selection reads its target as it opens
            lambda: cycles.selection_view(env.client, "shandong", year), lambda v: v.target is not None
        )
        waiting = text_of((await admin.get(page)).text)
        assert "已推荐 1 个街区，等待省厅认定" in waiting
        assert "全省试点名额 2 个" in waiting
        english = text_of((await admin.get(f"{page}?lang=en")).text)
        assert "Phases and dates" in english
        assert "1 street recommended; waiting for the province to designate" in english
        assert "province target: 2 pilots" in english
        await admin.get(f"{page}?lang=zh")
        read = await province.get(page)  # the province reads its cities' pages, and changes nothing there
        assert read.status_code == 200
        assert "等待省厅认定" in text_of(read.text)
        assert "提交推荐" not in read.text
        assert "8233" not in read.text
        assert (await province.post(page, recommend, {"streetIds[]": [str(good.id)]})).status_code == 403

        # The province designates; tracking follows the designated street's months.
        designation = Designation(street_ids=(good.id,), designated_by="province")
        await eventually(lambda: cycles.selection_view(env.client, "shandong", year), lambda v: bool(v.ranking))
        await cycles.designate(env.client, "shandong", year, designation)
        await phase_of(env, year, "tracking")
        await skip_to(env, day_end(date(year, 7, 10)) + timedelta(days=2))
        tracking = text_of((await case.get(page)).text)
        assert "跟踪 认定后至" in tracking
        assert "月报跟踪" in tracking
        assert re.search(rf"曲水亭创业街区 0 {year}-05、{year}-06 2 1", tracking), tracking

        # At year end the street has lost activities: rectification with its due date and reason, then revoked.
        await data.too_few_activities(good)
        await skip_to(env, year_start(year + 1))
        await eventually(
            lambda: cycles.reevaluation_view(env.client, "jinan", year), lambda v: v.phase == "rectification"
        )
        review = text_of((await admin.get(page)).text)
        assert "年度复评结果" in review
        assert re.search(rf"曲水亭创业街区 整改中 整改至 {year + 1}-\d\d-\d\d {ACTIVITIES}", review)
        assert "整改 整改至" in review
        await skip_to(env, year_start(year + 1) + timedelta(days=91))
        await eventually(lambda: cycles.reevaluation_view(env.client, "jinan", year), lambda v: v.phase == "closed")
        revoked = text_of((await admin.get(page)).text)
        assert f"曲水亭创业街区 已撤销 整改后仍未达到：{ACTIVITIES}" in revoked
        assert f"{year} 年度流程已结束，{year + 1} 年度流程已自动启动" in revoked


def _cycle(phase: str, **changes: Any) -> Cycle:
    fields: dict[str, Any] = {
        "workflow_id": "cycle:jinan:2030",
        "tenant": "jinan",
        "year": 2030,
        "phase": phase,
        "province": "shandong",
        "application_window": Window(opens=date(2030, 1, 1), closes=date(2030, 3, 31)),
        "applications": [],
        "screening": [],
        "recommendations": [],
        "designated": [],
        "tracked": [],
        "due": [],
        "reevaluation": None,
    }
    return Cycle(**{**fields, **changes})


def test_the_window_change_says_what_each_phase_of_the_cycle_does_with_it() -> None:
    new = (date(2030, 2, 1), date(2030, 4, 30))
    said = window_consequences(2030, None, new, date(2029, 12, 1))
    assert said[0].zh == "2030 年度流程尚未启动：启动时将使用新窗口 2030-02-01 至 2030-04-30。"
    late = window_consequences(2030, _cycle("application"), new, date(2030, 5, 2))
    assert "新的截止日 2030-04-30 已过：流程会拒绝此修改" in late[0].zh
    past = window_consequences(2030, _cycle("tracking"), new, date(2030, 6, 1))
    assert past[0].zh == "2030 年申报已于 2030-03-31 截止：本年度不受影响，新窗口自下一年度起生效。"
    assert "this year is unaffected" in past[0].en
    assert all("审计日志" in lines[-1].zh for lines in (said, late, past))


def test_a_year_without_rectification_shows_that_step_as_not_needed() -> None:
    year_end = YearEnd(
        workflow_id="reeval:jinan:2030",
        phase="closed",
        assessed=[],
        retained=[1],
        rectification=[],
        rectification_due=None,
        reassessed=[],
        revoked=[],
    )
    steps = timeline(_cycle("closed"), year_end)
    assert [s.state for s in steps] == ["done"] * 6 + ["skipped"]
    assert all(s.waits is None for s in steps)
    waiting = timeline(_cycle("recommendation", recommendations=[1]), None)
    assert [s.key for s in waiting if s.state == "current"] == ["designation"]
