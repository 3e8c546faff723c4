"""What publishing a province baseline would change (预览): every city's streets judged for the year with the
rules in force and with the proposed baseline, each city's two rulesets through the rules engine in a worker
process (as a city's what-if is). Nothing is stored."""

from __future__ import annotations

import dataclasses

from sqlmodel.ext.asyncio.session import AsyncSession

from infra.workers import WorkerPool
from rules.baseline import load_baseline
from rules.criteria import RuleError
from rules.overlay import content_hash
from services.errors import ConflictError
from services.facts.service import compute_facts
from services.grades.service import province_scheme
from services.rulesets import schemas
from services.rulesets.evaluation import Judged, evaluate_in_worker, street_changes
from services.rulesets.sources import (
    baseline_of,
    check_province,
    cities_of,
    invalid,
    lock,
    proposed_baseline,
    published_baselines,
    read_sources,
)
from tenants.context import Actor
from tenants.ids import TenantId
from tenants.resolver import resolve


async def preview_baseline(
    session: AsyncSession, actor: Actor, province: TenantId, year: int, data: schemas.BaselinePublish, pool: WorkerPool
) -> schemas.BaselinePreview:
    """Each city's streets for `year` under the baseline in force and under `data` published for `year`.

    Refused as publishing would be: a malformed proposal is a 422 naming the criterion, one a city's stored rule
    would loosen a 409 naming the city and the criterion. WorkerTimeoutError (a 503) passes through.
    """
    await check_province(session, province)
    proposal = proposed_baseline(data, year)
    await lock(session, province, exclusive=False)
    stored = [baseline_of(row) for row in await published_baselines(session, province)]
    published = (*(b for b in stored if b.year != year), proposal)
    try:
        hash_before = content_hash(load_baseline(year, stored))
    except RuleError as exc:
        raise invalid(exc) from exc
    hash_after = content_hash(load_baseline(year, published))
    scheme = await province_scheme(session, province, year)  # every city's grades, by one scheme
    cities: list[schemas.CityPreview] = []
    for city in await cities_of(session, province):
        tenant = resolve(actor, city)
        sources = await read_sources(session, tenant, province, stored)
        try:
            before = sources.ruleset(year)
        except RuleError as exc:
            raise invalid(exc) from exc
        try:
            after = dataclasses.replace(sources, published=published).ruleset(year)
        except RuleError as exc:
            raise ConflictError(
                f"{city}：{exc.message_zh} / {city}: {exc.message_en}",
                extra={"tenant": city, "criterion": exc.criterion_id},
            ) from exc
        facts = await compute_facts(session, tenant, year)
        changes: list[schemas.StreetChange] = []
        if facts and after.hash != before.hash:
            verdicts = await evaluate_in_worker(pool, [before, after], list(facts.values()))
            moved = await street_changes(
                session, tenant, list(facts), Judged(before, verdicts[0]), Judged(after, verdicts[1]), scheme
            )
            # A street whose outcome and grade stay is no change here (a criterion's explanation may move).
            changes = [c for c in moved if c.before != c.after or c.grade_before != c.grade_after]
        cities.append(
            schemas.CityPreview(
                tenant=city,
                streets=len(facts),
                to_fail=sum(1 for c in changes if c.before == "pass" and c.after != "pass"),
                to_pass=sum(1 for c in changes if c.before != "pass" and c.after == "pass"),
                grade_changes=sum(1 for c in changes if c.grade_before != c.grade_after),
                changes=changes,
            )
        )
    return schemas.BaselinePreview(
        province=province,
        year=year,
        hash_before=hash_before,
        hash_after=hash_after,
        streets=sum(c.streets for c in cities),
        cities=cities,
    )
