"""A city's rule test cases (规则测试用例): stored, run on the city's rules through the rules engine, and run on a
would-be overlay before a change of the city's rules is saved.

The case model and the comparison are rules/testcases.py's, the same as the YAML cases of rules/cases/; each
case is judged in a rules worker process (as a what-if is), with the effective ruleset of its year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.workers import WorkerPool
from rules.criteria import Criterion, RuleError
from rules.facts import FactError, StreetFacts
from rules.overlay import Ruleset
from rules.testcases import ABSENT, OUTCOME, Difference, Output, case_facts, case_output, differences
from rules.verdict import Verdict
from services import models
from services.audit.service import record
from services.errors import ConflictError, InvalidError, NotFoundError
from services.labels.labels import label
from services.rulesets import schemas
from services.rulesets.evaluation import evaluate_in_worker
from services.rulesets.sources import Sources, invalid, sources_for
from services.text import Text
from tenants.context import Actor
from tenants.ids import TenantId

_NOT_FOUND = Text("没有名为“{name}”的测试用例", "no test case named '{name}'")
_TAKEN = Text("已有名为“{name}”的测试用例", "a test case named '{name}' already exists")
_OUTCOME_DIFFERS = Text("结论：预期“{expected}”，实际“{got}”", "outcome: expected '{expected}', got '{got}'")
_RESULT_DIFFERS = Text(
    "条件 {cid}（{title_zh}）：预期“{expected}”，实际“{got}”",
    "criterion {cid} ({title_en}): expected '{expected}', got '{got}'",
)
_ABSENT = Text("规则中没有该条件", "not in the rules")
_RESERVED = Text(
    "用例名称不能为“{name}”：该路径用于运行全部用例", "a case may not be named '{name}': that path runs every case"
)
RESERVED_NAMES = frozenset({"run"})
"""Names a case cannot take because its path would be another route's (``…/rules/cases/run``)."""
_CASES_FAIL = Text(
    "本市测试用例未通过，修改未保存：{cases}", "the city's test cases would fail, so nothing was saved: {cases}"
)


async def _rows(session: AsyncSession, tenant: TenantId) -> list[models.RuleCase]:
    query = select(models.RuleCase).where(models.RuleCase.tenant_id == tenant).order_by(col(models.RuleCase.name))
    return list((await session.execute(query)).scalars())


async def _row(session: AsyncSession, tenant: TenantId, name: str) -> models.RuleCase:
    row = await session.get(models.RuleCase, (tenant, name))
    if row is None:
        raise NotFoundError(_NOT_FOUND.format(name=name))
    return row


def _shown(row: models.RuleCase) -> schemas.RuleCase:
    return schemas.RuleCase(
        name=row.name,
        year=row.year,
        facts=row.facts,
        expected=msgspec.convert(row.expected, schemas.CaseExpected),
        created_by=row.created_by,
        created_at=row.created_at,
    )


async def list_cases(session: AsyncSession, tenant: TenantId) -> list[schemas.RuleCase]:
    """The city's stored cases, by name."""
    return [_shown(row) for row in await _rows(session, tenant)]


def _checked(sources: Sources, data: schemas.RuleCaseBody) -> tuple[dict[str, Any], dict[str, Any]]:
    """The case's facts and output as stored, once the rules model accepts them (else a 422 naming the problem):
    each fact known and of its type, each expected result a known one, each criterion one of the year's rules."""
    try:
        facts = case_facts(data.facts, sources.custom_fields)
        output = case_output(msgspec.to_builtins(data.expected), sources.ruleset(data.year))
    except (RuleError, FactError) as exc:
        raise invalid(exc) from exc
    plain: dict[str, Any] = msgspec.to_builtins(facts)
    # Only what the case gives: a fact left out and a fact given as null are both "no data".
    stored_facts = {name: plain[name] for name in data.facts}
    return stored_facts, msgspec.to_builtins(output)


async def create_case(
    session: AsyncSession, actor: Actor, tenant: TenantId, data: schemas.RuleCaseCreate
) -> schemas.RuleCase:
    """Store a new case, checked against the city's rules of its year; a name already used is a 409."""
    if data.name in RESERVED_NAMES:
        raise InvalidError(_RESERVED.format(name=data.name), extra={"name": data.name})
    sources = await sources_for(session, tenant, exclusive_city=True)
    facts, expected = _checked(sources, data)
    if await session.get(models.RuleCase, (tenant, data.name)) is not None:
        raise ConflictError(_TAKEN.format(name=data.name), extra={"name": data.name})
    row = models.RuleCase(
        tenant_id=tenant, name=data.name, year=data.year, facts=facts, expected=expected, created_by=actor.username
    )
    session.add(row)
    await session.flush()
    after = {"year": data.year, "facts": facts, "expected": expected}
    await record(session, actor, tenant, "rule_case.add", "rule_case", data.name, after=after)
    return _shown(row)


