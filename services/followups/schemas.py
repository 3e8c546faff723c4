"""Follow-up tasks as the API shows them, and what one street's sweep did."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from services.notifications.schemas import Message
from services.schemas import BaseStruct

TaskStatus = Literal["open", "done"]


class FollowupTask(BaseStruct):
    id: int
    entity_id: int
    entity_name: str
    street_id: int
    due_on: dt.date
    status: TaskStatus
    opened_at: dt.datetime
    closed_at: dt.datetime | None


class SweepOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """One street's sweep: tasks opened and closed now, tasks open after it, notifications written."""

    opened: int
    closed: int
    open: int
    notified: int
    digest: Message | None = None
    """The caseworkers' message when tasks were opened (for the webhook)."""
