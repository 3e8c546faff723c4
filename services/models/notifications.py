"""Notifications to users (通知) and the follow-up tasks (走访任务) that overdue visits open."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, Index, Text
from sqlmodel import SQLModel

from services.models.base import optional, required, serial_key, tenant_fk, tenant_key, tenant_table, timestamp


class Notification(SQLModel, table=True):
    """One message to one user: a missing report, an escalation, overdue follow-ups, a designation.

    ``dedupe_key`` names the event (``report-reminder:{street}:{month}``); with the username it is
    unique in the tenant, so an activity that is retried after it wrote its rows writes nothing twice,
    while one event may still reach several users.
    """

    __tablename__ = tenant_table("notifications")
    __table_args__ = (
        tenant_fk(["street_id"], "streets", ["id"]),
        tenant_fk(["entity_id"], "entities", ["id"]),
        Index("notifications_dedupe", "tenant_id", "dedupe_key", "username", unique=True),
        # The bell's query: one user's newest first, unread filtered.
        Index("notifications_user", "tenant_id", "username", "id"),
    )

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    username: str = required(Text)
    kind: str = required(Text)
    title_zh: str = required(Text)
    title_en: str = required(Text)
    body_zh: str = required(Text, default="")
    body_en: str = required(Text, default="")
    street_id: int | None = optional(BigInteger)
    entity_id: int | None = optional(BigInteger)
    dedupe_key: str = required(Text)
    created_at: datetime = timestamp()
    read_at: datetime | None = optional(DateTime(timezone=True))


class FollowupTask(SQLModel, table=True):
    """An overdue follow-up visit (逾期走访) of one entity, opened and closed by the weekly sweep.

    ``dedupe_key`` is ``followup:{entity}:{due_on}``: the same overdue visit is one task however
    often the sweep runs or is retried.
    """

    __tablename__ = tenant_table("followup_tasks")
    __table_args__ = (
        tenant_fk(["street_id"], "streets", ["id"]),
        tenant_fk(["entity_id"], "entities", ["id"]),
        tenant_fk(["visit_id"], "ledger_visits", ["id"]),
        CheckConstraint("status IN ('open','done')", name="followup_tasks_status_check"),
        Index("followup_tasks_dedupe", "tenant_id", "dedupe_key", unique=True),
        Index("followup_tasks_street_status", "tenant_id", "street_id", "status"),
    )

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    entity_id: int = required(BigInteger)
    street_id: int = required(BigInteger)
    due_on: date = required(Date)
    status: str = required(Text, default="open")
    opened_at: datetime = timestamp()
    closed_at: datetime | None = optional(DateTime(timezone=True))
    dedupe_key: str = required(Text)
    closed_by: str | None = optional(Text)
    """Who closed it: the caseworker who gave a reason or recorded the visit; none when the sweep closed it."""
    closed_reason: str | None = optional(Text)
    visit_id: int | None = optional(BigInteger)
    """The visit that satisfied it, when recording that visit closed it."""
    escalated_at: datetime | None = optional(DateTime(timezone=True))
    """When the sweep escalated it to the city admins (a second cadence past due); once per task."""