async def replace_case(
    session: AsyncSession, actor: Actor, tenant: TenantId, name: str, data: schemas.RuleCaseBody
) -> schemas.RuleCase:
    """Replace the year, facts and expected output of the case `name` (404 if the city has none by that name)."""
    sources = await sources_for(session, tenant, exclusive_city=True)
    row = await _row(session, tenant, name)
    facts, expected = _checked(sources, data)
    before = {"year": row.year, "facts": row.facts, "expected": row.expected}
    row.year, row.facts, row.expected, row.created_by = data.year, facts, expected, actor.username
    session.add(row)
    await session.flush()
    after = {"year": data.year, "facts": facts, "expected": expected}
    await record(session, actor, tenant, "rule_case.replace", "rule_case", name, before=before, after=after)
    return _shown(row)


async def delete_case(session: AsyncSession, actor: Actor, tenant: TenantId, name: str) -> None:
    """Delete the case `name` (404 if the city has none by that name)."""
    row = await _row(session, tenant, name)
    before = {"year": row.year, "facts": row.facts, "expected": row.expected}
    await session.delete(row)
    await session.flush()
    await record(session, actor, tenant, "rule_case.delete", "rule_case", name, before=before)


@dataclass(frozen=True)
class _Judged:
    row: models.RuleCase
    verdict: Verdict
    differences: list[Difference]


async def _judge(
    rows: Sequence[models.RuleCase], sources: Sources, pool: WorkerPool, city: Iterable[Criterion] | None = None
) -> list[_Judged]:
    """Each case judged by the engine with the ruleset of its year (the stored overlay, or `city`)."""
    overlay = None if city is None else tuple(city)
    by_year: dict[int, list[models.RuleCase]] = {}
    for row in rows:
        by_year.setdefault(row.year, []).append(row)
    judged: dict[str, _Judged] = {}
    for year, cases in by_year.items():
        try:
            ruleset: Ruleset = sources.ruleset(year, overlay)
        except RuleError as exc:
            raise invalid(exc) from exc
        streets = [msgspec.convert(row.facts, StreetFacts) for row in cases]
        (verdicts,) = await evaluate_in_worker(pool, [ruleset], streets)
        for row, verdict in zip(cases, verdicts, strict=True):
            output = msgspec.convert(row.expected, Output)
            judged[row.name] = _Judged(row, verdict, differences(verdict, output))
    return [judged[row.name] for row in rows]


def _explained(found: Difference, titles: dict[str, tuple[str, str]]) -> schemas.CaseDifference:
    """A difference with its sentence in each language: the results by their labels, a criterion by its title."""
    outcome = found.criterion == OUTCOME
    enum = "assessmentOutcome" if outcome else "criterionResult"
    expected = label(enum, found.expected)
    got = _ABSENT if found.got == ABSENT else label(enum, found.got)
    title_zh, title_en = titles.get(found.criterion, (found.criterion, found.criterion))
    text = _OUTCOME_DIFFERS if outcome else _RESULT_DIFFERS
    named = {"cid": found.criterion}
    return schemas.CaseDifference(
        criterion=found.criterion,
        expected=found.expected,
        got=found.got,
        message_zh=text.zh.format(**named, title_zh=title_zh, expected=expected.zh, got=got.zh),
        message_en=text.en.format(**named, title_en=title_en, expected=expected.en, got=got.en),
    )


def _run_of(judged: _Judged) -> schemas.CaseRun:
    titles = {r.id: (r.title_zh, r.title_en) for r in judged.verdict.criteria}
    return schemas.CaseRun(
        name=judged.row.name,
        year=judged.row.year,
        passed=not judged.differences,
        ruleset_hash=judged.verdict.ruleset_hash,
        outcome=judged.verdict.outcome,
        differences=[_explained(d, titles) for d in judged.differences],
    )


async def run_cases(session: AsyncSession, tenant: TenantId, pool: WorkerPool) -> schemas.CaseRunResult:
    """Every stored case of the city run on its effective rules (the province baseline and its overlay)."""
    sources = await sources_for(session, tenant)
    runs = [_run_of(j) for j in await _judge(await _rows(session, tenant), sources, pool)]
    passed = sum(1 for r in runs if r.passed)
    return schemas.CaseRunResult(tenant=tenant, passed=passed, failed=len(runs) - passed, cases=runs)


async def check_cases(
    session: AsyncSession, tenant: TenantId, sources: Sources, city: Iterable[Criterion], pool: WorkerPool
) -> None:
    """Refuse (422) a change of the city's rules that a stored case fails on: the overlay `city` is what the
    change would leave. The detail names each failing case and the criteria that differ."""
    rows = await _rows(session, tenant)
    if not rows:
        return
    failing = [j for j in await _judge(rows, sources, pool, city) if j.differences]
    if not failing:
        return
    listed = "；".join(f"“{j.row.name}”（{'、'.join(d.criterion for d in j.differences)}）" for j in failing)
    listed_en = "; ".join(f"'{j.row.name}' ({', '.join(d.criterion for d in j.differences)})" for j in failing)
    raise InvalidError(
        Text(_CASES_FAIL.zh.format(cases=listed), _CASES_FAIL.en.format(cases=listed_en)),
        extra={"cases": [msgspec.to_builtins(_run_of(j)) for j in failing]},
    )
