"""A centre's service as API.md shapes it, the import columns, and the monthly workload."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final, Literal

import msgspec

from services.labels.labels import coded_column
from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import EventDate, FreeText, Name
from services.shared.tabular.reading import Column

ServiceKind = Literal["policy", "mentoring", "training", "employment", "social_security", "talent", "financing"]
"""What the centre did (三(三)): policy consultation, mentoring, training, employment and social security
services, talent services, financing."""

People = Annotated[int, msgspec.Meta(ge=0, le=100_000, description="服务人数 / people served")]


class CenterService(BaseStruct):
    id: int
    street_id: int
    served_on: dt.date
    kind: ServiceKind
    people: int
    staff: str
    note: str | None


class CenterServiceCreate(InputStruct):
    served_on: EventDate
    kind: ServiceKind
    people: People
    staff: Name
    """The centre's staff member who gave the service."""
    note: FreeText | None = None


SERVICE_COLUMNS: Final = (
    Column(key="servedOn", label_zh="服务日期", type="date", required=True),
    coded_column(
        "kind", "服务类型", "serviceKind", {"政策": "policy", "指导": "mentoring", "培训": "training"}, required=True
    ),
    Column(key="people", label_zh="服务人数", type="integer", required=True, min=0, max=100_000),
    Column(key="staff", label_zh="服务人员", required=True),
    Column(key="note", label_zh="备注"),
)
"""Headers are the JSON names or these Chinese labels; kinds take their codes and labels (services.labels)."""


class MonthlyWorkload(BaseStruct):
    """One centre's (street's) services in one month of the year."""

    street_id: int
    street_name: str
    month: str
    """``YYYY-MM``."""
    services: int
    people: int
    by_kind: dict[str, int]
    """People served by kind (every kind, 0 where none)."""


class Workload(BaseStruct):
    """A city's workload of a year: per centre and month, and the city's months."""

    tenant: str
    year: int
    centres: list[MonthlyWorkload]
    city: list[MonthlyWorkload]
    """The city's totals per month (``streetId`` 0, ``streetName`` the city's name)."""
