"""Ledger entries and visits as API.md shows and takes them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

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


class _EntryRecord(BaseStruct):
    """What an entry's visits and outcomes begin with: their own id, their entry's, and its entity and street."""

    id: int
    entry_id: int
    entity_id: int
    entity_name: str
    street_id: int
    street_name: str


class LedgerVisit(_EntryRecord):
    visited_on: dt.date
    notes: str
    caseworker: str


class LedgerVisitCreate(InputStruct):
    visited_on: EventDate
    notes: Text = ""


# ------------------------------------------------------------------------------ outcomes (帮扶成效)

OutcomeKind = Literal[
    "guaranteed_loan", "startup_subsidy", "rent_reduction", "training_places", "interns_taken", "talent_placed"
]
"""创业担保贷款, 一次性创业补贴, 租金减免, 培训名额, 见习招用, 人才引进: what an action achieved."""

WanYuan = Annotated[
    int, msgspec.Meta(ge=1, le=1_000_000, description="金额（万元），1 至 1,000,000 / an amount in 万元 (10,000 yuan)")
]
Yuan = Annotated[
    int, msgspec.Meta(ge=1, le=10**10, description="金额（元），正整数 / an amount in yuan, a whole number")
]
Persons = Annotated[int, msgspec.Meta(ge=0, le=100_000, description="人数，0 至 100,000 / persons, 0 to 100,000")]
Months = Annotated[int, msgspec.Meta(ge=1, le=120, description="月数，1 至 120 / months, 1 to 120")]
Note = LongText


class _OutcomeCreate(InputStruct, tag_field="kind", kw_only=True):
    """What every outcome has: the day it was achieved (a loan's lending day, a subsidy's payment day…)."""

    achieved_on: EventDate
    note: Note = ""


class GuaranteedLoan(_OutcomeCreate, tag="guaranteed_loan"):
    """创业担保贷款: the amount lent in 万元 and the lender (a bank, a rural credit cooperative)."""

    amount_wan: WanYuan
    lender: ShortName


class StartupSubsidy(_OutcomeCreate, tag="startup_subsidy"):
    """一次性创业补贴: the amount paid, in 元."""

    amount_yuan: Yuan


class RentReduction(_OutcomeCreate, tag="rent_reduction"):
    """租金减免: the rent waived in 元 over how many months."""

    amount_yuan: Yuan
    months: Months


class TrainingPlaces(_OutcomeCreate, tag="training_places"):
    """Places in entrepreneurship or skills training (培训名额) taken up by the entity's people."""

    persons: Annotated[int, msgspec.Meta(ge=1, le=100_000)]


class InternsTaken(_OutcomeCreate, tag="interns_taken"):
    """Interns the entity took on (见习招用): college graduates and other young people (at least one in all)."""

    graduates: Persons = 0
    other_youth: Persons = 0


class TalentPlaced(_OutcomeCreate, tag="talent_placed"):
    """People placed with the entity by the talent service (人才引进)."""

    persons: Annotated[int, msgspec.Meta(ge=1, le=100_000)]


LedgerOutcomeCreate = GuaranteedLoan | StartupSubsidy | RentReduction | TrainingPlaces | InternsTaken | TalentPlaced
"""`POST …/ledger/{entryId}/outcomes`: one outcome, its `kind` choosing its figures."""


class LedgerOutcome(_EntryRecord):
    """An outcome as recorded: the figures of its `kind` are set, the others null.

    `amountWan` is in 万元 (a guaranteed loan), `amountYuan` in 元 (a subsidy, a rent reduction).
    """

    kind: OutcomeKind
    achieved_on: dt.date
    amount_wan: int | None
    amount_yuan: int | None
    lender: str | None
    months: int | None
    persons: int | None
    graduates: int | None
    other_youth: int | None
    note: str
    recorded_by: str
