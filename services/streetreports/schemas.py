"""Monthly reports, survey responses and their summary, internship positions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import EventDate, Id, LongText, Month, Name

Count = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Notes = LongText
Rating = Annotated[int, msgspec.Meta(ge=1, le=5)]
Title = Name


class MonthlyReport(BaseStruct):
    month: str
    jobs_driven: int
    internship_positions: int
    notes: str
    submitted_by: str
    submitted_at: dt.datetime


class MonthlyReportCreate(InputStruct):
    """One report per street and month; a second POST for the month is 409, a correction is a PUT."""

    month: Month
    jobs_driven: Count
    internship_positions: Count = 0
    notes: Notes = ""


class MonthlyReportReplace(InputStruct):
    """A corrected report for the month in the path (replaces the figures; the audit keeps the old ones)."""

    jobs_driven: Count
    internship_positions: Count = 0
    notes: Notes = ""


class SurveyAnswer(InputStruct):
    responded_on: EventDate
    rating: Rating


class SurveySubmission(InputStruct):
    """Either one answer `{respondedOn, rating}` or a batch `{responses: [...]}` (all stored or none)."""

    responded_on: EventDate | None = None
    rating: Rating | None = None
    responses: Annotated[list[SurveyAnswer], msgspec.Meta(min_length=1, max_length=10_000)] | None = None


class SurveyResponse(BaseStruct):
    id: int
    responded_on: dt.date
    rating: int


class SurveyCreated(BaseStruct):
    created: int
    responses: list[SurveyResponse]


class SurveySummary(BaseStruct):
    """Ratings 4 and 5 count as satisfied; `satisfaction` is null without answers (no data, never a pass)."""

    year: int | None
    responses: int
    satisfied: int
    satisfaction: float | None
    by_rating: dict[str, int]
    min_sample: int
    """The city's minimum sample: fewer responses make satisfaction "no data" for assessments."""
    enough_sample: bool


class Internship(BaseStruct):
    id: int
    title: str
    opened_on: dt.date
    closed_on: dt.date | None
    entity_id: int | None


class InternshipCreate(InputStruct):
    """An entrepreneurship internship position (创业见习岗位), optionally at one of the street's entities."""

    title: Title
    opened_on: EventDate
    closed_on: EventDate | None = None
    entity_id: Id | None = None


class InternshipUpdate(InputStruct):
    """Only the fields given change (closing a position sets `closedOn`)."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    closed_on: EventDate | msgspec.UnsetType | None = msgspec.UNSET
