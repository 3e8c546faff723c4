"""The activity shape of API.md and the columns of an activities import file."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final, Literal

import msgspec

from services.labels.labels import coded_column
from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import EventDate, Name
from services.shared.tabular.reading import Column

ActivityKind = Literal["guidance", "salon", "training", "other"]


class Activity(BaseStruct):
    id: int
    kind: ActivityKind
    title: str
    held_on: dt.date
    participants: int


class ActivityCreate(InputStruct):
    kind: ActivityKind
    title: Name
    held_on: EventDate
    participants: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0


ACTIVITY_COLUMNS: Final = (
    coded_column(
        "kind", "活动类型", "activityKind", {"指导": "guidance", "沙龙": "salon", "培训": "training"}, required=True
    ),
    Column(key="title", label_zh="活动名称", required=True),
    Column(key="heldOn", label_zh="举办日期", type="date", required=True),
    Column(key="participants", label_zh="参加人数", type="integer", min=0, max=1_000_000),
)
"""Headers are the JSON names or these Chinese labels; kinds take their codes and labels (services.labels)."""
