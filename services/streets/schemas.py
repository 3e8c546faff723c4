"""The street shape of API.md: operator, centre with staff, custom fields, status."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import FreeText, Name, ShortName, ShortText, Url

Theme = Literal["graduates", "returnees", "veterans", "industry_chain", "culture_tourism", "other"]
CenterService = Literal[
    "policy_consultation", "mentoring", "training", "employment", "social_security", "talent", "financing"
]
StreetStatus = Literal["applied", "recommended", "pilot", "designated", "rectification", "revoked", "withdrawn"]

Text = FreeText
Count = Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class StaffMember(BaseStruct):
    """A member of the centre's staff (专兼职工作人员)."""

    name: str
    role: str
    full_time: bool


class Operator(BaseStruct):
    """The operating organisation (运营机构) and what it claims (POLICY 二(一)): `legalPerson`, `cleanRecord` and
    `digitalPlatformUrl` count in assessments only once the city has verified them (…/attestations); what the
    city admin enters counts as verified, and a claim anyone else changes awaits verification again."""

    name: str
    uscc: str
    legal_person: bool | None
    clean_record: bool | None
    digital_platform_url: str | None


class Center(BaseStruct):
    """The entrepreneurship empowerment centre (创业赋能中心); `staffCount` is derived from `staff`."""

    fixed_site: bool
    address: str
    staff: list[StaffMember]
    staff_count: int
    services: list[CenterService]


class Street(BaseStruct):
    id: int
    name: str
    district: str
    theme: Theme | None
    status: StreetStatus
    operator: Operator | None
    center: Center | None
    custom_fields: dict[str, Any]
    replicable_practices: int | None
    """Documented replicable practices (可复制推广的经验, POLICY 二(五)) as the street once attested them; kept for
    the API, not judged: the criterion counts the typical cases the city accepted (services/cases)."""


class StaffMemberIn(InputStruct):
    name: Name
    role: ShortText = ""
    full_time: bool = False


class OperatorIn(InputStruct):
    name: Name
    uscc: ShortText
    legal_person: bool | None = None
    clean_record: bool | None = None
    digital_platform_url: Url | None = None


class OperatorUpdate(InputStruct):
    """Only the fields given change."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    uscc: ShortText | msgspec.UnsetType = msgspec.UNSET
    legal_person: bool | msgspec.UnsetType | None = msgspec.UNSET
    clean_record: bool | msgspec.UnsetType | None = msgspec.UNSET
    digital_platform_url: Url | msgspec.UnsetType | None = msgspec.UNSET


class CenterIn(InputStruct):
    """The whole centre: on PATCH its staff list replaces the old one."""

    fixed_site: bool = False
    address: Text = ""
    staff: Annotated[list[StaffMemberIn], msgspec.Meta(max_length=500)] = msgspec.field(default_factory=list)
    services: list[CenterService] = msgspec.field(default_factory=list)


class StreetCreate(InputStruct):
    name: Name
    district: ShortName
    operator: OperatorIn
    theme: Theme | None = None
    center: CenterIn = msgspec.field(default_factory=CenterIn)
    custom_fields: dict[str, Any] = msgspec.field(default_factory=dict)
    replicable_practices: Count | None = None


class StreetUpdate(InputStruct):
    """Only the fields given change. `customFields` is merged key by key, and a key set to null is removed.

    `status` may only be set to `withdrawn`, by the city admin, with a `statusReason`; every other
    status change belongs to the selection and annual-cycle workflows.
    """

    name: Name | msgspec.UnsetType = msgspec.UNSET
    district: ShortName | msgspec.UnsetType = msgspec.UNSET
    theme: Theme | msgspec.UnsetType | None = msgspec.UNSET
    operator: OperatorUpdate | msgspec.UnsetType = msgspec.UNSET
    center: CenterIn | msgspec.UnsetType = msgspec.UNSET
    custom_fields: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    replicable_practices: Count | msgspec.UnsetType | None = msgspec.UNSET
    """The city admin's only: an operator is refused (403); the criterion counts the accepted typical cases."""
    status: StreetStatus | msgspec.UnsetType = msgspec.UNSET
    status_reason: Annotated[FreeText, msgspec.Meta(min_length=1)] | msgspec.UnsetType = msgspec.UNSET
