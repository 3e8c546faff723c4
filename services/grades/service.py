"""Yearly grades (年度等级): the province's grading schemes by year, and the grades of a street's years.

A scheme is published like a baseline (services/rulesets): under the province's exclusive advisory lock, and
refused once an assessment of the province's cities used a year it would govern, so that a stored grade stays
the one its scheme gives. Assessments take the shared lock (through the ruleset they read) before they read
the scheme, and store its hash; `scheme_by_hash` finds it again to reproduce the grade.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import load_only
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.grades import Grade, GradeScheme, GradeSchemeError, packaged_schemes, scheme_from_data
from rules.grades import scheme_in_force as rules_scheme_in_force
from rules.verdict import Outcome
from services import models
from services.audit.service import record
from services.errors import InvalidError, NotFoundError
from services.grades import schemas
from services.labels.labels import LABELS
from services.models.base import utcnow
from services.rulesets.sources import (
    assessed_years,
    baseline_in_force,
    check_province,
    cities_of,
    governs_until,
    lock,
    province_of,
)
from services.streets.service import street_of
from tenants.context import Actor
from tenants.ids import TenantId


async def _published(session: AsyncSession, province: str) -> list[models.GradeScheme]:
    query = (
        select(models.GradeScheme)
        .where(models.GradeScheme.tenant_id == province)
        .order_by(col(models.GradeScheme.year))
    )
    return list((await session.execute(query)).scalars())


def _scheme_of(row: models.GradeScheme) -> GradeScheme:
    return scheme_from_data(row.scheme)


async def scheme_for(session: AsyncSession, tenant: TenantId, year: int) -> GradeScheme | None:
    """The scheme grading `tenant`'s streets in `year`: its province's newest for that year or before, else the
    file's; None before the first scheme (2024)."""
    return await province_scheme(session, await province_of(session, tenant), year)


async def province_scheme(session: AsyncSession, province: str, year: int) -> GradeScheme | None:
    """:func:`scheme_for` every city of `province` alike, read once."""
    rows = await _published(session, province)
    return rules_scheme_in_force(year, [_scheme_of(row) for row in rows])


async def scheme_by_hash(session: AsyncSession, tenant: TenantId, scheme_hash: str) -> GradeScheme | None:
    """The scheme with that hash among the province's published ones and the files: what graded an assessment."""
    rows = await _published(session, await province_of(session, tenant))
    candidates = (*packaged_schemes(), *(_scheme_of(row) for row in rows if row.hash == scheme_hash))
    return next((scheme for scheme in candidates if scheme.hash == scheme_hash), None)


async def get_scheme(session: AsyncSession, province: TenantId, year: int) -> schemas.GradeScheme:
    """The scheme in force in `year` for the province: the newest published for that year or before, else the file's."""
    await check_province(session, province)
    rows = [row for row in await _published(session, province) if row.year <= year]
    scheme = rules_scheme_in_force(year, [_scheme_of(row) for row in rows])
    if scheme is None:
        raise NotFoundError(f"{year} 年没有适用的等级评定办法 / no grading scheme applies to {year}")
    row = next((r for r in reversed(rows) if r.year == scheme.year and r.hash == scheme.hash), None)
    return schemas.GradeScheme.of(
        province, year, scheme, row.published_by if row else None, row.published_at if row else None
    )


async def publish_scheme(
    session: AsyncSession, actor: Actor, province: TenantId, year: int, data: schemas.GradeSchemePublish
) -> schemas.GradeScheme:
    """Publish (or replace) the province's grading scheme for `year`; it governs until a later scheme's year.

    Checked against the baseline in force that year (every weighed id a criterion of it): 422 naming the part
    at fault. Refused with 409 when an assessment of the province or its cities already used a year it would
    govern. Audited.
    """
    await check_province(session, province)
    try:
        baseline = await baseline_in_force(session, province, year)
    except NotFoundError as exc:  # the weights name criteria: without a baseline there are none to name
        raise InvalidError(
            f"{year} 年没有适用的省级基本条件，须先发布基本条件 / no provincial baseline applies to {year};"
            " publish one first",
            extra={"field": "year"},
        ) from exc
    try:
        scheme = scheme_from_data(data.data(year), {c.id for c in baseline.criteria})
    except GradeSchemeError as exc:
        raise InvalidError(str(exc), extra={"field": exc.field}) from exc
    await lock(session, province, exclusive=True)
    rows = await _published(session, province)
    old = next((row for row in rows if row.year == year), None)
    others = [_scheme_of(row) for row in rows if row.year != year]
    until = governs_until(year, [scheme.year for scheme in (*packaged_schemes(), *others)])
    await assessed_years(
        session,
        [province, *await cities_of(session, province)],
        year,
        until,
        what=("等级评定办法", "grading scheme"),
    )
    stored = msgspec.to_builtins(scheme)
    before = {"scheme": old.scheme, "hash": old.hash} if old else None
    # The exclusive lock taken above keeps a concurrent publisher of the same year out until this commits.
    row = old or models.GradeScheme(
        tenant_id=province, year=year, scheme=stored, hash=scheme.hash, published_by=actor.username
    )
    row.scheme, row.hash, row.published_by, row.published_at = stored, scheme.hash, actor.username, utcnow()
    session.add(row)
    await session.flush()
    await record(
        session,
        actor,
        province,
        "grade_scheme.publish",
        "grade_scheme",
        year,
        before=before,
        after={"scheme": stored, "hash": scheme.hash},
    )
    return await get_scheme(session, province, year)


async def latest_grades(
    session: AsyncSession, tenant: TenantId, street_ids: Sequence[int], years: Sequence[int] | None = None
) -> dict[int, list[schemas.YearGrade]]:
    """Each street's grade per year, newest year first: from its latest graded assessment of the year not voided."""
    if not street_ids:
        return {}
    row = models.Assessment
    # The grade's columns only: a whole assessment carries some 20 KB of facts, criteria and results as JSON.
    query = (
        select(row)
        .options(
            load_only(
                *(getattr(row, name) for name in ("street_id", "year", "score", "grade", "outcome", "created_at"))
            )
        )
        .ext(distinct_on(col(row.street_id), col(row.year)))
        .where(
            row.tenant_id == tenant,
            col(row.street_id).in_(street_ids),
            col(row.voided_at).is_(None),
            col(row.grade).is_not(None),
        )
        .order_by(col(row.street_id), col(row.year).desc(), col(row.created_at).desc(), col(row.id).desc())
    )
    if years is not None:
        query = query.where(col(row.year).in_(years))
    grades: dict[int, list[schemas.YearGrade]] = {street_id: [] for street_id in street_ids}
    for assessment in (await session.execute(query)).scalars():
        grade = msgspec.convert(assessment.grade, Grade)
        grades[assessment.street_id].append(
            schemas.YearGrade(
                year=assessment.year,
                score=assessment.score or 0.0,
                grade=grade,
                grade_zh=LABELS["grade"][grade].zh,
                assessment_id=assessment.id or 0,
                outcome=msgspec.convert(assessment.outcome, Outcome),
                assessed_at=assessment.created_at,
            )
        )
    return grades


async def grade_history(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int
) -> list[schemas.YearGrade]:
    """The street's grade of every year it was graded, newest first (another tenant's street: 404)."""
    await street_of(session, tenant, street_id, actor)
    return (await latest_grades(session, tenant, [street_id]))[street_id]
