"""The assessment service as the annual cycle's activities call it: idempotency keys, batches, reevaluation."""

from __future__ import annotations

import msgspec
import pytest

from infra.db import tenant_transaction
from rules.criteria import Criterion
from rules.verdict import CriterionResult
from services.assessments.service import assess_street, assess_streets, reevaluate
from services.context import AppContext
from services.errors import InvalidError, NotFoundError
from services.rulesets.sources import effective_ruleset_for
from tenants.context import Actor
from tenants.resolver import resolve
from tests.rulesets.helpers import YEAR, make_street
from tests.streetdata_fixtures import count


def system(context: AppContext, tenant: str) -> Actor:
    return context.directory.system_actor(tenant)


async def test_an_idempotency_key_returns_the_stored_assessment(context: AppContext) -> None:
    street = await make_street(context, "dezhou")
    actor = system(context, "dezhou")
    engine = context.rules_engine
    key = f"annual:dezhou:{street}:{YEAR}"

    async with tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
        first = await assess_street(
            session, actor, resolve(actor, "dezhou"), street, YEAR, engine, kind="annual", idempotency_key=key
        )
    async with tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
        again = await assess_street(
            session, actor, resolve(actor, "dezhou"), street, YEAR, engine, kind="annual", idempotency_key=key
        )
        unkeyed = await assess_street(session, actor, resolve(actor, "dezhou"), street, YEAR, engine)

    assert again.id == first.id
    assert (again.kind, again.created_by, again.idempotency_key) == ("annual", "system", key)
    assert unkeyed.id != first.id
    assert (
        await count(
            context, "SELECT count(*) FROM assessments WHERE tenant_id = 'dezhou' AND idempotency_key = :key", key=key
        )
        == 1
    )
    assert (
        await count(
            context,
            "SELECT count(*) FROM audit_log WHERE tenant_id = 'dezhou'"
            " AND action = 'assessment.create' AND object_id = :id",
            id=str(first.id),
        )
        == 1
    )


async def test_a_batch_is_judged_at_once_and_is_idempotent_by_prefix(context: AppContext) -> None:
    streets = [await make_street(context, "dezhou", staff=staff) for staff in (1, 2, 3)]
    actor = system(context, "dezhou")
    prefix = f"rectification:dezhou:{streets[0]}"

    async with tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
        tenant = resolve(actor, "dezhou")
        # The middle street first, alone, under the key the batch will give it.
        single = await assess_street(
            session,
            actor,
            tenant,
            streets[1],
            YEAR,
            context.rules_engine,
            kind="rectification",
            idempotency_key=f"{prefix}:{streets[1]}",
        )
        batch = await assess_streets(
            session, actor, tenant, streets, YEAR, context.rules_engine, kind="rectification", key_prefix=prefix
        )
        again = await assess_streets(
            session,
            actor,
            tenant,
            list(reversed(streets)),
            YEAR,
            context.rules_engine,
            kind="rectification",
            key_prefix=prefix,
        )
        ruleset = await effective_ruleset_for(session, tenant, YEAR)

    assert [a.street_id for a in batch] == streets
    assert batch[1].id == single.id
    assert [a.id for a in again] == [a.id for a in reversed(batch)]
    assert [a.idempotency_key for a in batch] == [f"{prefix}:{s}" for s in streets]
    staff = [next(r["result"] for r in a.results if r["id"] == "center_staff") for a in batch]
    assert staff == ["fail", "pass", "pass"]
    assert {a.ruleset_hash for a in batch} == {ruleset.hash}
    assert all(msgspec.convert(a.criteria, tuple[Criterion, ...]) == ruleset.criteria for a in batch)


async def test_a_batch_with_a_street_of_another_city_is_refused(context: AppContext) -> None:
    own = await make_street(context, "dezhou")
    foreign = await make_street(context, "taian")
    actor = system(context, "dezhou")

    async with tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
        with pytest.raises(NotFoundError):
            await assess_streets(
                session, actor, resolve(actor, "dezhou"), [own, foreign], YEAR, context.rules_engine, kind="annual"
            )
        with pytest.raises(InvalidError):
            await assess_streets(
                session, actor, resolve(actor, "dezhou"), [own], YEAR, context.rules_engine, kind="yearly"
            )


async def test_reevaluation_needs_nothing_but_the_stored_assessment(context: AppContext) -> None:
    street = await make_street(context, "dezhou", staff=2, entities=4)
    actor = system(context, "dezhou")
    async with tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
        stored = await assess_street(session, actor, resolve(actor, "dezhou"), street, YEAR, context.rules_engine)

    verdict = await reevaluate(stored, context.rules_engine)

    assert verdict.outcome == stored.outcome
    assert verdict.ruleset_hash == stored.ruleset_hash
    assert msgspec.convert(stored.results, tuple[CriterionResult, ...]) == verdict.criteria
