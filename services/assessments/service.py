"""Assessments: a street's facts judged by the effective ruleset through the engine, stored with what they saw.

An assessment keeps the facts, the criteria as evaluated (with the custom fields they name) and the
ruleset hash, so `reevaluate` gives the same verdict however the rules have changed since; and its
yearly score and grade (年度等级) with the hash of the grading scheme that gave them, so `reproduce` grades
it again. The annual cycle's activities call `assess_street` / `assess_streets` with an idempotency key, so a
retried activity finds the assessment it stored instead of storing a second one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any, Final

import msgspec
from sqlalchemy import Table
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.criteria import Criterion
from rules.engine import Engine
from rules.facts import CustomField, StreetFacts
from rules.grades import Graded, grade
from rules.overlay import Ruleset
from rules.verdict import CriterionResult, Verdict
from services.assessments import schemas
from services.audit.service import record
from services.errors import ConflictError, InvalidError, NotFoundError
from services.facts.service import compute_facts
from services.grades.service import scheme_by_hash, scheme_for
from services.models import Assessment
from services.models.base import utcnow
from services.rulesets.evaluation import evaluate
from services.rulesets.sources import effective_ruleset_for
from services.shared.checks import FieldProblem
from services.shared.paging import Page, fetch_page
from services.shared.writes import insert_unnest
from services.streets.service import not_found, street_of
from services.text import Text
from tenants.calendar import today
from tenants.context import Actor
from tenants.ids import TenantId

log = logging.getLogger(__name__)

KINDS: Final = ("manual", "annual", "rectification", "screening")
_ROWS_PER_INSERT: Final = 1000
"""Rows per INSERT: one statement's arrays stay a few megabytes of JSON."""
_ASSESSMENTS: Table = Assessment.__table__  # type: ignore[attr-defined]  # SQLModel declares it untyped


async def assess_street(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    street_id: int,
    year: int,
    engine: Engine,
    *,
    kind: str = "manual",
    idempotency_key: str | None = None,
) -> Assessment:
    """Judge one street for `year` with that year's effective rules and store the assessment (audited).

    With `idempotency_key`, the tenant's assessment already stored under that key is returned instead.
    """
    await street_of(session, tenant, street_id, actor)  # another tenant's, or for an operator another street: 404
    (assessment,) = await _assess(session, actor, tenant, year, engine, kind, {street_id: idempotency_key})
    return assessment


async def assess_streets(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    street_ids: Sequence[int],
    year: int,
    engine: Engine,
    *,
    kind: str,
    key_prefix: str | None = None,
) -> list[Assessment]:
    """Judge many streets of the tenant at once: one facts computation, one engine batch; in `street_ids` order.

    With `key_prefix`, street s is stored under the idempotency key `{key_prefix}:{s}`, and a street already
    assessed under its key is returned as stored. An id that is not a street of the tenant is a 404.
    """
    keys = {street_id: None if key_prefix is None else f"{key_prefix}:{street_id}" for street_id in street_ids}
    return await _assess(session, actor, tenant, year, engine, kind, keys)


async def _by_key(session: AsyncSession, tenant: TenantId, keys: Iterable[str]) -> dict[str, Assessment]:
    wanted = list(keys)
    if not wanted:
        return {}
    query = select(Assessment).where(Assessment.tenant_id == tenant, col(Assessment.idempotency_key).in_(wanted))
    return {row.idempotency_key: row for row in (await session.execute(query)).scalars() if row.idempotency_key}


