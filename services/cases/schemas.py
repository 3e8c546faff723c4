"""A typical case as API.md shapes it: its draft, its review, its images and its public form."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final, Literal

import msgspec

from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import TEXT_PATTERN, FreeText, Name, ShortName, ShortText, Year

CaseCategory = Literal["business_cultivation", "incubation", "finance", "digital_platform", "youth"]
"""What the practice is about: 业态培育, 孵化服务, 金融支持, 数字平台, 青年集聚."""
CaseStatus = Literal["draft", "submitted", "accepted", "returned", "published"]
"""draft → submitted → accepted | returned (with a comment, then edited and submitted again); accepted ⇄ published
by the province."""
Decision = Literal["accept", "return"]

EDITABLE: Final[tuple[str, ...]] = ("draft", "returned")
"""The states in which the street's side may still change the case."""
COUNTED: Final[tuple[str, ...]] = ("accepted", "published")
"""The states in which a case is a documented replicable practice of its street (二(五))."""
MAX_IMAGES: Final = 6
MAX_IMAGE_BYTES: Final = 5 * 1024 * 1024

Body = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=20000,
        pattern=TEXT_PATTERN,
        description="正文（Markdown，不含 HTML），至多 20000 字 / Markdown without HTML, at most 20,000 characters",
    ),
]


class Figure(BaseStruct):
    """One key figure of the case: ``{label: "带动就业", value: "1,200 人"}``."""

    label: ShortName
    value: ShortName


class FigureInput(InputStruct):
    label: ShortName
    value: ShortName


Figures = Annotated[list[FigureInput], msgspec.Meta(max_length=12, description="关键数据，至多 12 项 / at most 12")]


class Case(BaseStruct):
    id: int
    tenant: str
    street_id: int
    street_name: str
    year: int
    title: str
    category: CaseCategory
    summary: str
    body: str
    figures: list[Figure]
    status: CaseStatus
    review_comment: str | None
    images: int
    """How many images the case has: they are ``…/images/1`` to ``…/images/{images}``."""
    created_by: str
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    published_at: dt.datetime | None
    updated_at: dt.datetime


class CaseCreate(InputStruct):
    street_id: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1, description="街区编号 / the street's id")]
    title: Name
    category: CaseCategory
    summary: FreeText
    body: Body
    figures: Figures = msgspec.field(default_factory=list)
    year: Year | None = None
    """The year whose practice it documents (default: this year); the criterion counts it in that year."""


class CaseUpdate(InputStruct):
    title: Name | msgspec.UnsetType = msgspec.UNSET
    category: CaseCategory | msgspec.UnsetType = msgspec.UNSET
    summary: FreeText | msgspec.UnsetType = msgspec.UNSET
    body: Body | msgspec.UnsetType = msgspec.UNSET
    figures: Figures | msgspec.UnsetType = msgspec.UNSET
    year: Year | msgspec.UnsetType = msgspec.UNSET


class CaseReview(InputStruct):
    decision: Decision
    comment: ShortText | None = None
    """Required when returning: what the street should change."""


class CaseImageSaved(BaseStruct):
    position: int
    media_type: str
    size: int


class PublicCase(BaseStruct):
    """A published case as anyone may read it: nothing of its review."""

    id: int
    tenant: str
    city_name: str
    street_name: str
    year: int
    title: str
    category: CaseCategory
    summary: str
    body: str
    figures: list[Figure]
    published_at: dt.datetime
    images: int
