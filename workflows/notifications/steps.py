"""Workflow-side calls of the notification activities, with their timeouts and the webhook's retry policy.

Import inside ``workflow.unsafe.imports_passed_through()``; these functions run in workflow code.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from workflows.notifications.activities import NotificationActivities, NotifyInput, NotifyResult, WebhookInput

WEBHOOK_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=30)
)
"""A receiver that is down is retried with backoff for up to a day (``schedule_to_close``): the
in-app notification is already written, so a webhook given up on loses only the copy in the chat."""


async def notify_users(params: NotifyInput) -> NotifyResult:
    return await workflow.execute_activity_method(
        NotificationActivities.notify_users, params, start_to_close_timeout=timedelta(minutes=1)
    )


async def send_webhook(params: WebhookInput) -> bool:
    """Deliver with retries; a delivery given up on is logged, never a failure of the calling workflow."""
    try:
        return await workflow.execute_activity_method(
            NotificationActivities.send_webhook,
            params,
            start_to_close_timeout=timedelta(seconds=30),
            schedule_to_close_timeout=timedelta(days=1),
            retry_policy=WEBHOOK_RETRY,
        )
    except ActivityError as exc:
        workflow.logger.warning("webhook of %s gave up on %s: %s", params.tenant, params.dedupe_key, exc.cause)
        return False
