"""Grading schemes and a street's grade history as the API shows and takes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from rules.grades import Grade
from rules.grades import GradeScheme as RuleScheme
from rules.verdict import Outcome
from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import FreeText, ShortText

GRADE_DESCRIPTION = "年度等级：A 优秀、B 良好、C 合格、D 不合格 / the yearly grade: A excellent, B good, C pass, D fail"
SCORE_DESCRIPTION = "年度得分（0–100，一位小数）/ the yearly score, 0–100 with one decimal"
GradeField = Annotated[Grade, msgspec.Meta(description=GRADE_DESCRIPTION)]
ScoreField = Annotated[float, msgspec.Meta(ge=0, le=100, description=SCORE_DESCRIPTION)]
Points = Annotated[float, msgspec.Meta(description="分值 / a number of points")]


_PROVINCE = "省份 / the province"
_YEAR = "适用年度 / the year it grades"
_SCHEME_YEAR = "该办法发布时所注年度（沿用至后续年度）/ the year the scheme was published for (it governs on)"
_PUBLISHED = "是否为省厅发布（否则为系统内置办法）/ whether the province published it (else the built-in one)"
_PUBLISHED_BY = "发布人 / who published it"
_PUBLISHED_AT = "发布时间 / when it was published"
_HASH = "办法的哈希（不含年度），评估记录据此复现等级 / the scheme's hash without its year; assessments store it"
_PARTIAL = "部分达标系数（0–1）/ the partial factor, 0–1"
_CAP = "必备条件未达标时的最高等级 / the best grade with a required criterion unmet"
_WEIGHTS = "条件权重 / weights by criterion id"
_DOCUMENT = "办法说明 / what the scheme says of itself"
_PARTIAL_SOURCE = "部分达标系数的依据 / the reasoning for the partial factor"
_THRESHOLDS_SOURCE = "等级分数线的依据 / the reasoning for the thresholds"
_CAP_SOURCE = "必备条件封顶的依据 / the reasoning for the cap"


class Weight(BaseStruct):
    """一项条件在得分中的权重及其依据条款 / a criterion's weight in the score and the clause it reads it from."""

    weight: Annotated[float, msgspec.Meta(description="权重，不小于 0 / the weight, at least 0")]
    source: Annotated[ShortText, msgspec.Meta(description="依据条款 / the source clause")]


class Thresholds(BaseStruct):
    """各等级的最低分，A > B > C，均在 0–100 之间；低于 C 为 D / the least score of A, B and C (descending, 0–100)."""

    A: Annotated[float, msgspec.Meta(description="优秀（A）的最低分 / the least score of A")]
    B: Annotated[float, msgspec.Meta(description="良好（B）的最低分 / the least score of B")]
    C: Annotated[float, msgspec.Meta(description="合格（C）的最低分 / the least score of C")]


class GradeSchemePublish(InputStruct):
    """年度等级评定办法 / the grading scheme of a year.

    Weights are by criterion id (a baseline criterion in force that year); a criterion not listed weighs 0. A
    failed figure with a lower threshold earns value ÷ threshold (at most 1) × `partialFactor` of its weight;
    a criterion that does not apply to a street is left out and the other weights renormalised; a criterion
    without data earns 0. A required criterion failed or without data caps the grade at `requiredCap`.

    What `GET` answered may be sent back unchanged: its read-only fields (`province`, `year`, `schemeYear`,
    `published`, `publishedBy`, `publishedAt`, `hash`) are accepted and ignored.
    """

    partial_factor: Annotated[float, msgspec.Meta(description=_PARTIAL)]
    thresholds: Annotated[Thresholds, msgspec.Meta(description="等级分数线 / the grade thresholds")]
    weights: Annotated[dict[ShortText, Weight], msgspec.Meta(max_length=200, description=_WEIGHTS)]
    required_cap: Annotated[Grade, msgspec.Meta(description=_CAP)] = "C"
    document: Annotated[FreeText, msgspec.Meta(description=_DOCUMENT)] = ""
    partial_source: Annotated[FreeText, msgspec.Meta(description=_PARTIAL_SOURCE)] = ""
    thresholds_source: Annotated[FreeText, msgspec.Meta(description=_THRESHOLDS_SOURCE)] = ""
    required_cap_source: Annotated[FreeText, msgspec.Meta(description=_CAP_SOURCE)] = ""
    province: Annotated[str | None, msgspec.Meta(description=_PROVINCE + "（只读，忽略 / read-only, ignored）")] = None
    year: Annotated[int | None, msgspec.Meta(description=_YEAR + "（只读，忽略 / read-only, ignored）")] = None
    scheme_year: Annotated[int | None, msgspec.Meta(description=_SCHEME_YEAR)] = None
    published: Annotated[bool | None, msgspec.Meta(description=_PUBLISHED)] = None
    published_by: Annotated[str | None, msgspec.Meta(description=_PUBLISHED_BY)] = None
    published_at: Annotated[datetime | None, msgspec.Meta(description=_PUBLISHED_AT)] = None
    hash: Annotated[str | None, msgspec.Meta(description=_HASH)] = None

    def data(self, year: int) -> dict[str, Any]:
        """The scheme as the rules model parses it, for `year` (the path's): the read-only fields are left out."""
        return {
            "year": year,
            "document": self.document,
            "partial_factor": self.partial_factor,
            "partial_source": self.partial_source,
            "thresholds": msgspec.to_builtins(self.thresholds),
            "thresholds_source": self.thresholds_source,
            "required_cap": self.required_cap,
            "required_cap_source": self.required_cap_source,
            "weights": msgspec.to_builtins(self.weights),
        }


