"""The entity shape of API.md, its input forms and the columns of an import file."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final, Literal

import msgspec

from services.labels.labels import coded_column
from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import EventDate, Name, ShortText
from services.shared.tabular.reading import Column

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
    coded_column("kind", "实体类型", "entityKind", {"个体": "individual", "合作社": "cooperative"}, required=True),
    # The policy's words (初创企业, 成长型企业, 品牌企业) and the short forms people write.
    coded_column(
        "class",
        "实体分类",
        "entityClass",
        {"初创": "startup", "初创型": "startup", "成长型": "growth", "成长": "growth", "品牌": "brand"},
    ),
    coded_column("founderGroup", "创业者群体", "founderGroup", {"毕业生": "graduate", "返乡人员": "returnee"}),
    Column(key="foundedOn", label_zh="成立日期", type="date"),
    Column(key="employees", label_zh="从业人数", type="integer", min=0, max=100_000),
    Column(key="operating", label_zh="是否正常经营", type="boolean"),
    Column(key="joinedOn", label_zh="入驻日期", type="date"),
    Column(key="leftOn", label_zh="退出日期", type="date"),
)
"""Headers are the JSON names or these Chinese labels; choices take their codes and labels (services.labels)."""
