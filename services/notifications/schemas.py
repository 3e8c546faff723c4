"""Notifications as the API shows them, and the message an automated process sends."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from services.schemas import BaseStruct

Audience = Literal["street_operators", "caseworkers", "city_admins", "province_admins"]
"""Who receives a message: the operators of its street, the city's caseworkers, the city's admins."""


class Notification(BaseStruct):
    id: int
    kind: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    street_id: int | None
    street_name: str | None
    entity_id: int | None
    entity_name: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class Message(msgspec.Struct, frozen=True, kw_only=True):
    """What one event says, in Chinese and English; workflows hand it to activities as data."""

    kind: str
    title_zh: str
    title_en: str
    body_zh: str = ""
    body_en: str = ""
    street_id: int | None = None
    entity_id: int | None = None