async def _assess(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    year: int,
    engine: Engine,
    kind: str,
    keys: dict[int, str | None],
) -> list[Assessment]:
    if kind not in KINDS:
        raise InvalidError(f"评估类型 {kind} 无效 / unknown assessment kind {kind}", extra={"kind": kind})
    found = await _by_key(session, tenant, (key for key in keys.values() if key is not None))
    todo = [street_id for street_id, key in keys.items() if key is None or key not in found]
    made: dict[int, Assessment] = {}
    if todo:
        started = time.perf_counter()
        facts = await compute_facts(session, tenant, year, todo)
        facts_done = time.perf_counter()
        for street_id in todo:
            if street_id not in facts:
                raise not_found(street_id)
        ruleset = await effective_ruleset_for(session, tenant, year)
        verdicts = await evaluate(engine, ruleset, [facts[street_id] for street_id in todo])
        # Read after the ruleset, under the province's shared lock: a scheme being published waits for this one.
        scheme = await scheme_for(session, tenant, year)
        graded = [None if scheme is None else grade(scheme, ruleset, verdict) for verdict in verdicts]
        rules_done = time.perf_counter()
        criteria = msgspec.to_builtins(list(ruleset.criteria))
        fields = msgspec.to_builtins(list(ruleset.custom_fields))
        values: list[dict[str, Any]] = [
            {
                "tenant_id": tenant,
                "street_id": street_id,
                "year": year,
                "ruleset_hash": verdict.ruleset_hash,
                "outcome": verdict.outcome,
                "facts": msgspec.to_builtins(facts[street_id]),
                "criteria": criteria,
                "custom_fields": fields,
                "results": msgspec.to_builtins(list(verdict.criteria)),
                **_grade_values(grades),
                "kind": kind,
                "idempotency_key": keys[street_id],
                "created_by": actor.username,
            }
            for street_id, verdict, grades in zip(todo, verdicts, graded, strict=True)
        ]
        for start in range(0, len(values), _ROWS_PER_INSERT):
            for row in await _insert(session, values[start : start + _ROWS_PER_INSERT]):
                made[row.street_id] = row
                await record(
                    session,
                    actor,
                    tenant,
                    "assessment.create",
                    "assessment",
                    row.id,
                    after={
                        "street_id": row.street_id,
                        "year": year,
                        "kind": kind,
                        "outcome": row.outcome,
                        "ruleset_hash": row.ruleset_hash,
                        "score": row.score,
                        "grade": row.grade,
                        "grade_scheme_hash": row.grade_scheme_hash,
                        "idempotency_key": row.idempotency_key,
                    },
                )
        log.info(
            "assessed %d streets of %s for %d: facts %.3f s, rules %.3f s, writes %.3f s",
            len(todo),
            tenant,
            year,
            facts_done - started,
            rules_done - facts_done,
            time.perf_counter() - rules_done,
        )
        found |= await _by_key(session, tenant, (key for s, key in keys.items() if key and s not in made))
    return [made[street_id] if street_id in made else found[keys[street_id] or ""] for street_id in keys]


def _grade_values(graded: Graded | None) -> dict[str, Any]:
    """The grade columns of an assessment: none where no grading scheme covers its year."""
    if graded is None:
        return {"score": None, "grade": None, "grade_scheme_hash": None}
    return {"score": graded.score, "grade": graded.grade, "grade_scheme_hash": graded.scheme_hash}


async def _insert(session: AsyncSession, values: list[dict[str, Any]]) -> list[Assessment]:
    """Store the assessments; those whose key another call stored first are left out of the result.

    Only what the database adds (the id, the time) comes back: the rest is what was sent, so the large JSON of
    the facts, criteria and results is not read back and decoded again.
    """
    # A concurrent call with the same key stores first; this one then stores nothing and reads that one.
    stored = await insert_unnest(
        session,
        _ASSESSMENTS,
        values,
        "ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"
        " RETURNING street_id, id, created_at",
    )
    by_street = {row["street_id"]: row for row in values}  # one assessment per street in a batch
    return [Assessment(**by_street[row.street_id], id=row.id, created_at=row.created_at) for row in stored.all()]


def stored_ruleset(assessment: Assessment) -> Ruleset:
    """The ruleset an assessment was judged by, rebuilt from what it stored."""
    return Ruleset(
        tenant=assessment.tenant_id,
        year=assessment.year,
        criteria=msgspec.convert(assessment.criteria, tuple[Criterion, ...]),
        custom_fields=msgspec.convert(assessment.custom_fields, tuple[CustomField, ...]),
        hash=assessment.ruleset_hash,
    )


async def reevaluate(assessment: Assessment, engine: Engine) -> Verdict:
    """The verdict again, from the assessment's stored facts and criteria: unaffected by later rule changes.

    The engine checks the stored criteria against the stored hash, so tampered criteria do not pass as the
    ruleset they claim to be.
    """
    facts = msgspec.convert(assessment.facts, StreetFacts)
    (verdict,) = await evaluate(engine, stored_ruleset(assessment), [facts])
    return verdict


def _facts(assessment: Assessment) -> StreetFacts:
    return msgspec.convert(assessment.facts, StreetFacts)


def _out(assessment: Assessment, street_name: str) -> schemas.Assessment:
    results = msgspec.convert(assessment.results, list[CriterionResult])
    return schemas.Assessment.of(assessment, street_name, _facts(assessment), results)


_FUTURE_YEAR = Text(
    "评估年度 {year} 尚未到来：只能评估本年度（{current}）或以前的年度",
    "year {year} has not come yet: a street is assessed for the current year ({current}) or an earlier one",
)


