"""Ledger entries and visits as API.md shows and takes them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import EventDate, Id, LongText, ShortName

Need = Literal["loans_financing", "talent", "hr", "policy", "premises", "other"]
"""贷款融资, 人才引进, 人力资源, 政策, 场地, 其他 (POLICY.md, follow-up)."""
LedgerStatus = Literal["open", "in_progress", "resolved"]
Text = LongText
Username = ShortName


class LedgerEntry(BaseStruct):
    id: int
    entity_id: int
    entity_name: str
    street_id: int
    street_name: str
    need: Need
    action: str
    status: LedgerStatus
    caseworker: str | None
    opened_on: dt.date


class LedgerEntryCreate(InputStruct):
    """`streetId` follows from the entity; `openedOn` defaults to today, `caseworker` to the caller."""

    entity_id: Id
    need: Need
    action: Text = ""
    status: LedgerStatus = "open"
    opened_on: EventDate | None = None
    caseworker: Username | None = None


class LedgerEntryUpdate(InputStruct):
    """Only the fields given change."""

    status: LedgerStatus | msgspec.UnsetType = msgspec.UNSET
    action: Text | msgspec.UnsetType = msgspec.UNSET
    caseworker: Username | msgspec.UnsetType | None = msgspec.UNSET


class LedgerVisit(BaseStruct):
    id: int
    entry_id: int
    entity_id: int
    entity_name: str
    street_id: int
    street_name: str
    visited_on: dt.date
    notes: str
    caseworker: str


class LedgerVisitCreate(InputStruct):
    visited_on: EventDate
    notes: Text = ""
