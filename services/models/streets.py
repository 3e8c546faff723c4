"""Street data: operators, centres and staff, streets, entities, internships, activities, reports,
surveys, the support ledger and its visits, each city's custom fields, and the typical cases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    SmallInteger,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from services.models.base import (
    key_part,
    optional,
    required,
    serial_key,
    tenant_fk,
    tenant_key,
    tenant_table,
    timestamp,
)


class Operator(SQLModel, table=True):
    """The street's operating organisation (运营机构) and what it attests (二(一))."""

    __tablename__ = tenant_table("operators")

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    name: str = required(Text)
    uscc: str = required(Text)
    legal_person: bool | None = optional(Boolean)
    clean_record: bool | None = optional(Boolean)
    digital_platform_url: str | None = optional(Text)


class Street(SQLModel, table=True):
    """An entrepreneurship street (创业街区) with its lifecycle status."""

    __tablename__ = tenant_table("streets")
    __table_args__ = (tenant_fk(["operator_id"], "operators", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    name: str = required(Text)
    district: str = required(Text)
    theme: str | None = optional(Text)
    status: str = required(Text, default="applied")
    operator_id: int | None = optional(BigInteger)
    replicable_practices: int | None = optional(Integer)
    custom_fields: dict[str, Any] = required(JSONB, default_factory=dict)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Center(SQLModel, table=True):
    """The street's entrepreneurship empowerment centre (创业赋能中心), one per street."""

    __tablename__ = tenant_table("centers")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    street_id: int = key_part(BigInteger)
    fixed_site: bool = required(Boolean, default=False)
    address: str = required(Text, default="")
    services: list[str] = required(ARRAY(Text), default_factory=list)


class CenterStaff(SQLModel, table=True):
    """A member of the centre's staff, full- or part-time (专兼职工作人员)."""

    __tablename__ = tenant_table("center_staff")
    __table_args__ = (tenant_fk(["street_id"], "centers", ["street_id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = required(BigInteger)
    name: str = required(Text)
    role: str = required(Text)
    full_time: bool = required(Boolean)


class Entity(SQLModel, table=True):
    """An entrepreneurial entity (创业实体) registered in a street."""

    __tablename__ = tenant_table("entities")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = required(BigInteger)
    name: str = required(Text)
    uscc: str = required(Text)
    kind: str = required(Text)
    entity_class: str | None = Field(default=None, sa_column=Column("class", Text))
    founder_group: str | None = optional(Text)
    founded_on: date | None = optional(Date)
    employees: int = required(Integer, default=0)
    operating: bool = required(Boolean, default=True)
    joined_on: date | None = optional(Date)
    left_on: date | None = optional(Date)


class InternshipPosition(SQLModel, table=True):
    """An entrepreneurship internship position (创业见习岗位) open in the street."""

    __tablename__ = tenant_table("internship_positions")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = required(BigInteger)
    entity_id: int | None = optional(BigInteger)
    title: str = required(Text)
    opened_on: date = required(Date)
    closed_on: date | None = optional(Date)


class Activity(SQLModel, table=True):
    """An activity held for the entities: guidance, salon, training (创业赋能活动)."""

    __tablename__ = tenant_table("activities")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = required(BigInteger)
    kind: str = required(Text)
    title: str = required(Text)
    held_on: date = required(Date)
    participants: int = required(Integer, default=0)


class MonthlyReport(SQLModel, table=True):
    """The operator's monthly report (月报): jobs driven and internship positions that month."""

    __tablename__ = tenant_table("monthly_reports")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    street_id: int = key_part(BigInteger)
    month: date = key_part(Date)
    """The first day of the month reported on."""
    jobs_driven: int = required(Integer)
    internship_positions: int = required(Integer, default=0)
    interns_graduates: int = required(Integer, default=0)
    """People the month's internship positions took on (招用) who are college graduates (高校毕业生)."""
    interns_other_youth: int = required(Integer, default=0)
    """People taken on who are other young people (其他青年)."""
    notes: str = required(Text, default="")
    submitted_by: str = required(Text)
    submitted_at: datetime = timestamp()


class SurveyResponse(SQLModel, table=True):
    """One answer to the satisfaction survey (满意度调查), rated 1–5; 4 and 5 count as satisfied."""

    __tablename__ = tenant_table("survey_responses")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = required(BigInteger)
    responded_on: date = required(Date)
    rating: int = required(SmallInteger)


class LedgerEntry(SQLModel, table=True):
    """A support-ledger record (帮扶台账) of one entity's need and the action taken."""

    __tablename__ = tenant_table("ledger_entries")
    __table_args__ = (tenant_fk(["entity_id"], "entities", ["id"]), tenant_fk(["street_id"], "streets", ["id"]))

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = required(BigInteger)
    entity_id: int = required(BigInteger)
    need: str = required(Text)
    action: str = required(Text, default="")
    status: str = required(Text, default="open")
    caseworker: str | None = optional(Text)
    opened_on: date = required(Date)
    updated_at: datetime = timestamp()


class LedgerVisit(SQLModel, table=True):
    """A follow-up visit (跟踪走访) recorded on a ledger entry."""

    __tablename__ = tenant_table("ledger_visits")
    __table_args__ = (tenant_fk(["entry_id"], "ledger_entries", ["id"]), tenant_fk(["entity_id"], "entities", ["id"]))

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    entry_id: int = required(BigInteger)
    entity_id: int = required(BigInteger)
    street_id: int = required(BigInteger)
    visited_on: date = required(Date)
    notes: str = required(Text, default="")
    caseworker: str = required(Text)
    created_at: datetime = timestamp()


class LedgerOutcome(SQLModel, table=True):
    """What a ledger entry's action achieved (帮扶成效), one outcome of one kind with that kind's figures.

    Amounts: a guaranteed loan in 万元 (``amount_wan``), a subsidy and a rent reduction in 元 (``amount_yuan``).
    """

    __tablename__ = tenant_table("ledger_outcomes")
    __table_args__ = (
        tenant_fk(["entry_id"], "ledger_entries", ["id"]),
        tenant_fk(["entity_id"], "entities", ["id"]),
        tenant_fk(["street_id"], "streets", ["id"]),
    )

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    entry_id: int = required(BigInteger)
    entity_id: int = required(BigInteger)
    street_id: int = required(BigInteger)
    kind: str = required(Text)
    achieved_on: date = required(Date)
    amount_wan: int | None = optional(BigInteger)
    amount_yuan: int | None = optional(BigInteger)
    lender: str | None = optional(Text)
    months: int | None = optional(Integer)
    persons: int | None = optional(Integer)
    graduates: int | None = optional(Integer)
    other_youth: int | None = optional(Integer)
    note: str = required(Text, default="")
    recorded_by: str = required(Text)
    created_at: datetime = timestamp()


class CustomField(SQLModel, table=True):
    """A typed field a city defines for its streets (自定义字段); rules may read it as ``custom.<key>``."""

    __tablename__ = tenant_table("custom_fields")

    tenant_id: str = tenant_key()
    key: str = key_part(Text)
    label_zh: str = required(Text)
    label_en: str = required(Text)
    type: str = required(Text)
    choices: list[str] = required(JSONB, default_factory=list)
    created_at: datetime = timestamp()


class CenterService(SQLModel, table=True):
    """A service the street's empowerment centre gave (三(三) 服务工作量): the basis of the subsidy for
    public employment services by their workload."""

    __tablename__ = tenant_table("center_services")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = required(BigInteger)
    served_on: date = required(Date)
    kind: str = required(Text)
    people: int = required(Integer)
    staff: str = required(Text)
    note: str | None = optional(Text)
    created_at: datetime = timestamp()


class Case(SQLModel, table=True):
    """A typical case (典型案例, 二(五) 可复制、可推广的经验做法): drafted for a street, reviewed by the city,
    published by the province (through the definer function of migration 0013)."""

    __tablename__ = tenant_table("cases")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = required(BigInteger)
    year: int = required(Integer)
    title: str = required(Text)
    category: str = required(Text)
    summary: str = required(Text)
    body: str = required(Text)
    figures: list[dict[str, Any]] = required(JSONB, default_factory=list)
    status: str = required(Text, default="draft")
    review_comment: str | None = optional(Text)
    created_by: str = required(Text)
    reviewed_by: str | None = optional(Text)
    reviewed_at: datetime | None = optional(DateTime(timezone=True))
    published_by: str | None = optional(Text)
    published_at: datetime | None = optional(DateTime(timezone=True))
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class CaseImage(SQLModel, table=True):
    """One image of a case (position 1 to 6), its bytes in the database: JPEG or PNG, at most 5 MB."""

    __tablename__ = tenant_table("case_images")
    __table_args__ = (tenant_fk(["case_id"], "cases", ["id"]),)

    tenant_id: str = tenant_key()
    case_id: int = key_part(BigInteger)
    position: int = key_part(SmallInteger)
    media_type: str = required(Text)
    content: bytes = required(LargeBinary)
    created_at: datetime = timestamp()


class Attestation(SQLModel, table=True):
    """The city's verification (核实) of one claim the street's operator makes (二(一)): its value as decided,
    verified or rejected with a note, and an evidence file (PDF, JPEG or PNG) stored with its SHA-256."""

    __tablename__ = tenant_table("attestations")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    street_id: int = key_part(BigInteger)
    claim: str = key_part(Text)
    value: Any = required(JSONB)
    """The claim's value when it was decided (or last changed): a boolean, or the platform's URL."""
    status: str = required(Text, default="unverified")
    note: str = required(Text, default="")
    evidence: bytes | None = optional(LargeBinary)
    evidence_sha256: str | None = optional(Text)
    evidence_type: str | None = optional(Text)
    verified_by: str | None = optional(Text)
    verified_at: datetime | None = optional(DateTime(timezone=True))
    updated_at: datetime = timestamp()
