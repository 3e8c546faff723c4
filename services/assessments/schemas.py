"""Assessments as the API shows and takes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from rules.facts import ClaimStatus, StreetFacts
from rules.verdict import CriterionResult, Outcome, Result
from services.grades.schemas import GradeField, ScoreField
from services.models import Assessment as AssessmentRow
from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import Year
from services.shared.shapes import shape_of

Kind = Literal["manual", "annual", "rectification", "screening"]
FactValue = bool | int | float | str


class AssessmentCreate(InputStruct):
    year: Year
    """The current year (China time) or an earlier one: a verdict on a year not yet begun judges no data."""


class AssessmentVoid(InputStruct):
    """Why the assessment is voided (e.g. it was made on data entered wrongly)."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500, description="作废原因 / why it is voided")]


class CriterionVerdict(BaseStruct):
    """How the street fared on one criterion, and why, in both languages.

    `result`：pass（达标）、fail（未达标）、no_data（无数据，绝不视为达标）、not_applicable（不适用：街区不在
    该条件的适用范围 appliesTo 内，既不算达标也不算未达标，说明中写明原因）.
    """

    id: str
    title_zh: str
    title_en: str
    result: Result
    actual: FactValue | None
    required: str
    level: Literal["required", "advisory"]
    origin: Literal["province", "city"]
    source: str
    explanation_zh: str
    explanation_en: str

    @classmethod
    def of(cls, result: CriterionResult) -> CriterionVerdict:
        return cls(**msgspec.structs.asdict(result))


class Assessment(BaseStruct):
    """A stored verdict (评估结论) on a street for a year.

    `facts` is keyed by the fact names of POLICY.md and the criteria (`entity_count`, `activity_rate`, …;
    a custom field as `custom.<key>`), not camelCased: these are the names criteria refer to. A share is a
    fraction (0.85 = 85 %); null is "no data".
    """

    id: int
    street_id: int
    street_name: str
    year: int
    ruleset_hash: str
    outcome: Outcome
    kind: Kind
    created_by: str
    created_at: datetime
    facts: dict[str, FactValue | None]
    criteria: list[CriterionVerdict]
    unverified_claims: Annotated[
        dict[str, ClaimStatus],
        msgspec.Meta(
            description="因运营机构申报未经市级核实（unverified，待核实）或被驳回（rejected）而视为无数据的事实，"
            "键为事实名 / the facts that are no data because the operator's claim awaits the city's verification "
            "or was rejected, by fact name"
        ),
    ] = msgspec.field(default_factory=dict)
    voided: bool = False
    """Voided by a city admin (作废): kept for the record, counted nowhere, locking no baseline."""
    voided_reason: str | None = None
    voided_at: datetime | None = None
    voided_by: str | None = None
    score: ScoreField | None = None
    """年度得分（0–100），按当年的等级评定办法计算；无适用办法的年度为 null / the yearly score, null where no
    grading scheme covers the year."""
    grade: GradeField | None = None
    """年度等级 A 优秀、B 良好、C 合格、D 不合格；任一必备条件未达标或无数据时最高为 C / the yearly grade."""
    grade_scheme_hash: Annotated[
        str | None, msgspec.Meta(description="评定所用等级评定办法的哈希 / the hash of the grading scheme used")
    ] = None

    @classmethod
    def of(cls, row: AssessmentRow, street_name: str, facts: StreetFacts, results: list[CriterionResult]) -> Assessment:
        return shape_of(
            cls,
            row,
            street_name=street_name,
            facts=facts.as_mapping(),
            unverified_claims=dict(facts.unverified_claims),
            criteria=[CriterionVerdict.of(r) for r in results],
            voided=row.voided_at is not None,
        )


class Reproduction(Assessment, kw_only=True):
    """An assessment re-evaluated from the facts and criteria it stored, with today's engine.

    `outcome`, `rulesetHash`, `criteria`, `score` and `grade` are the re-evaluation's (the grade by the scheme
    whose hash was stored); `identical` says whether they match what was stored (they do unless the engine's
    or the grading's own behaviour has changed since).
    """

    identical: bool
