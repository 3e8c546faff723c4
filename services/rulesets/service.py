"""City overlays (地方要求) stored by year, the effective ruleset of a tenant, what-if, province baselines.

rules/ merges, validates and evaluates; this module reads and writes what it is handed. A city rule is
a row per (criterion, first year); adding a criterion again from a later year ends the earlier row the
year before, so the rules of past years stay what they were.

Publishing a baseline and judging by one exclude each other through a transaction-level advisory lock
per province (shared for readers, exclusive for the publisher): an assessment made while a baseline is
being published either is seen by the publisher's check or waits for, and then uses, the new baseline.
"""

from __future__ import annotations

from typing import Final

import msgspec
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.workers import WorkerPool
from rules.baseline import packaged_baselines
from rules.criteria import RuleError, check_unique, parse_criterion
from rules.facts import fact_specs
from rules.overlay import check_removal
from services import models
from services.audit.service import record
from services.errors import ConflictError, InvalidError, NotFoundError
from services.facts.service import compute_facts
from services.grades.service import scheme_for
from services.models.base import utcnow
from services.rulesets import schemas
from services.rulesets.cases import check_cases
from services.rulesets.evaluation import Judged, evaluate_in_worker, street_changes
from services.rulesets.sources import (
    assessed_years,
    baseline_in_force,
    baseline_of,
    check_province,
    cities_of,
    criterion_data,
    criterion_of,
    effective_ruleset_for,
    end_rule,
    governs_until,
    invalid,
    lock,
    proposed_baseline,
    province_of,
    published_baselines,
    read_sources,
    sources_for,
    stored,
    superseded,
    until,
)
from services.text import Text
from tenants.context import Actor
from tenants.ids import TenantId
from tenants.resolver import resolve

ROUTE_SEGMENTS: Final = frozenset({"cases", "simulate"})
"""Ids a city criterion cannot take: ``…/rules/{id}`` would be another route's path, so it could not be stopped."""
_ROUTE_ID = Text(
    "条件编号不能为“{id}”：该路径已用于其他功能",
    "a criterion may not have the id '{id}': that path serves another route",
)


async def get_rules(session: AsyncSession, tenant: TenantId, year: int) -> schemas.Ruleset:
    ruleset = await effective_ruleset_for(session, tenant, year)
    return schemas.Ruleset(
        tenant=tenant, year=year, hash=ruleset.hash, criteria=[schemas.Criterion.of(c) for c in ruleset.criteria]
    )


async def add_city_rule(
    session: AsyncSession, actor: Actor, tenant: TenantId, data: schemas.CityRuleCreate, pool: WorkerPool
) -> schemas.Criterion:
    """Add a city criterion, or tighten a baseline one (same id), from `effectiveFrom` on.

    Checked in every year it applies, against the baseline of that year: a looser or malformed criterion
    is a 422 naming it. An earlier version of the same criterion ends the year before. The city's stored
    test cases run on the rules as they would be first: one that fails is a 422 naming it, and nothing is written.
    """
    if data.id in ROUTE_SEGMENTS:
        raise InvalidError(_ROUTE_ID.format(id=data.id), extra={"criterion": data.id})
    sources = await sources_for(session, tenant, exclusive_city=True)
    try:
        new = parse_criterion(criterion_data(data, data.effective_from), fact_specs(sources.custom_fields))
    except RuleError as exc:
        raise invalid(exc, data.id) from exc
    ended, replaced = superseded(sources.rows, new)
    kept = [
        msgspec.structs.replace(criterion_of(row), effective_to=new.effective_from - 1)
        if row in ended
        else criterion_of(row)
        for row in sources.rows
        if row not in replaced
    ]
    city = [*kept, new]
    try:
        for year in sources.turning_years(new.effective_from, new.effective_to, city):
            sources.ruleset(year, city)
    except RuleError as exc:
        raise invalid(exc, new.id) from exc
    await check_cases(session, tenant, sources, city, pool)
    for row in replaced:
        await session.delete(row)
    for row in ended:
        end_rule(row, new.effective_from - 1)
    # Deleted before the new row is added: a replaced row may have the new row's key.
    await session.flush()
    session.add(
        models.CityRule(
            tenant_id=tenant,
            criterion_id=new.id,
            effective_from=new.effective_from,
            effective_to=new.effective_to,
            criterion=stored(new),
            created_by=actor.username,
        )
    )
    await session.flush()
    before = {"superseded": [dict(r.criterion) for r in (*ended, *replaced)]} if ended or replaced else None
    await record(
        session,
        actor,
        tenant,
        "rule.add",
        "city_rule",
        f"{new.id}@{new.effective_from}",
        before=before,
        after=stored(new),
    )
    # As it applies in its first year: a tightened criterion shows the baseline's clause unless it cites its own.
    applied = next(c for c in sources.ruleset(new.effective_from, city).criteria if c.id == new.id)
    return schemas.Criterion.of(applied)


