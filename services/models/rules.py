"""City rule overlays, published province baselines, and assessments with what they saw."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import SQLModel

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


class CityRule(SQLModel, table=True):
    """A criterion a city adds or tightens (地方要求), effective from a year."""

    __tablename__ = tenant_table("city_rules")

    tenant_id: str = tenant_key()
    criterion_id: str = key_part(Text)
    effective_from: int = key_part(Integer)
    effective_to: int | None = optional(Integer)
    criterion: dict[str, Any] = required(JSONB)
    created_by: str = required(Text)
    created_at: datetime = timestamp()


class RuleCase(SQLModel, table=True):
    """A rule test case a city stores (规则测试用例): a street's facts and what its rules for `year` must give them."""

    __tablename__ = tenant_table("rule_cases")

    tenant_id: str = tenant_key()
    name: str = key_part(Text)
    year: int = required(Integer)
    facts: dict[str, Any] = required(JSONB)
    expected: dict[str, Any] = required(JSONB)
    """The output as rules/testcases.py reads it: `outcome`, and `criteria` whose result is not "pass"."""
    created_by: str = required(Text)
    created_at: datetime = timestamp()


class Baseline(SQLModel, table=True):
    """A baseline the province published for a year, replacing the file's from that year on."""

    __tablename__ = tenant_table("baselines")

    tenant_id: str = tenant_key()
    year: int = key_part(Integer)
    criteria: list[dict[str, Any]] = required(JSONB)
    published_by: str = required(Text)
    published_at: datetime = timestamp()


class GradeScheme(SQLModel, table=True):
    """A grading scheme (年度等级评定办法) the province published for a year, replacing the file's from that year on."""

    __tablename__ = tenant_table("grade_schemes")

    tenant_id: str = tenant_key()
    year: int = key_part(Integer)
    scheme: dict[str, Any] = required(JSONB)
    hash: str = required(Text)
    published_by: str = required(Text)
    published_at: datetime = timestamp()


class Assessment(SQLModel, table=True):
    """A street judged for a year (评估): the facts, the ruleset and its hash, and the verdict."""

    __tablename__ = tenant_table("assessments")
    __table_args__ = (tenant_fk(["street_id"], "streets", ["id"]),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    street_id: int = required(BigInteger)
    year: int = required(Integer)
    ruleset_hash: str = required(Text)
    outcome: str = required(Text)
    facts: dict[str, Any] = required(JSONB)
    criteria: list[dict[str, Any]] = required(JSONB)
    """The effective criteria as evaluated, so the verdict can be reproduced after rules change."""
    custom_fields: list[dict[str, Any]] = required(JSONB, default_factory=list)
    """The city's custom fields those criteria name, as evaluated (their types and labels shape the verdict)."""
    results: list[dict[str, Any]] = required(JSONB)
    kind: str = required(Text, default="manual")
    """manual | annual | rectification | screening."""
    idempotency_key: str | None = optional(Text)
    """Set by workflow activities so a retried activity never stores a second assessment."""
    created_by: str = required(Text)
    created_at: datetime = timestamp()
    voided_at: datetime | None = optional(DateTime(timezone=True))
    """Set when a city admin voided it (作废): kept for the record, counted nowhere, locking no baseline."""
    voided_by: str | None = optional(Text)
    voided_reason: str | None = optional(Text)
    score: float | None = optional(Float)
    """The yearly score (0–100) by the grading scheme in force for the year; None where no scheme applied."""
    grade: str | None = optional(Text)
    """The yearly grade (年度等级): A 优秀, B 良好, C 合格, D 不合格."""
    grade_scheme_hash: str | None = optional(Text)
    """The hash of the grading scheme that gave the score, so the grade can be reproduced."""
