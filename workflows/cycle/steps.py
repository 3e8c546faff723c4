"""Workflow-side steps the cycle's workflows share: running an activity, refusing an Update, waiting, starting
children, keeping the search attributes current and posting notices to the cities' webhooks.

Import inside ``workflow.unsafe.imports_passed_through()``; these functions run in workflow code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Final

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from services.notifications.messages import NoticeKind, notice, notice_key
from workflows.cycle.activities import CycleActivities
from workflows.cycle.payloads import Moved
from workflows.cycle.schemas import PHASE, TENANT, YEAR
from workflows.heartbeats import HEARTBEAT_TIMEOUT, LONG_TIMEOUT, SHORT_TIMEOUT
from workflows.notifications.activities import WebhookInput
from workflows.notifications.steps import send_webhook

LONG_ACTIVITIES: Final[frozenset[Callable[..., Any]]] = frozenset(
    {CycleActivities.assess, CycleActivities.change_status, CycleActivities.designate}
)
"""A city's assessments and the status changes of many streets: they heartbeat (workflows/heartbeats.py)."""
RETRY: Final = RetryPolicy(maximum_interval=timedelta(minutes=5))
REEVALUATION_GRACE: Final = timedelta(days=30)
"""How long a closing cycle waits for its re-evaluation's verdicts before it starts the next year anyway."""


def rejected(zh: str, en: str) -> ApplicationError:
    """An Update refused by its validator (the HTTP layer answers 422 with this message)."""
    return ApplicationError(f"{zh} / {en}", type="Rejected", non_retryable=True)


async def run_activity(method: Callable[..., Any], arg: Any) -> Any:
    """Run a cycle activity: a long one with a heartbeat timeout, a short one with a short timeout, so that
    a dead worker's attempt is retried elsewhere within a minute."""
    if method in LONG_ACTIVITIES:
        return await workflow.execute_activity_method(
            method, arg, start_to_close_timeout=LONG_TIMEOUT, heartbeat_timeout=HEARTBEAT_TIMEOUT, retry_policy=RETRY
        )
    return await workflow.execute_activity_method(method, arg, start_to_close_timeout=SHORT_TIMEOUT, retry_policy=RETRY)


def upsert(tenant: str, year: int, phase: str) -> None:
    """Keep the search attributes current, so the Temporal UI and `temporal workflow list` filter by them."""
    workflow.upsert_search_attributes([TENANT.value_set(tenant), YEAR.value_set(year), PHASE.value_set(phase)])


async def start_child(workflow_type: str, arg: Any, workflow_id: str) -> workflow.ChildWorkflowHandle[Any, Any] | None:
    """Start a child by its deterministic id; None when that id already ran or runs (an idempotent start).

    ABANDON: an operator terminating a cycle must not take its streets' tracking with it.
    """
    try:
        return await workflow.start_child_workflow(
            workflow_type,
            arg,
            id=workflow_id,
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        )
    except WorkflowAlreadyStartedError:
        return None


async def all_done(children: list[workflow.ChildWorkflowHandle[Any, Any]]) -> None:
    """Wait for the children to end; a failed child is logged, not a failure of its parent's year."""
    for child, result in zip(children, await asyncio.gather(*children, return_exceptions=True), strict=True):
        if isinstance(result, BaseException):
            workflow.logger.warning("child %s ended with %s", child.id, result)


async def until(deadline: datetime, done: Callable[[], bool] | None = None) -> None:
    """Wait until `deadline` (workflow time), or until `done()` holds if given."""
    remaining = deadline - workflow.now()
    if remaining <= timedelta(0):
        return
    if done is None:
        await workflow.sleep(remaining)
        return
    try:
        await workflow.wait_condition(done, timeout=remaining)
    except TimeoutError:
        return


async def post_notices(moved: tuple[Moved, ...], kind: NoticeKind, year: int, due: date | None = None) -> None:
    """Post the notices just written to each city's WeCom webhook (the in-app ones are in the database)."""
    posts = []
    for street in moved:
        if street.webhook:
            message = notice(kind, street.street_id, street.name, year, due)
            posts.append(
                send_webhook(
                    WebhookInput(
                        tenant=street.tenant,
                        dedupe_key=notice_key(kind, street.street_id, year),
                        title=message.title_zh,
                        body=message.body_zh,
                    )
                )
            )
    await asyncio.gather(*posts)
