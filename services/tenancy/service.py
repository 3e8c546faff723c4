"""Tenant configuration: read with defaults, replace with an audit row; a running cycle takes the change.

Saving a configuration (``replace_settings``) checks it first (the application window is a real window
within a year, the webhook URL one Jiequ may post to), and then hands what a city's running cycle holds
(its application window) to that cycle through the workflow's ``configure`` Update, which validates it,
and a new report deadline day or escalation delay to its streets' tracking workflows (``reschedule``).
The answer's notices tell the city admin what took effect where, and what applies only from the next
rectification or selection (those read their period or target when they start).

The order is: write in the request's transaction, ask the cycles, commit when the request ends. A cycle's
refusal raises here, so the transaction rolls back and the city's configuration and its cycle stay as they
were; an accepted change commits. The other order (commit, then roll back by a second write when a cycle
refuses) would let a cycle starting in between read a window its neighbour refused, and a failed second
write would leave the two apart for good. Here the window in which they can differ is the commit itself,
after the cycles accepted. The configuration row stays locked (FOR UPDATE) until the commit, and a cycle's
opening reads it FOR SHARE: a cycle that starts during a save reads the saved configuration after the
commit, and one whose opening is still under way refuses the change ("starting, try again") rather than
miss it. A cycle that does not answer in time (no worker) makes the save answer 503 and write nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Final

import msgspec
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client
from temporalio.service import RPCError

from services.audit.service import record
from services.errors import InvalidError, NotFoundError, UnavailableError
from services.models import Street, TenantConfig
from services.notifications.webhook import WebhookPolicy, url_problem
from services.tenancy.schemas import TenantConfigUpdate
from services.text import Text, counted
from tenants.calendar import today
from tenants.config import TenantSettings, settings_from_json, settings_to_json, window_problem
from tenants.context import Actor
from tenants.ids import TenantId
from tenants.resolver import TenantDirectory
from workflows import client as cycles
from workflows.cycle.schemas import CycleSettings
from workflows.tracking import client as tracking
from workflows.tracking.schemas import TRACKED_STATUSES, TrackingSettings

SECRET_FIELD: Final = "webhookSecret"  # noqa: S105 - the field's name, not a secret
SECRET_SHOWN: Final = "******"  # noqa: S105 - what the audit trail shows in its place


async def get_settings(session: AsyncSession, tenant: TenantId, *, lock: bool = False) -> TenantSettings:
    """The tenant's settings; `lock` reads them FOR SHARE, waiting for a save under way to end."""
    row = await session.get(TenantConfig, tenant, with_for_update={"read": True} if lock else None)
    return settings_from_json(row.settings if row is not None else {})


def settings_problem(problem: tuple[str, str]) -> Text:
    """A configuration that cannot be used, as the city admin is told it."""
    return Text("租户配置有误：", "the configuration is invalid: ") + Text(*problem)


class Saved(msgspec.Struct, frozen=True, kw_only=True):
    """A saved configuration, and what the city admin is told about when its changes take effect."""

    settings: TenantSettings
    notices: tuple[Text, ...] = ()


class CycleChanges(msgspec.Struct, frozen=True, kw_only=True):
    """What a save needs to reach the city's running cycles: the directory and the Temporal client."""

    directory: TenantDirectory
    temporal: Callable[[], Awaitable[Client]]


async def replace_settings(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    data: TenantConfigUpdate,
    *,
    webhook_policy: WebhookPolicy,
    running: CycleChanges,
) -> Saved:
    """Replace the tenant's configuration (checked, audited); running workflows take what they hold.

    A changed window goes to the city's running cycles, a changed deadline day or escalation delay to its
    streets' running tracking workflows; the answer's notices say what took effect where, and what takes
    effect only from the next rectification or selection.

    ``webhookSecretSet: true`` without a ``webhookSecret`` keeps the stored secret, so what GET answered
    can be sent back unchanged; a new ``webhookSecret`` replaces it; neither clears it.
    """
    problem = window_problem(data.application_window)
    if problem is not None:
        raise InvalidError(Text(*problem))
    if data.webhook_url is not None:
        url = url_problem(data.webhook_url, webhook_policy)
        if url is not None:
            raise InvalidError(url)
    row = await session.get(TenantConfig, tenant, with_for_update=True)
    if row is None:
        raise NotFoundError(Text(f"租户 {tenant} 没有配置", f"tenant {tenant} has no configuration"))
    before = dict(row.settings)
    stored = settings_from_json(before)
    secret = data.webhook_secret or None
    if secret is None and data.webhook_secret_set:
        if stored.webhook_secret is None:
            raise InvalidError(
                Text(
                    "尚未设置 webhook 密钥：webhookSecretSet 为 true 时请同时提供 webhookSecret",
                    "no webhook secret is set: send webhookSecret along with webhookSecretSet: true",
                )
            )
        secret = stored.webhook_secret
    fields = msgspec.structs.asdict(data)
    fields.pop("webhook_secret_set")
    settings = TenantSettings(**{**fields, "webhook_secret": secret})
    row.settings = settings_to_json(settings)
    row.updated_at = datetime.now(UTC)
    await record(
        session,
        actor,
        tenant,
        "tenant.configure",
        "tenant_config",
        tenant,
        before=_unsecret(before),
        after=_unsecret(row.settings),
    )
    await session.flush()  # the write's own errors come before the cycles are asked
    if settings.application_window != stored.application_window:
        await _tell_cycles(running, actor, tenant, settings)
    notices: list[Text] = []
    if (settings.report_deadline_day, settings.escalation_days) != (stored.report_deadline_day, stored.escalation_days):
        notices.append(await _reschedule_tracking(session, running, tenant, settings))
    if settings.rectification_days != stored.rectification_days:
        notices.append(
            Text(
                f"整改期限 {settings.rectification_days} 天适用于此后开始的整改；已在整改中的街区保持原定截止日。",
                f"The rectification period of {settings.rectification_days} days applies to rectifications that "
                "start from now on; streets already in rectification keep the due date they were given.",
            )
        )
    if settings.pilot_target != stored.pilot_target:
        notices.append(
            Text(
                f"试点名额 {settings.pilot_target} 个自下一次开始的年度遴选起生效；已开始的遴选保持原名额。",
                f"The pilot target of {settings.pilot_target} applies from the next selection to start; a "
                "selection already under way keeps its target.",
            )
        )
    return Saved(settings=settings, notices=tuple(notices))


