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

from services.models.base import serial_key, tenant_fk, tenant_key, tenant_table, timestamp


class Operator(SQLModel, table=True):
    """The street's operating organisation (运营机构) and what it attests (二(一))."""

    __tablename__ = tenant_table("operators")

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    name: str = Field(sa_column=Column(Text, nullable=False))
    uscc: str = Field(sa_column=Column(Text, nullable=False))
    legal_person: bool | None = Field(default=None, sa_column=Column(Boolean))
    clean_record: bool | None = Field(default=None, sa_column=Column(Boolean))
    digital_platform_url: str | None = Field(default=None, sa_column=Column(Text))


class Street(SQLModel, table=True):
    """An entrepreneurship street (创业街区) with its lifecycle status."""

    __tablename__ = tenant_table("streets")
    __table_args__ = (tenant_fk(["operator_id"], "operators", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    name: str = Field(sa_column=Column(Text, nullable=False))
    district: str = Field(sa_column=Column(Text, nullable=False))
    theme: str | None = Field(default=None, sa_column=Column(Text))
    status: str = Field(default="applied", sa_column=Column(Text, nullable=False))
    operator_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    replicable_practices: int | None = Field(default=None, sa_column=Column(Integer))
    custom_fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Center(SQLModel, table=True):
    """The street's entrepreneurship empowerment centre (创业赋能中心), one per street."""

    __tablename__ = tenant_table("centers")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    street_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    fixed_site: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    address: str = Field(default="", sa_column=Column(Text, nullable=False))
    services: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))


