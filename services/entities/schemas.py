"""The entity shape of API.md, its input forms and the columns of an import file."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final, Literal

import msgspec

from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import EventDate, Name, ShortText
from services.shared.tabular import Column

EntityKind = Literal["enterprise", "individual", "cooperative", "other"]
EntityClass = Literal["brand", "growth", "startup"]
FounderGroup = Literal["graduate", "returnee", "veteran", "other"]

Employees = Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class Entity(BaseStruct):
    """`employees` counts the people it employs, founders included; `operating`: in normal operation."""

    id: int
    name: str
    uscc: str
    kind: EntityKind
    entity_class: EntityClass | None = msgspec.field(name="class")
    founder_group: FounderGroup | None
    founded_on: dt.date | None
    employees: int
    operating: bool
    joined_on: dt.date | None
    left_on: dt.date | None


class EntityCreate(InputStruct):
    name: Name
    uscc: ShortText
    kind: EntityKind
    entity_class: EntityClass | None = msgspec.field(default=None, name="class")
    founder_group: FounderGroup | None = None
    founded_on: EventDate | None = None
    employees: Employees = 0
    operating: bool = True
    joined_on: EventDate | None = None
    left_on: EventDate | None = None


class EntityUpdate(InputStruct):
    """Only the fields given change."""

    operating: bool | msgspec.UnsetType = msgspec.UNSET
    entity_class: EntityClass | msgspec.UnsetType | None = msgspec.field(default=msgspec.UNSET, name="class")
    employees: Employees | msgspec.UnsetType = msgspec.UNSET
    left_on: EventDate | msgspec.UnsetType | None = msgspec.UNSET


ENTITY_COLUMNS: Final = (
    Column(key="name", label_zh="实体名称", required=True),
    Column(key="uscc", label_zh="统一社会信用代码", type="uscc", required=True),
    Column(key="kind", label_zh="实体类型", type="choice", required=True, choices={
        "企业": "enterprise", "个体工商户": "individual", "个体": "individual",
        "农民专业合作社": "cooperative", "合作社": "cooperative", "其他": "other",
    }),
    Column(key="class", label_zh="实体分类", type="choice", choices={
        "品牌": "brand", "品牌企业": "brand", "成长型": "growth", "成长": "growth", "初创": "startup",
        "初创型": "startup",
    }),
    Column(key="founderGroup", label_zh="创业者群体", type="choice", choices={
        "高校毕业生": "graduate", "毕业生": "graduate", "返乡创业人员": "returnee", "返乡人员": "returnee",
        "退役军人": "veteran", "其他": "other",
    }),
    Column(key="foundedOn", label_zh="成立日期", type="date"),
    Column(key="employees", label_zh="从业人数", type="integer", min=0, max=100_000),
    Column(key="operating", label_zh="是否正常经营", type="boolean"),
    Column(key="joinedOn", label_zh="入驻日期", type="date"),
    Column(key="leftOn", label_zh="退出日期", type="date"),
)
"""Headers are the JSON names or these Chinese labels; choices also take their Chinese names."""
