"""The stored sources of a tenant's rules: the province's published baselines and the city's rules by year, read
under the province's advisory lock, and the effective ruleset of a year made from them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.baseline import Baseline, baseline_from_data, load_baseline, packaged_baselines
from rules.criteria import Criterion, RuleError
from rules.facts import CustomField, FactError
from rules.overlay import Ruleset, content_hash, effective_ruleset
from services import models
from services.errors import ConflictError, InvalidError, NotFoundError
from services.fields.service import load_custom_fields
from services.rulesets import schemas
from services.text import Text
from tenants.ids import TenantId

_LOCK_SHARED = text("SELECT pg_advisory_xact_lock_shared(hashtextextended(:key, 0))")
_LOCK_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


def invalid(exc: RuleError | FactError, criterion_id: str | None = None) -> InvalidError:
    """The 422 of a rules-model error; the detail names the criterion (or the fact) it is about."""
    named = exc.criterion_id if isinstance(exc, RuleError) else exc.fact
    detail = str(exc)
    if named is None and criterion_id is not None:
        named = criterion_id
        detail = f"条件 {criterion_id}：{exc.message_zh} / criterion {criterion_id}: {exc.message_en}"
    key = "criterion" if isinstance(exc, RuleError) else "fact"
    return InvalidError(detail, extra={key: named})


async def lock(session: AsyncSession, key: str, *, exclusive: bool) -> None:
    await session.execute(_LOCK_EXCLUSIVE if exclusive else _LOCK_SHARED, {"key": f"jiequ.rules:{key}"})


async def province_of(session: AsyncSession, tenant: str) -> str:
    """The province whose baseline judges `tenant`: its parent, or itself for a province."""
    parent = (await session.execute(select(models.Tenant.parent).where(models.Tenant.slug == tenant))).scalar_one()
    return parent or tenant


async def check_province(session: AsyncSession, province: TenantId) -> None:
    """`province` is a province (a city's slug answers 404 like an unknown one)."""
    if await province_of(session, province) != province:
        raise NotFoundError(f"省份 {province} 不存在 / province {province} not found")


async def cities_of(session: AsyncSession, province: str) -> list[str]:
    """The slugs of the province's cities, by division code."""
    query = select(models.Tenant.slug).where(models.Tenant.parent == province).order_by(col(models.Tenant.code))
    return list((await session.execute(query)).scalars())


def proposed_baseline(data: schemas.BaselinePublish, year: int) -> Baseline:
    """The baseline the province proposes for `year`, checked by the rules model (422 naming the criterion)."""
    if not data.criteria:
        raise InvalidError(
            Text(f"{year} 年基本条件不能为空，至少需要一项条件", f"the {year} baseline needs at least one criterion"),
            extra={"field": "criteria"},
        )
    try:
        drafts = [{k: v for k, v in criterion_data(c, year).items() if k != "origin"} for c in data.criteria]
        return baseline_from_data({"year": year, "criteria": drafts})
    except RuleError as exc:
        raise invalid(exc) from exc


async def published_baselines(session: AsyncSession, province: str) -> list[models.Baseline]:
    query = select(models.Baseline).where(models.Baseline.tenant_id == province).order_by(col(models.Baseline.year))
    return list((await session.execute(query)).scalars())


async def assessed_years(
    session: AsyncSession, tenants: Sequence[str], year: int, until: int | None, *, what: tuple[str, str]
) -> None:
    """Refuse (409) publishing the province's `what` (zh, en) for `year` when an assessment of `tenants` not voided
    already used a year from `year` up to `until` (excluded), the years the publication would govern."""
    query = (
        select(models.Assessment.year)
        .distinct()
        .where(
            col(models.Assessment.tenant_id).in_(tenants),
            col(models.Assessment.year) >= year,
            col(models.Assessment.voided_at).is_(None),  # a voided assessment used nothing
        )
    )
    if until is not None:
        query = query.where(col(models.Assessment.year) < until)
    used = sorted((await session.execute(query)).scalars())
    if used:
        years = ", ".join(map(str, used))
        zh, en = what
        raise ConflictError(
            f"{years} 年已有评估使用现行{zh}，不能再发布 {year} 年{zh}"
            f" / assessments already used the {en} in force in {years}; the {year} {en} cannot be published",
            extra={"years": used},
        )


def governs_until(year: int, years: Iterable[int]) -> int | None:
    """The first of `years` after `year`: what the province publishes for `year` (a baseline, a grading scheme)
    applies from its year until then."""
    later = [other for other in years if other > year]
    return min(later) if later else None


def baseline_of(row: models.Baseline) -> Baseline:
    return baseline_from_data({"year": row.year, "criteria": row.criteria})


def criterion_of(row: models.CityRule) -> Criterion:
    # The year columns are what queries select by, so they win over the copy inside the JSON.
    data = {**row.criterion, "effective_from": row.effective_from, "effective_to": row.effective_to}
    return msgspec.convert(data, Criterion)


def stored(criterion: Criterion) -> dict[str, Any]:
    stored: dict[str, Any] = msgspec.to_builtins(criterion)
    return stored


def until(end: int | None) -> float:
    return float("inf") if end is None else end


def end_rule(row: models.CityRule, last_year: int) -> None:
    """Let a stored city rule apply up to `last_year` only (the JSON copy follows the column)."""
    row.effective_to = last_year
    row.criterion = {**row.criterion, "effective_to": last_year}


@dataclass(frozen=True)
class Sources:
    """What a tenant's effective rules are made of, read once; the ruleset of any year is made from it."""

    tenant: str
    published: tuple[Baseline, ...]
    rows: tuple[models.CityRule, ...]
    custom_fields: tuple[CustomField, ...]

    @property
    def city_rules(self) -> tuple[Criterion, ...]:
        return tuple(criterion_of(row) for row in self.rows)

    def baseline(self, year: int) -> tuple[Criterion, ...]:
        return load_baseline(year, self.published)

    def ruleset(self, year: int, city: Iterable[Criterion] | None = None) -> Ruleset:
        """The effective ruleset of `year`, with the stored overlay or the one given."""
        criteria = self.city_rules if city is None else tuple(city)
        return effective_ruleset(self.tenant, year, self.baseline(year), criteria, self.custom_fields)

    def turning_years(self, start: int, end: int | None, city: Iterable[Criterion]) -> list[int]:
        """`start` and every later year up to `end` in which a baseline or a criterion starts or stops.

        The effective rules stay the same from one of these years to the next, so checking a change at
        each of them checks it for every year from `start` to `end`.
        """
        baselines = (*packaged_baselines(), *self.published)
        turns = {b.year for b in baselines}
        for criterion in (*city, *(c for b in baselines for c in b.criteria)):
            turns.add(criterion.effective_from)
            if criterion.effective_to is not None:
                turns.add(criterion.effective_to + 1)
        return [start, *sorted(y for y in turns if start < y <= until(end))]


async def read_sources(
    session: AsyncSession, tenant: TenantId, province: str, published: Sequence[Baseline] | None = None
) -> Sources:
    if published is None:
        published = [baseline_of(row) for row in await published_baselines(session, province)]
    query = (
        select(models.CityRule)
        .where(models.CityRule.tenant_id == tenant)
        .order_by(col(models.CityRule.criterion_id), col(models.CityRule.effective_from))
    )
    rows = (await session.execute(query)).scalars()
    return Sources(
        tenant=tenant,
        published=tuple(published),
        rows=tuple(rows),
        custom_fields=tuple(await load_custom_fields(session, tenant)),
    )


async def sources_for(session: AsyncSession, tenant: TenantId, *, exclusive_city: bool = False) -> Sources:
    """The tenant's sources, under the province's shared lock (and the city's own when it changes its rules)."""
    province = await province_of(session, tenant)
    await lock(session, province, exclusive=False)
    if exclusive_city:
        await lock(session, f"city:{tenant}", exclusive=True)
    return await read_sources(session, tenant, province)


async def effective_ruleset_for(session: AsyncSession, tenant: TenantId, year: int) -> Ruleset:
    """The effective ruleset of (tenant, year), with its hash.

    The province baseline is the newest the city's province published for that year or before, else the
    file shipped for it; the city's rules are those in effect that year; custom fields are the city's.
    """
    sources = await sources_for(session, tenant)
    try:
        return sources.ruleset(year)
    except RuleError as exc:
        raise invalid(exc) from exc


def criterion_data(data: schemas.CriterionDraft, year: int) -> dict[str, Any]:
    """A drafted criterion as the plain mapping the rules model parses; it takes effect in `year` unless it says."""
    plain = msgspec.structs.asdict(data)
    if plain["effective_from"] is None:
        plain["effective_from"] = year
    scope = plain.pop("applies_to")
    if scope is not None:
        plain["appliesTo"] = scope.data()
    return plain


def superseded(rows: Iterable[models.CityRule], new: Criterion) -> tuple[list[models.CityRule], list[models.CityRule]]:
    """The rows of the same criterion that `new` ends (they start earlier) and those it replaces outright.

    A row that would outlast `new` is refused: ending it would silently drop its later years.
    """
    ended: list[models.CityRule] = []
    replaced: list[models.CityRule] = []
    for row in rows:
        if row.criterion_id != new.id:
            continue
        if row.effective_from > until(new.effective_to) or new.effective_from > until(row.effective_to):
            continue  # the years do not overlap
        if until(row.effective_to) > until(new.effective_to):
            last = "" if row.effective_to is None else str(row.effective_to)
            raise ConflictError(
                f"条件 {new.id}：已有自 {row.effective_from} 年至 {last or '今后'} 的城市条件，新条件须覆盖其后各年"
                f" / criterion {new.id}: a city rule already applies from {row.effective_from} to "
                f"{last or 'open end'}; the new one must cover its later years",
                extra={"criterion": new.id},
            )
        (ended if row.effective_from < new.effective_from else replaced).append(row)
    return ended, replaced


async def baseline_in_force(session: AsyncSession, province: str, year: int) -> schemas.Baseline:
    """The baseline judging `year` for `province`: the newest published for that year or before, else the file's."""
    rows = [row for row in await published_baselines(session, province) if row.year <= year]
    shipped = max((b.year for b in packaged_baselines() if b.year <= year), default=None)
    # A published baseline takes precedence over the file of its own year, as in load_baseline.
    row = rows[-1] if rows and (shipped is None or rows[-1].year >= shipped) else None
    baseline_year = row.year if row is not None else shipped
    if baseline_year is None:
        raise NotFoundError(f"{year} 年没有适用的省级基本条件 / no provincial baseline applies to {year}")
    criteria = load_baseline(year, [baseline_of(r) for r in rows])
    return schemas.Baseline(
        province=province,
        year=year,
        baseline_year=baseline_year,
        published=row is not None,
        published_by=row.published_by if row else None,
        published_at=row.published_at if row else None,
        hash=content_hash(criteria),
        criteria=[schemas.Criterion.of(c) for c in criteria],
    )
