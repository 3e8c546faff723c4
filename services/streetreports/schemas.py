"""Monthly reports, survey responses and their summary, internship positions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final

import msgspec

from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import EventDate, Id, LongText, Month, Name
from services.shared.tabular.reading import Column

Count = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Notes = LongText
Rating = Annotated[int, msgspec.Meta(ge=1, le=5)]
Title = Name


class MonthlyReport(BaseStruct):
    """A street's monthly report (月报). `jobsDriven` is the jobs newly driven in that month: the people who
    started work that month in the street's entities, founders of new entities included; not a headcount,
    so the months of a year add up to the jobs newly driven in the year."""

    month: str
    jobs_driven: int
    internship_positions: int
    interns_graduates: int
    """People the month's internship positions took on (招用) who are college graduates."""
    interns_other_youth: int
    """People taken on who are other young people."""
    notes: str
    submitted_by: str
    submitted_at: dt.datetime


class MonthlyReportCreate(InputStruct):
    """One report per street and month; a second POST for the month is 409, a correction is a PUT.

    `jobsDriven`: the jobs newly driven in that month (people who started work that month in the street's
    entities, founders of new entities included), not the number employed.

    `internsGraduates`, `internsOtherYouth` (招用, 二(三)): the people the month's internship positions took on,
    college graduates and other young people. Each intern fills a position, so together they are at most
    `internshipPositions`.
    """

    month: Month
    jobs_driven: Count
    internship_positions: Count = 0
    interns_graduates: Count = 0
    interns_other_youth: Count = 0
    notes: Notes = ""


class MonthlyReportReplace(InputStruct):
    """A corrected report for the month in the path (replaces the figures; the audit keeps the old ones)."""

    jobs_driven: Count
    internship_positions: Count = 0
    interns_graduates: Count = 0
    interns_other_youth: Count = 0
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
    entity_name: str | None


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


SURVEY_COLUMNS: Final = (
    Column(key="respondedOn", label_zh="答卷日期", type="date", required=True),
    Column(key="rating", label_zh="满意度评分", type="integer", required=True, min=1, max=5),
)
"""The columns of a survey import: one answer per row; 5 非常满意 … 1 非常不满意, 4 and 5 count as satisfied."""