class GradeScheme(BaseStruct):
    """The grading scheme in force in `year`: published by the province for `schemeYear`, or the file's."""

    province: Annotated[str, msgspec.Meta(description=_PROVINCE)]
    year: Annotated[int, msgspec.Meta(description=_YEAR)]
    scheme_year: Annotated[int, msgspec.Meta(description=_SCHEME_YEAR)]
    published: Annotated[bool, msgspec.Meta(description=_PUBLISHED)]
    """False when the scheme is the one shipped with the product (rules/grades)."""
    published_by: Annotated[str | None, msgspec.Meta(description=_PUBLISHED_BY)]
    published_at: Annotated[datetime | None, msgspec.Meta(description=_PUBLISHED_AT)]
    hash: Annotated[str, msgspec.Meta(description=_HASH)]
    """sha256 of the scheme without its year; every assessment graded by it stores this hash."""
    partial_factor: Annotated[float, msgspec.Meta(description=_PARTIAL)]
    thresholds: Annotated[Thresholds, msgspec.Meta(description="等级分数线 / the grade thresholds")]
    required_cap: Annotated[Grade, msgspec.Meta(description=_CAP)]
    weights: Annotated[dict[str, Weight], msgspec.Meta(description=_WEIGHTS)]
    document: Annotated[str, msgspec.Meta(description=_DOCUMENT)]
    partial_source: Annotated[str, msgspec.Meta(description=_PARTIAL_SOURCE)]
    thresholds_source: Annotated[str, msgspec.Meta(description=_THRESHOLDS_SOURCE)]
    required_cap_source: Annotated[str, msgspec.Meta(description=_CAP_SOURCE)]

    @classmethod
    def of(
        cls, province: str, year: int, scheme: RuleScheme, published_by: str | None, published_at: datetime | None
    ) -> GradeScheme:
        return cls(
            province=province,
            year=year,
            scheme_year=scheme.year,
            published=published_by is not None,
            published_by=published_by,
            published_at=published_at,
            hash=scheme.hash,
            partial_factor=scheme.partial_factor,
            thresholds=Thresholds(A=scheme.thresholds.A, B=scheme.thresholds.B, C=scheme.thresholds.C),
            required_cap=scheme.required_cap,
            weights={cid: Weight(weight=w.weight, source=w.source) for cid, w in scheme.weights.items()},
            document=scheme.document,
            partial_source=scheme.partial_source,
            thresholds_source=scheme.thresholds_source,
            required_cap_source=scheme.required_cap_source,
        )


class YearGrade(BaseStruct):
    """街区某年度的等级 / the street's grade of one year: from its latest assessment of that year not voided."""

    year: Annotated[int, msgspec.Meta(description="评估年度 / the year assessed")]
    score: ScoreField
    grade: GradeField
    grade_zh: Annotated[str, msgspec.Meta(description="等级的中文名称 / the grade's Chinese name")]
    assessment_id: Annotated[int, msgspec.Meta(description="给出该等级的评估编号 / the assessment that gave it")]
    outcome: Annotated[Outcome, msgspec.Meta(description="该评估的结论 / that assessment's outcome")]
    assessed_at: Annotated[datetime, msgspec.Meta(description="评估时间 / when it was assessed")]
