"""Follow-up tasks as the API shows them, and what one street's sweep did."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from services.schemas import BaseStruct, InputStruct

TaskStatus = Literal["open", "done"]


class FollowupTask(BaseStruct):
    id: int
    entity_id: int
    entity_name: str
    street_id: int
    street_name: str
    due_on: dt.date
    status: TaskStatus
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    closed_by: str | None
    """Who closed it (a caseworker's reason or recorded visit); null when the weekly sweep closed it."""
    closed_reason: str | None
    visit_id: int | None
    """The visit whose recording closed it."""
    escalated_at: dt.datetime | None
    """When it was escalated to the city admins: still open a second cadence after its due day."""


class TaskClose(InputStruct):
    """Why the task is closed without a visit (e.g. the entity has moved away and cannot be reached)."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500, description="关闭原因 / why it is closed")]


class SweepOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """One street's sweep: tasks opened and closed now, and tasks open after it."""

    opened: int
    closed: int
    open: int
    escalated: int = 0
    """Tasks escalated to the city admins by this sweep."""
