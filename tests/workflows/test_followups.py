"""Ledger follow-ups: the per-street sweep opens and closes tasks once, and the year's weekly workflow."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from services.context import AppContext
from tests.workflows.clock import next_year
from tests.workflows.street_fixtures import (
    make_entity,
    make_street,
    notifications,
    record_visit,
    street_names,
    tasks,
)
from workflows.followups import activities as followup_activities
from workflows.followups.activities import FollowupActivities, NotifyOverdueInput, SweepInput, SweepStreetsInput
from workflows.followups.schemas import FollowupSweepInput, followups_id
from workflows.followups.workflows import FollowupSweepWorkflow


async def test_overdue_followup_opens_task_once_and_a_visit_closes_it(context: AppContext) -> None:
    city = "binzhou"
    street = await make_street(context, city)
    startup = await make_entity(context, city, street, entity_class="startup", joined_on=dt.date(2025, 1, 1))
    brand = await make_entity(context, city, street, entity_class="brand", joined_on=dt.date(2025, 1, 1))
    activities, env = FollowupActivities(context), ActivityEnvironment()
    sweep = SweepInput(tenant=city, street_id=street, as_of=dt.date(2025, 3, 1))

    first = await env.run(activities.sweep_followups, sweep)
    again = await env.run(activities.sweep_followups, sweep)  # a retried activity

    # The startup entity was due 30 days after joining (31 January); the brand one is due 1 April.
    assert (first.opened, first.open) == (1, 1)
    assert (again.opened, again.closed, again.open) == (0, 0, 1)
    [task] = await tasks(context, city, startup)
    assert (task.due_on, task.status, task.dedupe_key) == (
        dt.date(2025, 1, 31),
        "open",
        f"followup:{startup}:2025-01-31",
    )
    assert not await tasks(context, city, brand)

    # A visit recorded afterwards: the next sweep closes the task, and nothing is due until 4 April.
    await record_visit(context, city, street, startup, dt.date(2025, 3, 5))
    later = await env.run(
        activities.sweep_followups, SweepInput(tenant=city, street_id=street, as_of=dt.date(2025, 3, 10))
    )
    assert (later.opened, later.closed, later.open) == (0, 1, 0)
    [task] = await tasks(context, city, startup)
    assert task.status == "done"
    assert task.closed_at is not None

    overdue_again = await env.run(
        activities.sweep_followups, SweepInput(tenant=city, street_id=street, as_of=dt.date(2025, 4, 10))
    )
    assert (overdue_again.opened, overdue_again.open) == (2, 2)  # the startup again (4 April), the brand (1 April)
    assert [(t.due_on, t.status) for t in await tasks(context, city, startup)] == [
        (dt.date(2025, 1, 31), "done"),
        (dt.date(2025, 4, 4), "open"),
    ]


async def test_batch_sweep_heartbeats_each_group_and_resumes_after_the_last_one_done(
    context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = "binzhou"
    monkeypatch.setattr(followup_activities, "STREETS_PER_TRANSACTION", 2)
    streets = [await make_street(context, city) for _ in range(5)]
    entities = [await make_entity(context, city, s, joined_on=dt.date(2025, 1, 1)) for s in streets]
    activities, env = FollowupActivities(context), ActivityEnvironment()
    beats: list[object] = []
    env.on_heartbeat = lambda *details: beats.append(details[0])
    # As a retry whose predecessor reported the first group of two streets done.
    env.info = dataclasses.replace(env.info, heartbeat_details=[2])

    result = await env.run(
        activities.sweep_streets, SweepStreetsInput(tenant=city, street_ids=tuple(streets), as_of=dt.date(2025, 3, 1))
    )

    assert beats == [4, 5]
    assert (result.totals.streets, result.totals.opened, result.open) == (3, 3, 3)
    assert result.opened_by_street == tuple((s, 1) for s in streets[2:])
    assert [len(await tasks(context, city, e)) for e in entities] == [0, 0, 1, 1, 1]


async def test_a_sweep_sends_the_caseworkers_one_digest_naming_its_streets(context: AppContext) -> None:
    city = "dongying"  # no other test sweeps this city on this day
    one, two, quiet = [await make_street(context, city) for _ in range(3)]
    for street, joined in ((one, 1), (two, 1), (two, 1), (quiet, 3)):
        await make_entity(context, city, street, joined_on=dt.date(2025, joined, 1))
    activities, env = FollowupActivities(context), ActivityEnvironment()
    as_of = dt.date(2025, 3, 15)  # the January joiners are overdue since 31 January, the March one is not

    swept = await env.run(
        activities.sweep_streets, SweepStreetsInput(tenant=city, street_ids=(one, two, quiet), as_of=as_of)
    )
    assert swept.opened_by_street == ((one, 1), (two, 2))
    digest = NotifyOverdueInput(tenant=city, as_of=as_of, opened_by_street=swept.opened_by_street, open=swept.open)
    assert await env.run(activities.notify_overdue, digest) == 1  # the city's caseworker
    assert await env.run(activities.notify_overdue, digest) == 0  # a retried activity writes nothing twice

    [notice] = await notifications(context, city, dedupe_key=f"followup-digest:{city}:2025-03-15")
    assert (notice.username, notice.kind, notice.street_id) == (f"{city}-case", "followup_overdue", None)
    assert notice.title_zh == "走访逾期：新增3项逾期走访，涉及2个街区"
    names = dict(await street_names(context, city, (one, two)))
    assert notice.body_zh.startswith(f"新增逾期走访：{names[two]}2项、{names[one]}1项。")  # most first
    assert "全市现有3项逾期走访任务" in notice.body_zh


async def test_sweep_workflow_runs_weekly_through_the_year_and_continues_as_new(
    temporal_env: WorkflowEnvironment, context: AppContext, worker: Worker
) -> None:
    city = "heze"  # no other test sweeps this city, so its tracked streets are this test's
    year = await next_year(temporal_env)
    street = await make_street(context, city)
    applied = await make_street(context, city, status="applied")  # not tracked: never swept
    entity = await make_entity(context, city, street, joined_on=dt.date(year - 1, 11, 1))
    untracked = await make_entity(context, city, applied, joined_on=dt.date(year - 1, 11, 1))
    # Dated ahead of the server's clock: the sweep counts a visit only once its day has come.
    await record_visit(context, city, street, entity, dt.date(year, 3, 1))

    handle = await temporal_env.client.start_workflow(
        FollowupSweepWorkflow.run,
        FollowupSweepInput(tenant=city, year=year, sweeps_per_run=10),
        id=followups_id(city, year),
        task_queue=context.settings.task_queue,
    )
    totals = await handle.result()

    assert totals.sweeps in (52, 53)  # every 7 days from 1 January to the year's end
    description = await handle.describe()
    assert description.run_id != handle.first_execution_run_id  # continued as new along the way
    assert [(t.due_on, t.status) for t in await tasks(context, city, entity)] == [
        (dt.date(year - 1, 12, 1), "done"),  # open at the first sweep, closed by the visit of 1 March
        (dt.date(year, 3, 31), "open"),  # 30 days after that visit; nobody came again that year
    ]
    assert not await tasks(context, city, untracked)
    first = await notifications(context, city, dedupe_key=f"followup-digest:{city}:{year}-01-01")
    assert [n.username for n in first] == [f"{city}-case"]
    # Each task still open a second cadence (60 days) after its due day reached the city admin once,
    # whatever the number of weekly sweeps after that: the first late in January, the second in May/June.
    escalations = await notifications(context, city, kind="followup_escalation")
    [before_visit, after_visit] = await tasks(context, city, entity)
    assert [(n.username, n.dedupe_key, n.entity_id) for n in escalations] == [
        (f"{city}-admin", f"followup-escalation:{before_visit.id}", entity),
        (f"{city}-admin", f"followup-escalation:{after_visit.id}", entity),
    ]
    assert before_visit.escalated_at is not None
    assert after_visit.escalated_at is not None
    # Each by the first weekly sweep (1 January + 7k days) later than 60 days after its due day.
    for task, notice in zip((before_visit, after_visit), escalations, strict=True):
        swept = dt.date(year, 1, 1)
        while swept <= task.due_on + dt.timedelta(days=60):
            swept += dt.timedelta(days=7)
        assert f"逾期{(swept - task.due_on).days}天" in notice.title_zh


async def test_a_task_open_a_second_cadence_past_due_escalates_to_the_city_admin_once(context: AppContext) -> None:
    city = "binzhou"
    street = await make_street(context, city)
    startup = await make_entity(context, city, street, entity_class="startup", joined_on=dt.date(2025, 1, 1))
    brand = await make_entity(context, city, street, entity_class="brand", joined_on=dt.date(2025, 1, 1))
    visited = await make_entity(context, city, street, entity_class="startup", joined_on=dt.date(2025, 1, 1))
    activities, env = FollowupActivities(context), ActivityEnvironment()

    async def sweep(day: dt.date) -> int:
        outcome = await env.run(activities.sweep_followups, SweepInput(tenant=city, street_id=street, as_of=day))
        return outcome.escalated

    # The startups were due on 31 January (30 days): two cadences later is 1 April, not yet past.
    assert await sweep(dt.date(2025, 4, 1)) == 0
    await record_visit(context, city, street, visited, dt.date(2025, 4, 1))  # the visit closes its task next sweep
    assert await sweep(dt.date(2025, 4, 2)) == 1
    assert await sweep(dt.date(2025, 4, 2)) == 0  # a retried activity
    assert await sweep(dt.date(2025, 4, 9)) == 0  # next week's sweep
    [task] = await tasks(context, city, startup)
    [notice] = await notifications(context, city, dedupe_key=f"followup-escalation:{task.id}")
    names = dict(await street_names(context, city, (street,)))
    assert (notice.username, notice.kind, notice.street_id, notice.entity_id) == (
        f"{city}-admin",
        "followup_escalation",
        street,
        startup,
    )
    assert notice.title_zh.startswith(f"走访逾期升级：{names[street]}")
    assert "逾期61天" in notice.title_zh
    assert "2025年1月31日" in notice.body_zh
    assert "every 30 days" in notice.body_en
    assert task.escalated_at is not None
    [visited_task] = await tasks(context, city, visited)
    assert (visited_task.status, visited_task.escalated_at) == ("done", None)  # closed by the sweep first

    # The brand entity's cadence is 90 days: due 1 April, escalated once 180 more days have passed. By then
    # the visited startup is late again (due 1 May) and escalated too, on its own new task.
    assert await sweep(dt.date(2025, 9, 28)) == 1
    [brand_task] = await tasks(context, city, brand)
    assert (brand_task.due_on, brand_task.escalated_at) == (dt.date(2025, 4, 1), None)
    assert await sweep(dt.date(2025, 9, 29)) == 1
    [brand_task] = await tasks(context, city, brand)
    assert brand_task.escalated_at is not None
    assert [(t.due_on, t.escalated_at is not None) for t in await tasks(context, city, visited)] == [
        (dt.date(2025, 1, 31), False),
        (dt.date(2025, 5, 1), True),
    ]
    assert len(await notifications(context, city, kind="followup_escalation", street_id=street)) == 3


async def test_a_batch_sweep_escalates_each_street_under_its_own_name(context: AppContext) -> None:
    city = "binzhou"
    one, two = [await make_street(context, city) for _ in range(2)]
    for street in (one, two):
        await make_entity(context, city, street, entity_class="startup", joined_on=dt.date(2025, 1, 1))
    env = ActivityEnvironment()

    swept = await env.run(
        FollowupActivities(context).sweep_streets,
        SweepStreetsInput(tenant=city, street_ids=(one, two), as_of=dt.date(2025, 4, 2)),
    )

    assert swept.opened_by_street == ((one, 1), (two, 1))
    names = dict(await street_names(context, city, (one, two)))
    for street in (one, two):
        [notice] = await notifications(context, city, kind="followup_escalation", street_id=street)
        assert notice.title_zh.startswith(f"走访逾期升级：{names[street]}")
