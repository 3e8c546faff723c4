"""Notification activities: tell an event's audiences once (services.notifications.service.send); deliver the
tenant's webhook (the one delivery, called through workflows/notifications/steps.py)."""

from __future__ import annotations

import time

import httpx
import msgspec
from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.context import AppContext
from services.notifications import webhook
from services.notifications.schemas import Audience, Message
from services.notifications.service import WebhookNotice, send
from services.tenancy.service import get_settings
from workflows.tenancy import system_transaction


class NotifyInput(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    audiences: tuple[Audience, ...]
    message: Message
    dedupe_key: str


class NotifyResult(msgspec.Struct, frozen=True, kw_only=True):
    created: int
    webhook: bool
    """Whether the tenant has a webhook, i.e. whether a ``send_webhook`` should follow."""


class WebhookInput(msgspec.Struct, frozen=True, kw_only=True):
    """What to post; the URL and secret are read in the activity so the secret never enters a history."""

    tenant: str
    dedupe_key: str
    title: str
    body: str = ""

    @classmethod
    def of(cls, tenant: str, notice: WebhookNotice) -> WebhookInput:
        """The step's input for what :func:`services.notifications.service.send` said to post."""
        return cls(tenant=tenant, dedupe_key=notice.dedupe_key, title=notice.title, body=notice.body)


class NotificationActivities:
    def __init__(self, context: AppContext, webhook_policy: webhook.WebhookPolicy | None = None) -> None:
        self.context = context
        self.webhook_policy = webhook_policy or webhook.WebhookPolicy(allow_http=context.settings.webhook_allow_http)

    @activity.defn(name="notify_users")
    async def notify_users(self, params: NotifyInput) -> NotifyResult:
        """Write ``message`` to each audience's users; ``dedupe_key`` makes a retry write nothing twice."""
        async with system_transaction(self.context, params.tenant) as (session, tenant):
            sent = await send(session, tenant, params.audiences, params.message, params.dedupe_key)
        return NotifyResult(created=sent.created, webhook=sent.webhook is not None)

    @activity.defn(name="send_webhook")
    async def send_webhook(self, params: WebhookInput) -> bool:
        """Post the message to the tenant's webhook; False when it has none. Raises (and so is retried)
        until the receiver accepts; the receiver can drop repeats by ``X-Jiequ-Delivery``. A URL or an
        address Jiequ does not post to (services/notifications/webhook.py) fails at once, not retried."""
        async with system_transaction(self.context, params.tenant) as (session, tenant):
            settings = await get_settings(session, tenant)
        if settings.webhook_url is None:
            return False
        async with httpx.AsyncClient(timeout=10.0, follow_redirects=False) as http:
            try:
                await webhook.deliver(
                    http,
                    settings.webhook_url,
                    settings.webhook_secret,
                    webhook.markdown_content(params.title, params.body),
                    delivery=params.dedupe_key,
                    now=int(time.time()),
                    policy=self.webhook_policy,
                )
            except webhook.WebhookRefusedError as exc:
                raise ApplicationError(str(exc), type="WebhookRefused", non_retryable=True) from exc
        return True
