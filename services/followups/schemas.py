"""Follow-up tasks as the API shows them, and what one street's sweep did."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from services.schemas import BaseStruct

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


class SweepOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """One street's sweep: tasks opened and closed now, and tasks open after it."""

    opened: int
    closed: int
    open: int
