"""Tracking activities: the tenant's deadlines, and the check-then-notify of a missing monthly report."""

from __future__ import annotations

from datetime import date

import msgspec
from temporalio import activity

from services import models
from services.context import AppContext
from services.notifications import messages
from services.notifications.messages import ReportStage
from services.notifications.service import send
from services.tenancy.service import get_settings
from workflows.notifications.activities import WebhookInput
from workflows.tenancy import system_transaction
from workflows.tracking.schemas import TrackingSettings


class TrackingSettingsInput(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str


class ReportNoticeInput(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    street_id: int
    month: date
    """The first day of the month reported on."""
    due_on: date
    stage: ReportStage
    escalation_days: int


class ReportNoticeResult(msgspec.Struct, frozen=True, kw_only=True):
    submitted: bool
    """The report is in the database: nobody was notified."""
    created: int = 0
    webhook: WebhookInput | None = None
    """The message for the tenant's webhook, when it has one."""


class TrackingActivities:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    @activity.defn(name="tracking_settings")
    async def tracking_settings(self, params: TrackingSettingsInput) -> TrackingSettings:
        async with system_transaction(self.context, params.tenant) as (session, tenant):
            settings = await get_settings(session, tenant)
        return TrackingSettings(
            report_deadline_day=settings.report_deadline_day, escalation_days=settings.escalation_days
        )

    @activity.defn(name="report_notice")
    async def report_notice(self, params: ReportNoticeInput) -> ReportNoticeResult:
        """If the month's report is missing, remind the street's operators (or escalate to the caseworkers).

        The check and the notification share one transaction, and the notification's dedupe key
        (``report-{stage}:{street}:{YYYY-MM}``) makes a retry write nothing twice.
        """
        async with system_transaction(self.context, params.tenant) as (session, tenant):
            if await session.get(models.MonthlyReport, (tenant, params.street_id, params.month)) is not None:
                return ReportNoticeResult(submitted=True)
            street = await session.get(models.Street, (tenant, params.street_id))
            name = street.name if street is not None else f"#{params.street_id}"
            message = messages.report_missing(
                params.stage, params.street_id, name, params.month, params.due_on, params.escalation_days
            )
            key = messages.report_key(params.stage, params.street_id, params.month)
            if params.stage == "reminder":
                # A street without an operator account: the city's admins are the ones who can chase it.
                sent = await send(session, tenant, ("street_operators",), message, key, fallback="city_admins")
            else:
                sent = await send(session, tenant, ("caseworkers",), message, key)
        hook = None if sent.webhook is None else WebhookInput.of(params.tenant, sent.webhook)
        return ReportNoticeResult(submitted=False, created=sent.created, webhook=hook)