async def remove_city_rule(
    session: AsyncSession, actor: Actor, tenant: TenantId, criterion_id: str, year: int, pool: WorkerPool
) -> None:
    """Stop the city's criterion `criterion_id` from `year` on; earlier years keep it.

    A baseline criterion cannot be removed (422); an id that is neither answers 404. A stored test case that
    would fail without it is a 422 naming the case, and nothing is written.
    """
    sources = await sources_for(session, tenant, exclusive_city=True)
    rows = [r for r in sources.rows if r.criterion_id == criterion_id and until(r.effective_to) >= year]
    if not rows:
        try:
            baseline = sources.baseline(year)
        except RuleError:
            baseline = ()  # no baseline applies that year, so the id is no baseline criterion either
        try:
            check_removal(criterion_id, baseline)
        except RuleError as exc:
            raise invalid(exc) from exc
        raise NotFoundError(
            f"{year} 年起没有城市条件 {criterion_id} / no city criterion {criterion_id} applies from {year}"
        )
    city = [
        msgspec.structs.replace(criterion_of(row), effective_to=year - 1) if row in rows else criterion_of(row)
        for row in sources.rows
        if row not in rows or row.effective_from < year
    ]
    await check_cases(session, tenant, sources, city, pool)
    before = [dict(row.criterion) for row in rows]
    for row in rows:
        if row.effective_from >= year:
            await session.delete(row)
        else:
            end_rule(row, year - 1)
    await session.flush()
    await record(
        session,
        actor,
        tenant,
        "rule.remove",
        "city_rule",
        f"{criterion_id}@{year}",
        before={"removed_from": year, "rules": before},
    )


MAX_SIMULATED_CRITERIA = 40
"""Criteria one simulation may propose. The engine fails (error 303) once a street fails about 64 criteria
of one ruleset; with the 17 of the baseline, 40 proposed ones stay below that even when all fail."""
MAX_SIMULATED_REMOVALS = 100
_MAX_TEXT = 500
"""Characters of a proposed criterion's titles and source."""
_MAX_NAME = 100
"""Characters of a proposed criterion's id and fact, of a removed id, and of a text value."""
_MAX_VALUES = 100
"""Values of an `in` list."""

_TOO_MANY = Text(
    "一次模拟最多提出 {cap} 条条件，本次提出了 {count} 条",
    "a simulation may propose at most {cap} criteria; this one proposes {count}",
)
_TOO_MANY_REMOVED = Text(
    "一次模拟最多取消 {cap} 条条件，本次取消了 {count} 条",
    "a simulation may remove at most {cap} criteria; this one removes {count}",
)
_TOO_LONG = Text("条件 {cid}：{field} 超过 {cap} 个字符", "criterion {cid}: {field} is longer than {cap} characters")
_TOO_MANY_VALUES = Text(
    "条件 {cid}：值列表最多 {cap} 项，本条有 {count} 项",
    "criterion {cid}: a value list holds at most {cap} items; this one has {count}",
)


def _check_size(data: schemas.Simulation) -> None:
    """Refuse a proposal larger than the engine can run without stalling or failing (422 naming the bound)."""
    if len(data.criteria) > MAX_SIMULATED_CRITERIA:
        raise InvalidError(
            _TOO_MANY.format(cap=MAX_SIMULATED_CRITERIA, count=len(data.criteria)),
            extra={"field": "criteria", "max": MAX_SIMULATED_CRITERIA},
        )
    if len(data.remove) > MAX_SIMULATED_REMOVALS:
        raise InvalidError(
            _TOO_MANY_REMOVED.format(cap=MAX_SIMULATED_REMOVALS, count=len(data.remove)),
            extra={"field": "remove", "max": MAX_SIMULATED_REMOVALS},
        )
    for cid in data.remove:
        if len(cid) > _MAX_NAME:
            raise InvalidError(
                _TOO_LONG.format(cid=cid[:_MAX_NAME] + "…", field="id", cap=_MAX_NAME),
                extra={"field": "remove", "max": _MAX_NAME},
            )
    for draft in data.criteria:
        cid = draft.id if len(draft.id) <= _MAX_NAME else draft.id[:_MAX_NAME] + "…"
        values = draft.value if isinstance(draft.value, list) else [draft.value]
        texts = {
            "id": (draft.id, _MAX_NAME),
            "fact": (draft.fact, _MAX_NAME),
            "op": (draft.op, _MAX_NAME),
            "titleZh": (draft.title_zh, _MAX_TEXT),
            "titleEn": (draft.title_en, _MAX_TEXT),
            "source": (draft.source, _MAX_TEXT),
            "value": (max((v for v in values if isinstance(v, str)), key=len, default=""), _MAX_NAME),
        }
        for name, (value, cap) in texts.items():
            if len(value) > cap:
                raise InvalidError(
                    _TOO_LONG.format(cid=cid, field=name, cap=cap), extra={"criterion": cid, "field": name, "max": cap}
                )
        if len(values) > _MAX_VALUES:
            raise InvalidError(
                _TOO_MANY_VALUES.format(cid=cid, cap=_MAX_VALUES, count=len(values)),
                extra={"criterion": cid, "field": "value", "max": _MAX_VALUES},
            )