async def _reschedule_tracking(
    session: AsyncSession, running: CycleChanges, tenant: TenantId, settings: TenantSettings
) -> Text:
    """Give the new deadline day and escalation delay to the running tracking of the city's streets.

    A street's tracking of a year runs from its designation to the escalation of December's report in
    the next January, so last year's, this year's and next year's may run. Refused as a whole (503,
    nothing saved) when Temporal does not answer.
    """
    rows = await session.execute(
        select(Street.id).where(Street.tenant_id == tenant, col(Street.status).in_(TRACKED_STATUSES))
    )
    street_ids = [street_id for (street_id,) in rows]
    this_year = today().year
    change = TrackingSettings(
        report_deadline_day=settings.report_deadline_day, escalation_days=settings.escalation_days
    )
    try:
        async with asyncio.timeout(cycles.CONFIGURE_TIMEOUT.total_seconds()):
            client = await running.temporal()
            taken = await tracking.reschedule(
                client, tenant, street_ids, (this_year - 1, this_year, this_year + 1), change
            )
    except (TimeoutError, RPCError) as exc:
        raise UnavailableError(
            Text(
                "街区的月报跟踪未能确认新的截止日，配置未保存，请稍后重试",
                "the streets' report tracking did not confirm the new deadline; nothing was saved, try again later",
            )
        ) from exc
    day, days = settings.report_deadline_day, settings.escalation_days
    if not taken:
        return Text(
            f"目前没有进行中的月报跟踪；每月 {day} 日截止、逾期 {days} 天升级自下一次跟踪开始时生效。",
            f"No report tracking is running: the deadline on day {day} and escalation after {days} days "
            "apply when tracking next starts.",
        )
    return Text(
        f"已更新 {len(taken)} 个街区进行中的月报跟踪：尚未提醒的月份改为次月 {day} 日截止，"
        f"逾期 {days} 天升级；已提醒的月份保持原截止日。",
        f"The running report tracking of {counted(len(taken), 'street')} was updated: months not yet reminded are "
        f"due on day {day} of the next month and escalate after {days} days; "
        "months already reminded keep their due date.",
    )


async def _tell_cycles(running: CycleChanges, actor: Actor, tenant: TenantId, settings: TenantSettings) -> None:
    """Hand the new window to the city's cycles of this year and the next, where they run.

    An earlier year's cannot hold an open window; a cycle that never started or has closed reads the
    configuration when it opens, or has nothing left to change.
    """
    info = running.directory.get(tenant)
    if info is None or info.is_province:
        return
    change = CycleSettings(application_window=settings.application_window, changed_by=actor.username)
    this_year = today().year
    client = await running.temporal()
    for year in (this_year, this_year + 1):
        try:
            await cycles.configure(client, tenant, year, change)
        except cycles.CycleRejectedError as exc:
            raise InvalidError(
                Text(f"{year} 年度流程未接受新的申报窗口：", f"the {year} cycle did not take the new window:")
                + Text(*_halves(str(exc)))
            ) from exc
        except (TimeoutError, RPCError) as exc:
            raise UnavailableError(
                Text(
                    f"{year} 年度流程未能确认配置修改，配置未保存，请稍后重试",
                    f"the {year} cycle did not confirm the change; nothing was saved, try again later",
                )
            ) from exc


def _unsecret(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings as the audit trail keeps them: the webhook secret only said to be set, as GET says it."""
    if settings.get(SECRET_FIELD):
        return {**settings, SECRET_FIELD: SECRET_SHOWN}
    return settings


def _halves(message: str) -> tuple[str, str]:
    """A workflow's "中文 / English" refusal as its two languages."""
    zh, _, en = message.partition(" / ")
    return zh, en or zh
