"""``/api/tenants/{tenant}/rules`` (effective rules, city rules, what-if) and ``/api/province/{province}/baselines``
(the baseline, its publication and its preview)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.exceptions import ServiceUnavailableException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from infra.workers import WorkerPool, WorkerTimeoutError
from services.deps import At, Caller, Db, Province, app_context, requires
from services.openapi import error_spec
from services.rulesets import cases, preview, service
from services.rulesets.schemas import (
    Baseline,
    BaselinePreview,
    BaselinePublish,
    CaseRunResult,
    CityRuleCreate,
    Criterion,
    RuleCase,
    RuleCaseBody,
    RuleCaseCreate,
    Ruleset,
    Simulation,
    SimulationResult,
)
from services.shared.bounds import CriterionId, SegmentParam, YearParam, year_query
from services.shared.paging import TOTAL_COUNT_HEADERS, Page, paged
from services.text import Text
from tenants.calendar import today
from tenants.context import Role
from tenants.resolver import resolve

CITY_ADMIN = requires(Role.CITY_ADMIN)
_SIMULATION_ERRORS: Final = {
    503: ResponseSpec(
        data_container=dict[str, Any],
        description="模拟超过时限，稍后重试（见 Retry-After）/ the simulation overran its time limit; retry"
        " after Retry-After seconds",
    ),
}
_CASE_ERRORS: Final = {
    422: error_spec(
        "用例无效：未知的条件或事实、事实类型不符、预期结果无效 / an invalid case: an unknown criterion or fact, a fact"
        " of the wrong type, an expected result that is none of the known ones"
    ),
}
_CHANGE_ERRORS: Final = {
    422: error_spec(
        "条件无效、放宽了省级基本条件，或本市测试用例在修改后的规则下未通过（extra.cases 列出各用例及差异）"
        " / an invalid or loosening criterion, or the city's test cases would fail on the changed rules"
        " (extra.cases lists each failing case and its differences)"
    ),
    **_SIMULATION_ERRORS,
}
_ENGINE_BUSY = Text(
    "规则模拟未能在 {seconds:g} 秒内完成，请稍后重试或减少条件",
    "the simulation did not finish within {seconds:g} s; retry later or propose fewer criteria",
)


class RulesetController(Controller):
    path = "/api/tenants/{tenant:str}/rules"
    tags = ["rules"]

    @get("/", summary="现行规则 / the effective ruleset of a year (province baseline and the city's rules)")
    async def get_rules(
        self,
        at: At,
        year: Annotated[int | None, year_query("评估年度，默认今年 / the year, this year by default")] = None,
    ) -> Ruleset:
        return await service.get_rules(at.db, at.tenant_id, year or today().year)

    @post(
        "/",
        guards=[CITY_ADMIN],
        summary="新增或收紧城市条件 / add a city criterion or tighten a baseline one (first the city's test cases run"
        " on the would-be rules: a failing case is a 422 naming it, nothing saved)",
        responses=_CHANGE_ERRORS,
    )
    async def add_rule(self, at: At, data: JSONBody[CityRuleCreate]) -> Criterion:
        pool = at.context.rules_pool
        with _engine_in_time(pool):
            return await service.add_city_rule(at.db, at.actor, at.tenant_id, data, pool)

    @delete(
        "/{criterion_id:str}",
        guards=[CITY_ADMIN],
        summary="自某年起取消城市条件 / stop a city criterion from a year on (a baseline one: 422)",
        responses=_CHANGE_ERRORS,
    )
    async def remove_rule(self, at: At, criterion_id: CriterionId, year: YearParam) -> None:
        pool = at.context.rules_pool
        with _engine_in_time(pool):
            await service.remove_city_rule(at.db, at.actor, at.tenant_id, criterion_id, year, pool)

    @get("/cases", summary="规则测试用例 / the city's stored rule test cases", response_headers=TOTAL_COUNT_HEADERS)
    async def list_cases(self, at: At) -> Response[list[RuleCase]]:
        return paged(Page.whole(await cases.list_cases(at.db, at.tenant_id)))

    @post(
        "/cases",
        guards=[CITY_ADMIN],
        summary="新增规则测试用例 / store a rule test case (checked against the rules of its year; 422 naming the"
        " problem)",
        responses=_CASE_ERRORS,
    )
    async def create_case(self, at: At, data: JSONBody[RuleCaseCreate]) -> RuleCase:
        return await cases.create_case(at.db, at.actor, at.tenant_id, data)

    @put(
        "/cases/{name:str}",
        guards=[CITY_ADMIN],
        summary="替换规则测试用例 / replace a stored rule test case",
        responses=_CASE_ERRORS,
    )
    async def replace_case(self, at: At, name: SegmentParam, data: JSONBody[RuleCaseBody]) -> RuleCase:
        return await cases.replace_case(at.db, at.actor, at.tenant_id, name, data)

    @delete("/cases/{name:str}", guards=[CITY_ADMIN], summary="删除规则测试用例 / delete a stored rule test case")
    async def delete_case(self, at: At, name: SegmentParam) -> None:
        await cases.delete_case(at.db, at.actor, at.tenant_id, name)

    @post(
        "/cases/run",
        guards=[CITY_ADMIN],
        status_code=200,
        summary="运行规则测试用例 / run every stored case on the city's rules through the rules engine (nothing is"
        " stored)",
        responses=_SIMULATION_ERRORS,
    )
    async def run_cases(self, at: At) -> CaseRunResult:
        pool = at.context.rules_pool
        with _engine_in_time(pool):
            return await cases.run_cases(at.db, at.tenant_id, pool)

    @post(
        "/simulate",
        guards=[CITY_ADMIN],
        status_code=200,
        summary="规则调整模拟 / which streets' verdicts a proposed change would change (nothing is saved)",
        responses={
            422: ResponseSpec(
                data_container=dict[str, Any],
                description=f"提议无效、超过上限（每次最多 {service.MAX_SIMULATED_CRITERIA} 条条件）或规则引擎无法评价"
                f" / an invalid proposal, one past the bounds ({service.MAX_SIMULATED_CRITERIA} criteria at most), or"
                " one the rules engine fails on",
            ),
            **_SIMULATION_ERRORS,
        },
    )
    async def simulate(self, at: At, data: JSONBody[Simulation]) -> SimulationResult:
        pool = at.context.rules_pool
        with _engine_in_time(pool):
            return await service.simulate(at.db, at.tenant_id, data, pool)


class BaselineController(Controller):
    path = "/api/province/{province:str}/baselines"
    tags = ["rules"]
    guards = [requires(province=True)]

    @get("/{year:int}", summary="省级基本条件 / the province baseline in force in a year")
    async def get_baseline(self, db: Db, actor: Caller, province: Province, year: YearParam) -> Baseline:
        return await service.get_baseline(db, resolve(actor, province), year)

    @put(
        "/{year:int}",
        guards=[requires(Role.PROVINCE_ADMIN)],
        summary="发布省级基本条件 / publish the baseline for a year no assessment has used (409 otherwise)",
    )
    async def publish_baseline(
        self, db: Db, actor: Caller, province: Province, year: YearParam, data: JSONBody[BaselinePublish]
    ) -> Baseline:
        return await service.publish_baseline(db, actor, resolve(actor, province), year, data)

    @post(
        "/{year:int}/simulate",
        guards=[requires(Role.PROVINCE_ADMIN)],
        status_code=200,
        summary="基本条件调整预览 / what publishing this baseline for the year would change in every city, street by"
        " street (nothing is saved)",
        responses={
            409: ResponseSpec(
                data_container=dict[str, Any],
                description="某市的城市条件将放宽该基本条件 / a city's stored rule would loosen the proposed baseline",
            ),
            422: ResponseSpec(data_container=dict[str, Any], description="提议无效 / an invalid proposal"),
            **_SIMULATION_ERRORS,
        },
    )
    async def simulate_baseline(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        province: Province,
        year: YearParam,
        data: JSONBody[BaselinePublish],
    ) -> BaselinePreview:
        pool = app_context(request).rules_pool
        with _engine_in_time(pool):
            return await preview.preview_baseline(db, actor, resolve(actor, province), year, data, pool)


@contextmanager
def _engine_in_time(pool: WorkerPool) -> Iterator[None]:
    """A simulation past the rules workers' time limit as 503 with Retry-After (the worker was replaced)."""
    try:
        yield
    except WorkerTimeoutError as exc:
        raise ServiceUnavailableException(
            detail=str(_ENGINE_BUSY.format(seconds=pool.time_limit)),
            headers={"Retry-After": str(max(1, round(pool.time_limit)))},
        ) from exc