async def simulate(
    session: AsyncSession, tenant: TenantId, data: schemas.Simulation, pool: WorkerPool
) -> schemas.SimulationResult:
    """Every street of the city judged for `year` with today's rules and with the proposal; what would change.

    The facts are computed once for all streets; both rulesets are evaluated in one job of a worker process
    (the proposal is the caller's: its compilation must not stall the API). Nothing is stored.
    """
    _check_size(data)
    sources = await sources_for(session, tenant)
    year = data.year
    specs = fact_specs(sources.custom_fields)
    try:
        proposed = [parse_criterion(criterion_data(c, year), specs) for c in data.criteria]
        check_unique(proposed)
        before = sources.ruleset(year)
    except RuleError as exc:
        raise invalid(exc) from exc
    city_now = {c.id for c in before.criteria if c.origin == "city"}
    for cid in data.remove:
        if cid not in city_now:
            try:
                check_removal(cid, sources.baseline(year))
            except RuleError as exc:
                raise invalid(exc) from exc
            raise InvalidError(
                f"{year} 年没有城市条件 {cid} / no city criterion {cid} applies in {year}", extra={"criterion": cid}
            )
    replaced = {c.id for c in proposed} | set(data.remove)
    try:
        after = sources.ruleset(year, [*(c for c in sources.city_rules if c.id not in replaced), *proposed])
    except RuleError as exc:
        raise invalid(exc) from exc
    facts = await compute_facts(session, tenant, year)
    streets = list(facts.values())
    rulesets = [before] if after.hash == before.hash else [before, after]
    verdicts = await evaluate_in_worker(pool, rulesets, streets)
    judged = Judged(before, verdicts[0]), Judged(after, verdicts[-1])
    changes = await street_changes(session, tenant, list(facts), *judged, await scheme_for(session, tenant, year))
    return schemas.SimulationResult(
        year=year, streets=len(streets), hash_before=before.hash, hash_after=after.hash, changes=changes
    )


async def publish_baseline(
    session: AsyncSession, actor: Actor, province: TenantId, year: int, data: schemas.BaselinePublish
) -> schemas.Baseline:
    """Publish (or replace) the province baseline for `year`; it governs until a later baseline's year.

    Refused with 409 when an assessment of the province's cities already used a year it would govern, or
    when a city's stored rule would loosen it (the detail names the city and the criterion).
    """
    await check_province(session, province)
    baseline = proposed_baseline(data, year)
    await lock(session, province, exclusive=True)
    rows = await published_baselines(session, province)
    old = next((row for row in rows if row.year == year), None)
    others = [baseline_of(row) for row in rows if row.year != year]
    until = governs_until(year, [other.year for other in (*packaged_baselines(), *others)])
    cities = await cities_of(session, province)
    await assessed_years(session, [province, *cities], year, until, what=("基本条件", "baseline"))
    published = [*others, baseline]
    for city in cities:
        sources = await read_sources(session, resolve(actor, city), province, published)
        city_rules = sources.city_rules
        try:
            for check_year in sources.turning_years(year, None if until is None else until - 1, city_rules):
                sources.ruleset(check_year)
        except RuleError as exc:
            raise ConflictError(
                f"{city}：{exc.message_zh} / {city}: {exc.message_en}",
                extra={"tenant": city, "criterion": exc.criterion_id},
            ) from exc
    criteria = [stored(c) for c in baseline.criteria]
    before = {"criteria": old.criteria} if old else None
    # The exclusive lock taken above keeps a concurrent publisher of the same year out until this commits.
    row = old or models.Baseline(tenant_id=province, year=year, criteria=criteria, published_by=actor.username)
    row.criteria, row.published_by, row.published_at = criteria, actor.username, utcnow()
    session.add(row)
    await session.flush()
    await record(
        session, actor, province, "baseline.publish", "baseline", year, before=before, after={"criteria": criteria}
    )
    return await get_baseline(session, province, year)


async def get_baseline(session: AsyncSession, province: TenantId, year: int) -> schemas.Baseline:
    """The province baseline in force in `year`: the newest published for that year or before, else the file's."""
    await check_province(session, province)
    return await baseline_in_force(session, province, year)


async def baseline_for(session: AsyncSession, tenant: TenantId, year: int) -> schemas.Baseline:
    """The province baseline that judges `tenant` in `year`: its province's (a province's own for a province).

    A city may read its province's baselines (row-level security, migration 0004) though the province is not
    a tenant the caller acts on: the province is found from the city, never taken from the caller.
    """
    return await baseline_in_force(session, await province_of(session, tenant), year)
