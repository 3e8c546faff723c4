"""City rule overlays, published province baselines, and assessments with what they saw."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Float, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.models.base import serial_key, tenant_fk, tenant_key, tenant_table, timestamp


class CityRule(SQLModel, table=True):
    """A criterion a city adds or tightens (地方要求), effective from a year."""

    __tablename__ = tenant_table("city_rules")

    tenant_id: str = tenant_key()
    criterion_id: str = Field(sa_column=Column(Text, primary_key=True))
    effective_from: int = Field(sa_column=Column(Integer, primary_key=True))
    effective_to: int | None = Field(default=None, sa_column=Column(Integer))
    criterion: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_by: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = timestamp()


class RuleCase(SQLModel, table=True):
    """A rule test case a city stores (规则测试用例): a street's facts and what its rules for `year` must give them."""

    __tablename__ = tenant_table("rule_cases")

    tenant_id: str = tenant_key()
    name: str = Field(sa_column=Column(Text, primary_key=True))
    year: int = Field(sa_column=Column(Integer, nullable=False))
    facts: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    expected: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    """The output as rules/testcases.py reads it: `outcome`, and `criteria` whose result is not "pass"."""
    created_by: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = timestamp()


class Baseline(SQLModel, table=True):
    """A baseline the province published for a year, replacing the file's from that year on."""

    __tablename__ = tenant_table("baselines")

    tenant_id: str = tenant_key()
    year: int = Field(sa_column=Column(Integer, primary_key=True))
    criteria: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    published_by: str = Field(sa_column=Column(Text, nullable=False))
    published_at: datetime = timestamp()


class GradeScheme(SQLModel, table=True):
    """A grading scheme (年度等级评定办法) the province published for a year, replacing the file's from that year on."""

    __tablename__ = tenant_table("grade_schemes")

    tenant_id: str = tenant_key()
    year: int = Field(sa_column=Column(Integer, primary_key=True))
    scheme: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    hash: str = Field(sa_column=Column(Text, nullable=False))
    published_by: str = Field(sa_column=Column(Text, nullable=False))
    published_at: datetime = timestamp()


class Assessment(SQLModel, table=True):
    """A street judged for a year (评估): the facts, the ruleset and its hash, and the verdict."""

    __tablename__ = tenant_table("assessments")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    year: int = Field(sa_column=Column(Integer, nullable=False))
    ruleset_hash: str = Field(sa_column=Column(Text, nullable=False))
    outcome: str = Field(sa_column=Column(Text, nullable=False))
    facts: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    criteria: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    """The effective criteria as evaluated, so the verdict can be reproduced after rules change."""
    custom_fields: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    """The city's custom fields those criteria name, as evaluated (their types and labels shape the verdict)."""
    results: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    kind: str = Field(default="manual", sa_column=Column(Text, nullable=False))
    """manual | annual | rectification | screening."""
    idempotency_key: str | None = Field(default=None, sa_column=Column(Text))
    """Set by workflow activities so a retried activity never stores a second assessment."""
    created_by: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = timestamp()
    voided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    """Set when a city admin voided it (作废): kept for the record, counted nowhere, locking no baseline."""
    voided_by: str | None = Field(default=None, sa_column=Column(Text))
    voided_reason: str | None = Field(default=None, sa_column=Column(Text))
    score: float | None = Field(default=None, sa_column=Column(Float))
    """The yearly score (0–100) by the grading scheme in force for the year; None where no scheme applied."""
    grade: str | None = Field(default=None, sa_column=Column(Text))
    """The yearly grade (年度等级): A 优秀, B 良好, C 合格, D 不合格."""
    grade_scheme_hash: str | None = Field(default=None, sa_column=Column(Text))
    """The hash of the grading scheme that gave the score, so the grade can be reproduced."""