async def create_assessment(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, year: int, engine: Engine
) -> schemas.Assessment:
    """A city admin's assessment of the current year (China time) or an earlier one.

    The annual cycle assesses through `assess_streets` at the year's end, by the workflow's own clock.
    """
    current = today().year
    if year > current:
        raise InvalidError(_FUTURE_YEAR.format(year=year, current=current), extra={"field": "year"})
    assessment = await assess_street(session, actor, tenant, street_id, year, engine)
    return _out(assessment, (await street_of(session, tenant, street_id, actor)).name)


_VOIDED = Text("评估 {id} 已于 {at} 作废，无需再次作废", "assessment {id} was already voided at {at}")


async def void_assessment(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, assessment_id: int, reason: str
) -> schemas.Assessment:
    """Void a mistaken assessment with the caller's reason, audited; the row is kept and marked.

    A voided assessment counts nowhere: the province report reads the latest assessment not voided,
    and a province baseline may again be published for its year (services.rulesets). Changing the row
    marks its street's report summary stale (migration 0006's triggers).
    """
    reason = reason.strip()
    if not reason:
        raise FieldProblem("reason", "作废原因不能为空", "reason must not be blank").error()
    row, name = await _assessment(session, actor, tenant, street_id, assessment_id, lock=True)
    if row.voided_at is not None:
        raise ConflictError(
            _VOIDED.format(id=assessment_id, at=row.voided_at.isoformat()), extra={"assessmentId": assessment_id}
        )
    row.voided_at, row.voided_by, row.voided_reason = utcnow(), actor.username, reason
    session.add(row)
    await session.flush()
    await record(
        session,
        actor,
        tenant,
        "assessment.void",
        "assessment",
        assessment_id,
        before={"voided": False},
        after={
            "voided": True,
            "voided_reason": reason,
            "voided_by": actor.username,
            "street_id": row.street_id,
            "year": row.year,
            "outcome": row.outcome,
        },
    )
    return _out(row, name)


async def list_assessments(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    street_id: int,
    *,
    year: int | None,
    limit: int,
    offset: int,
) -> Page[schemas.Assessment]:
    """The street's assessments, newest first."""
    street = await street_of(session, tenant, street_id, actor)
    query = select(Assessment).where(Assessment.tenant_id == tenant, Assessment.street_id == street_id)
    if year is not None:
        query = query.where(Assessment.year == year)
    query = query.order_by(col(Assessment.created_at).desc(), col(Assessment.id).desc())
    page = await fetch_page(session, query, limit=limit, offset=offset)
    return page.map(lambda row: _out(row[0], street.name))


async def _assessment(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, assessment_id: int, *, lock: bool = False
) -> tuple[Assessment, str]:
    """The assessment, and the name of its street."""
    street = await street_of(session, tenant, street_id, actor)
    query = select(Assessment).where(
        Assessment.tenant_id == tenant, Assessment.street_id == street_id, Assessment.id == assessment_id
    )
    if lock:
        query = query.with_for_update()
    row: Assessment | None = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"评估 {assessment_id} 不存在 / assessment {assessment_id} not found")
    return row, street.name


async def get_assessment(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, assessment_id: int
) -> schemas.Assessment:
    return _out(*await _assessment(session, actor, tenant, street_id, assessment_id))


async def reproduce(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, assessment_id: int, engine: Engine
) -> schemas.Reproduction:
    """The assessment re-evaluated from what it stored, and whether that gives the stored verdict again."""
    row, name = await _assessment(session, actor, tenant, street_id, assessment_id)
    verdict = await reevaluate(row, engine)
    # The grade again by the scheme whose hash the assessment stored (published, or a file's), if any.
    scheme = None if row.grade_scheme_hash is None else await scheme_by_hash(session, tenant, row.grade_scheme_hash)
    graded = _grade_values(None if scheme is None else grade(scheme, stored_ruleset(row), verdict))
    identical = (
        verdict.outcome == row.outcome
        and verdict.ruleset_hash == row.ruleset_hash
        and msgspec.convert(row.results, tuple[CriterionResult, ...]) == verdict.criteria
        and (graded["score"], graded["grade"], graded["grade_scheme_hash"])
        == (row.score, row.grade, row.grade_scheme_hash)
    )
    again = msgspec.structs.asdict(schemas.Assessment.of(row, name, _facts(row), list(verdict.criteria)))
    again.update(outcome=verdict.outcome, ruleset_hash=verdict.ruleset_hash, **graded)
    return schemas.Reproduction(**again, identical=identical)
