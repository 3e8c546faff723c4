"""The Temporal worker on the project's task queue, and the schedules it keeps."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleRange,
    ScheduleSpec,
)
from temporalio.common import SearchAttributeIndexedValueType
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from services.context import AppContext
from services.notifications.webhook import WebhookPolicy
from workflows.cycle.activities import CycleActivities
from workflows.cycle.city_cycle import CityCycleWorkflow
from workflows.cycle.reevaluation import ReevaluationWorkflow
from workflows.cycle.scheduled_reevaluation import ScheduledReevaluationWorkflow
from workflows.cycle.schemas import (
    SCHEDULED_REEVALUATION,
    SEARCH_ATTRIBUTES,
    TIME_ZONE,
    ScheduledReevaluationInput,
    reevaluation_schedule_id,
)
from workflows.cycle.selection import SelectionWorkflow
from workflows.followups.activities import FollowupActivities
from workflows.followups.workflows import FollowupSweepWorkflow
from workflows.housekeeping.activities import AuditActivities, HousekeepingActivities, PurgeInput, ReportActivities
from workflows.housekeeping.workflows import HousekeepingWorkflow
from workflows.notifications.activities import NotificationActivities
from workflows.tracking.activities import TrackingActivities
from workflows.tracking.workflows import StreetYearWorkflow

WORKFLOWS: list[type] = [
    HousekeepingWorkflow,
    SelectionWorkflow,
    CityCycleWorkflow,
    ReevaluationWorkflow,
    ScheduledReevaluationWorkflow,
    StreetYearWorkflow,
    FollowupSweepWorkflow,
]


def activities(
    context: AppContext, client: Client, webhook_policy: WebhookPolicy | None = None
) -> Sequence[Callable[..., Any]]:
    """The activities over `context`; `webhook_policy` defaults to the deployment's settings."""
    housekeeping = HousekeepingActivities(context.sessions)
    reports = ReportActivities(context)
    audit = AuditActivities(context)
    cycle = CycleActivities(context, client)
    notifications = NotificationActivities(context, webhook_policy)
    tracking = TrackingActivities(context)
    followups = FollowupActivities(context)
    return [
        housekeeping.purge_login_throttle,
        reports.refresh_report_summaries,
        audit.verify_audit_chains,
        cycle.cycle_opening,
        cycle.record_application,
        cycle.assess,
        cycle.change_status,
        cycle.submit_recommendations,
        cycle.selection_target,
        cycle.designate,
        cycle.announce_selection,
        cycle.reevaluation_opening,
        cycle.propose_revocations,
        cycle.start_cycle,
        notifications.notify_users,
        notifications.send_webhook,
        tracking.tracking_settings,
        tracking.report_notice,
        followups.tracked_streets,
        followups.sweep_streets,
        followups.notify_overdue,
    ]


def build_worker(
    client: Client, context: AppContext, webhook_policy: WebhookPolicy | None = None, **options: Any
) -> Worker:
    """The worker over the process's context (its tenant directory must be loaded: the cycle reads it).

    `options` go to the Worker: a province's year keeps a workflow per designated street open, and a
    benchmark of a whole province wants `max_cached_workflows` above that count.
    """
    return Worker(
        client,
        task_queue=context.settings.task_queue,
        workflows=WORKFLOWS,
        activities=activities(context, client, webhook_policy),
        **options,
    )


_INDEXED: dict[SearchAttributeIndexedValueType, IndexedValueType.ValueType] = {
    SearchAttributeIndexedValueType.KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    SearchAttributeIndexedValueType.INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
}


async def ensure_search_attributes(client: Client) -> None:
    """Register JiequTenant, JiequYear and JiequPhase where they are missing (a cluster, the test server).

    The dev server gets them on its command line (infra/local/temporal_server.py); a workflow that sets an
    unregistered attribute fails its workflow task, so the worker makes sure before it polls. The time-skipping test
    server does not implement the listing: there each attribute is added alone, and "already exists"
    (which fails a request naming several) is what a second run hears.
    """
    try:
        known = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
    except RPCError as exc:
        if exc.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        for key in SEARCH_ATTRIBUTES:
            with contextlib.suppress(RPCError):  # ALREADY_EXISTS; anything else fails the first workflow task
                await client.operator_service.add_search_attributes(
                    AddSearchAttributesRequest(
                        namespace=client.namespace, search_attributes={key.name: _INDEXED[key.indexed_value_type]}
                    )
                )
        return
    missing = {
        key.name: _INDEXED[key.indexed_value_type]
        for key in SEARCH_ATTRIBUTES
        if key.name not in known.custom_attributes
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )


async def ensure_schedules(client: Client, context: AppContext) -> None:
    """Create the standing schedules once; an existing one is left as it is."""
    settings = context.settings
    with contextlib.suppress(ScheduleAlreadyRunningError):
        await client.create_schedule(
            "housekeeping",
            Schedule(
                action=ScheduleActionStartWorkflow(
                    HousekeepingWorkflow.run, PurgeInput(), id="housekeeping", task_queue=settings.task_queue
                ),
                spec=ScheduleSpec(
                    calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(3)])], time_zone_name="Asia/Shanghai"
                ),
            ),
        )
    # Each city's re-evaluation (POLICY.md): 5 January, 02:00 China time, for the year that closed. The
    # city's cycle starts the same re-evaluation at midnight on 1 January; the schedule is the standing
    # trigger for a city without a running cycle, and a no-op otherwise (the id is taken).
    for city in context.directory.all():
        if city.parent is None:
            continue
        with contextlib.suppress(ScheduleAlreadyRunningError):
            await client.create_schedule(
                reevaluation_schedule_id(city.slug),
                Schedule(
                    action=ScheduleActionStartWorkflow(
                        SCHEDULED_REEVALUATION,
                        ScheduledReevaluationInput(tenant=city.slug),
                        id=reevaluation_schedule_id(city.slug),
                        task_queue=settings.task_queue,
                    ),
                    spec=ScheduleSpec(
                        calendars=[
                            ScheduleCalendarSpec(
                                month=[ScheduleRange(1)], day_of_month=[ScheduleRange(5)], hour=[ScheduleRange(2)]
                            )
                        ],
                        time_zone_name=TIME_ZONE,
                    ),
                ),
            )