class CenterStaff(SQLModel, table=True):
    """A member of the centre's staff, full- or part-time (专兼职工作人员)."""

    __tablename__ = tenant_table("center_staff")
    __table_args__ = (tenant_fk(["street_id"], "centers", ["street_id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    name: str = Field(sa_column=Column(Text, nullable=False))
    role: str = Field(sa_column=Column(Text, nullable=False))
    full_time: bool = Field(sa_column=Column(Boolean, nullable=False))


class Entity(SQLModel, table=True):
    """An entrepreneurial entity (创业实体) registered in a street."""

    __tablename__ = tenant_table("entities")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    name: str = Field(sa_column=Column(Text, nullable=False))
    uscc: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    entity_class: str | None = Field(default=None, sa_column=Column("class", Text))
    founder_group: str | None = Field(default=None, sa_column=Column(Text))
    founded_on: date | None = Field(default=None, sa_column=Column(Date))
    employees: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    operating: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    joined_on: date | None = Field(default=None, sa_column=Column(Date))
    left_on: date | None = Field(default=None, sa_column=Column(Date))


class InternshipPosition(SQLModel, table=True):
    """An entrepreneurship internship position (创业见习岗位) open in the street."""

    __tablename__ = tenant_table("internship_positions")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    entity_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    title: str = Field(sa_column=Column(Text, nullable=False))
    opened_on: date = Field(sa_column=Column(Date, nullable=False))
    closed_on: date | None = Field(default=None, sa_column=Column(Date))


class Activity(SQLModel, table=True):
    """An activity held for the entities: guidance, salon, training (创业赋能活动)."""

    __tablename__ = tenant_table("activities")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    title: str = Field(sa_column=Column(Text, nullable=False))
    held_on: date = Field(sa_column=Column(Date, nullable=False))
    participants: int = Field(default=0, sa_column=Column(Integer, nullable=False))


class MonthlyReport(SQLModel, table=True):
    """The operator's monthly report (月报): jobs driven and internship positions that month."""

    __tablename__ = tenant_table("monthly_reports")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    street_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    month: date = Field(sa_column=Column(Date, primary_key=True))
    """The first day of the month reported on."""
    jobs_driven: int = Field(sa_column=Column(Integer, nullable=False))
    internship_positions: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    interns_graduates: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    """People the month's internship positions took on (招用) who are college graduates (高校毕业生)."""
    interns_other_youth: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    """People taken on who are other young people (其他青年)."""
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    submitted_by: str = Field(sa_column=Column(Text, nullable=False))
    submitted_at: datetime = timestamp()


class SurveyResponse(SQLModel, table=True):
    """One answer to the satisfaction survey (满意度调查), rated 1–5; 4 and 5 count as satisfied."""

    __tablename__ = tenant_table("survey_responses")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    responded_on: date = Field(sa_column=Column(Date, nullable=False))
    rating: int = Field(sa_column=Column(SmallInteger, nullable=False))


class LedgerEntry(SQLModel, table=True):
    """A support-ledger record (帮扶台账) of one entity's need and the action taken."""

    __tablename__ = tenant_table("ledger_entries")
    __table_args__ = (tenant_fk(["entity_id"], "entities", ["id"]), tenant_fk(["street_id"], "streets", ["id"]))

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    entity_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    need: str = Field(sa_column=Column(Text, nullable=False))
    action: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(default="open", sa_column=Column(Text, nullable=False))
    caseworker: str | None = Field(default=None, sa_column=Column(Text))
    opened_on: date = Field(sa_column=Column(Date, nullable=False))
    updated_at: datetime = timestamp()


class LedgerVisit(SQLModel, table=True):
    """A follow-up visit (跟踪走访) recorded on a ledger entry."""

    __tablename__ = tenant_table("ledger_visits")
    __table_args__ = (tenant_fk(["entry_id"], "ledger_entries", ["id"]), tenant_fk(["entity_id"], "entities", ["id"]))

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    entry_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    entity_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    street_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    visited_on: date = Field(sa_column=Column(Date, nullable=False))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    caseworker: str = Field(sa_column=Column(Text, nullable=False))
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
    entry_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    entity_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    street_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    achieved_on: date = Field(sa_column=Column(Date, nullable=False))
    amount_wan: int | None = Field(default=None, sa_column=Column(BigInteger))
    amount_yuan: int | None = Field(default=None, sa_column=Column(BigInteger))
    lender: str | None = Field(default=None, sa_column=Column(Text))
    months: int | None = Field(default=None, sa_column=Column(Integer))
    persons: int | None = Field(default=None, sa_column=Column(Integer))
    graduates: int | None = Field(default=None, sa_column=Column(Integer))
    other_youth: int | None = Field(default=None, sa_column=Column(Integer))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    recorded_by: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = timestamp()


class CustomField(SQLModel, table=True):
    """A typed field a city defines for its streets (自定义字段); rules may read it as ``custom.<key>``."""

    __tablename__ = tenant_table("custom_fields")

    tenant_id: str = tenant_key()
    key: str = Field(sa_column=Column(Text, primary_key=True))
    label_zh: str = Field(sa_column=Column(Text, nullable=False))
    label_en: str = Field(sa_column=Column(Text, nullable=False))
    type: str = Field(sa_column=Column(Text, nullable=False))
    choices: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    created_at: datetime = timestamp()


class CenterService(SQLModel, table=True):
    """A service the street's empowerment centre gave (三(三) 服务工作量): the basis of the subsidy for
    public employment services by their workload."""

    __tablename__ = tenant_table("center_services")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    served_on: date = Field(sa_column=Column(Date, nullable=False))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    people: int = Field(sa_column=Column(Integer, nullable=False))
    staff: str = Field(sa_column=Column(Text, nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = timestamp()


class Case(SQLModel, table=True):
    """A typical case (典型案例, 二(五) 可复制、可推广的经验做法): drafted for a street, reviewed by the city,
    published by the province (through the definer function of migration 0013)."""

    __tablename__ = tenant_table("cases")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    year: int = Field(sa_column=Column(Integer, nullable=False))
    title: str = Field(sa_column=Column(Text, nullable=False))
    category: str = Field(sa_column=Column(Text, nullable=False))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    figures: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    status: str = Field(default="draft", sa_column=Column(Text, nullable=False))
    review_comment: str | None = Field(default=None, sa_column=Column(Text))
    created_by: str = Field(sa_column=Column(Text, nullable=False))
    reviewed_by: str | None = Field(default=None, sa_column=Column(Text))
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    published_by: str | None = Field(default=None, sa_column=Column(Text))
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class CaseImage(SQLModel, table=True):
    """One image of a case (position 1 to 6), its bytes in the database: JPEG or PNG, at most 5 MB."""

    __tablename__ = tenant_table("case_images")
    __table_args__ = (tenant_fk(["case_id"], "cases", ["id"]),)

    tenant_id: str = tenant_key()
    case_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    position: int = Field(sa_column=Column(SmallInteger, primary_key=True))
    media_type: str = Field(sa_column=Column(Text, nullable=False))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = timestamp()


class Attestation(SQLModel, table=True):
    """The city's verification (核实) of one claim the street's operator makes (二(一)): its value as decided,
    verified or rejected with a note, and an evidence file (PDF, JPEG or PNG) stored with its SHA-256."""

    __tablename__ = tenant_table("attestations")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    street_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    claim: str = Field(sa_column=Column(Text, primary_key=True))
    value: Any = Field(sa_column=Column(JSONB, nullable=False))
    """The claim's value when it was decided (or last changed): a boolean, or the platform's URL."""
    status: str = Field(default="unverified", sa_column=Column(Text, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    evidence: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    evidence_sha256: str | None = Field(default=None, sa_column=Column(Text))
    evidence_type: str | None = Field(default=None, sa_column=Column(Text))
    verified_by: str | None = Field(default=None, sa_column=Column(Text))
    verified_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    updated_at: datetime = timestamp()
