"""The re-evaluation puts a street graded D (不合格) this year and last to the province for a decision on revocation:
the city's and the province's admins are told, the outcome flags it, and nothing is revoked for it."""

from __future__ import annotations

import msgspec
from temporalio.testing import WorkflowEnvironment

from rules.grades import packaged_schemes, scheme_from_data
from services.assessments.service import assess_street
from services.context import AppContext
from tenants.context import Role
from tenants.resolver import resolve
from tests.polling import eventually
from tests.workflows.cycle_fixtures import CycleData, Made, record_histories
from workflows import client as cycles
from workflows.cycle.schemas import REEVALUATION, ReevaluationInput, reevaluation_id
from workflows.tenancy import transaction
from workflows.worker import build_worker


async def strict_scheme(data: CycleData, year: int) -> None:
    """A strict scheme of the province from `year - 1`: C from 90 points. The streets of `CycleData` miss the advisory
    follow-ups and practice (93 points), and 87 with too few activities."""
    plain = msgspec.to_builtins(packaged_schemes()[0]) | {
        "year": year - 1,
        "thresholds": {"A": 99, "B": 95, "C": 90},
    }
    scheme = scheme_from_data(plain)
    await data.rows(
        "INSERT INTO grade_schemes (tenant_id, year, scheme, hash, published_by)"
        " VALUES ('shandong', :year, CAST(:scheme AS jsonb), :hash, 'province') RETURNING year",
        year=year - 1,
        scheme=msgspec.json.encode(msgspec.to_builtins(scheme)).decode(),
        hash=scheme.hash,
    )


async def graded_last_year(context: AppContext, data: CycleData, street: Made, grade: str) -> None:
    """An annual assessment of the year before, its grade set to `grade` as the test needs."""
    actor = context.directory.actor(username="jinan-admin", tenant="jinan", role=Role.CITY_ADMIN)
    async with transaction(context, actor) as session:
        row = await assess_street(
            session, actor, resolve(actor, "jinan"), street.id, data.year - 1, context.rules_engine, kind="annual"
        )
    await data.rows("UPDATE assessments SET grade = :g WHERE id = :id RETURNING id", g=grade, id=row.id)


async def test_a_street_graded_d_two_years_running_is_put_to_the_province(
    temporal_env: WorkflowEnvironment, cycle_context: AppContext
) -> None:
    env, context = temporal_env, cycle_context
    year = (await env.get_current_time()).year
    data = CycleData(context, year)
    await strict_scheme(data, year)
    twice = await data.street("jinan", "连续不合格街区")
    once = await data.street("jinan", "去年合格街区")
    good = await data.street("jinan", "达标街区")
    for street in (twice, once):
        await data.too_few_activities(street)  # this year: activities fail, so under the strict scheme D
    for street in (twice, once, good):
        await data.rows("UPDATE streets SET status = 'designated' WHERE id = :s RETURNING id", s=street.id)
    await graded_last_year(context, data, twice, "D")
    await graded_last_year(context, data, once, "C")
    await graded_last_year(context, data, good, "D")  # D last year, C this year: nothing to propose

    async with build_worker(env.client, context):
        await env.client.start_workflow(
            REEVALUATION,
            ReevaluationInput(tenant="jinan", year=year),
            id=reevaluation_id("jinan", year),
            task_queue=context.settings.task_queue,
        )
        view = await eventually(
            lambda: cycles.reevaluation_view(env.client, "jinan", year),
            lambda v: v is not None and v.phase != "assessing",
        )

    grades = dict(
        await data.rows(
            "SELECT street_id, grade FROM assessments WHERE year = :y AND kind = 'annual'",
            y=year,
        )
    )
    assert grades == {twice.id: "D", once.id: "D", good.id: "C"}
    [proposed] = view.revocation_proposed
    assert (proposed.street_id, proposed.name, proposed.revocation_proposed) == (twice.id, twice.name, True)
    assert "连续两年" in proposed.reason_zh
    assert "two years running" in proposed.reason_en
    # The city's admins and the province's admins are told, once each; the street is not revoked for it.
    told = await data.rows(
        "SELECT tenant_id, username, street_id, body_zh FROM notifications WHERE kind = 'revocation_proposed'"
        " ORDER BY tenant_id, username"
    )
    assert [(t, u, s) for t, u, s, _ in told] == [("jinan", "jinan-admin", twice.id), ("shandong", "province", None)]
    assert all(twice.name in body and "不会自动撤销" in body for *_, body in told)
    assert twice.id not in view.revoked
    assert await data.status(twice) == "rectification"  # as any failing street: the ordinary path, no revocation
    await record_histories(env, {"reevaluation_revocation_proposed": reevaluation_id("jinan", year)})
