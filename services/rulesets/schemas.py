"""Criteria, effective rulesets, what-if simulations and province baselines as the API shows and takes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from rules.criteria import AppliesTo as RuleAppliesTo
from rules.criteria import Criterion as RuleCriterion
from rules.grades import Grade
from rules.verdict import Outcome, Result
from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import Code, FreeText, Integer, Name, SegmentName, ShortText, Year

Value = bool | int | float | str | list[int | str]
"""A criterion's value: a list only for the operator `in`."""
ValueIn = (
    bool
    | Integer
    | float
    | ShortText
    | Annotated[list[bool | Integer | float | ShortText], msgspec.Meta(max_length=200)]
)
"""A proposed value: its fit to the fact is judged by the rules model, so a mistake is a 422 naming the criterion."""
Level = Literal["required", "advisory"]
ScopeList = Annotated[list[ShortText], msgspec.Meta(max_length=200)]


class AppliesTo(BaseStruct):
    """适用范围：条件仅适用于所列主题、区县、状态的街区（给出的每一项都须满足）；
    范围外的街区该条件结果为 `not_applicable`（不适用），既不算达标也不算未达标。

    The streets a criterion applies to: `themes` (street theme codes), `districts` (6-digit division
    codes), `statuses` (street status codes); a street must be in every list given. Outside it the
    criterion's result is `not_applicable`, which neither passes nor fails the street.
    """

    themes: list[str] = msgspec.field(default_factory=list)
    districts: list[str] = msgspec.field(default_factory=list)
    statuses: list[str] = msgspec.field(default_factory=list)

    @classmethod
    def of(cls, scope: RuleAppliesTo | None) -> AppliesTo | None:
        if scope is None:
            return None
        return cls(themes=list(scope.themes), districts=list(scope.districts), statuses=list(scope.statuses))


class AppliesToDraft(InputStruct):
    """适用范围（可选）：主题代码、6 位区县代码、街区状态代码，每项如给出须为非空列表。

    The streets the criterion applies to.

    Each list, when given, must be non-empty; codes are checked by the rules model, so a mistake is a 422
    naming the criterion. A city may narrow the scope of its own criteria, never that of a province one.
    """

    themes: ScopeList | None = None
    districts: ScopeList | None = None
    statuses: ScopeList | None = None

    def data(self) -> dict[str, list[str]]:
        """The lists given, as the rules model parses them (an empty one stays, to be refused by name)."""
        lists = {"themes": self.themes, "districts": self.districts, "statuses": self.statuses}
        return {key: values for key, values in lists.items() if values is not None}


class Criterion(BaseStruct):
    """A criterion (评价条件) as it applies: `origin` is "province" or "city"; `op` one of >=, >, <=, <, ==, !=, in."""

    id: str
    title_zh: str
    title_en: str
    fact: str
    op: str
    value: Value
    level: Level
    source: str
    origin: Literal["province", "city"]
    effective_from: int
    effective_to: int | None
    applies_to: AppliesTo | None = None
    """适用范围；null 表示适用于全部街区 / null: every street."""

    @classmethod
    def of(cls, criterion: RuleCriterion) -> Criterion:
        value = criterion.value
        return cls(
            id=criterion.id,
            title_zh=criterion.title_zh,
            title_en=criterion.title_en,
            fact=criterion.fact,
            op=criterion.op,
            value=list(value) if isinstance(value, tuple) else value,
            level=criterion.level,
            source=criterion.source,
            origin=criterion.origin,
            effective_from=criterion.effective_from,
            effective_to=criterion.effective_to,
            applies_to=AppliesTo.of(criterion.applies_to),
        )


class Ruleset(BaseStruct):
    """The effective ruleset of a tenant for a year: the province baseline with the city's overlay."""

    tenant: str
    year: int
    hash: str
    """sha256 of the criteria: the same rules always have the same hash, and assessments store it."""
    criteria: list[Criterion]


class CriterionDraft(InputStruct):
    """A criterion as proposed. `fact` is a built-in fact (POLICY.md) or `custom.<key>` for a custom field.

    `op` and `fact` are checked by the rules model rather than by the schema, so that a mistake is a 422
    naming the criterion. The years default to the year in question (a baseline's or a simulation's).
    """

    id: Code
    title_zh: Name
    title_en: Name
    fact: Code
    op: Code
    value: ValueIn
    level: Level
    source: FreeText = ""
    effective_from: Year | None = None
    effective_to: Year | None = None
    applies_to: AppliesToDraft | None = None
    """适用范围；省略则适用于全部街区 / left out: every street."""


class CityRuleCreate(CriterionDraft, kw_only=True):
    """A criterion the city adds, or a baseline criterion it tightens (same `id`), from `effectiveFrom` on."""

    effective_from: Year


class Simulation(InputStruct):
    """A proposed change of the city's overlay for one year: criteria added or replaced (by id), ids removed."""

    year: Year
    criteria: list[CriterionDraft] = msgspec.field(default_factory=list)
    remove: list[Code] = msgspec.field(default_factory=list)
    """Ids of city criteria the proposal drops (a baseline criterion cannot be dropped)."""


class CriterionChange(BaseStruct):
    """One criterion whose result would change for the street; None where the ruleset lacks the criterion.

    A criterion added and met, or removed where it was met, is no change: it asks, or asked, nothing the
    street does not do.
    """

    id: str
    title_zh: str
    title_en: str
    before: Result | None
    after: Result | None
    actual: bool | int | float | str | None
    required_before: str | None
    required_after: str | None


class StreetChange(BaseStruct):
    """A street whose verdict would change: its outcome now and with the proposal, the criteria that move, and
    its yearly grade (年度等级) now and with the proposal by the year's grading scheme."""

    street_id: int
    street_name: str
    before: Outcome
    after: Outcome
    criteria: list[CriterionChange]
    grade_before: Annotated[Grade | None, msgspec.Meta(description="现行规则下的年度等级 / the grade now")] = None
    grade_after: Annotated[Grade | None, msgspec.Meta(description="调整后的年度等级 / the grade with the change")] = (
        None
    )
    score_before: Annotated[float | None, msgspec.Meta(description="现行规则下的得分 / the score now")] = None
    score_after: Annotated[float | None, msgspec.Meta(description="调整后的得分 / the score with the change")] = None


class SimulationResult(BaseStruct):
    """What the proposal would change: only the streets whose outcome or a criterion's result differs."""

    year: int
    streets: int
    """How many of the city's streets were evaluated."""
    hash_before: str
    hash_after: str
    changes: list[StreetChange]


class BaselineCriterionDraft(CriterionDraft, kw_only=True):
    """A baseline criterion as proposed; `origin` is what GET shows (always "province") and may be sent back."""

    origin: Literal["province"] | None = None


class BaselinePublish(InputStruct):
    """The province baseline for a year; each criterion must cite its source clause.

    What `GET` answered may be sent back unchanged: its read-only fields (`province`, `year`, `baselineYear`,
    `published`, `publishedBy`, `publishedAt`, `hash`) are accepted and ignored, the path names the province
    and the year, and the criteria alone are published.
    """

    criteria: list[BaselineCriterionDraft]
    province: str | None = None
    year: int | None = None
    baseline_year: int | None = None
    published: bool | None = None
    published_by: str | None = None
    published_at: datetime | None = None
    hash: str | None = None


class Baseline(BaseStruct):
    """The province baseline in force in `year`: published by the province for `baselineYear`, or the file's."""

    province: str
    year: int
    baseline_year: int
    published: bool
    """False when the criteria come from the baseline file shipped with the product."""
    published_by: str | None
    published_at: datetime | None
    hash: str
    """sha256 of the criteria (as a ruleset's hash): publishing what GET answered gives the same hash."""
    criteria: list[Criterion]


class CityPreview(BaseStruct):
    """What a proposed baseline would change in one city: its streets judged, how many would stop or start
    passing, and every street whose verdict (outcome) would change, by name."""

    tenant: str
    streets: int
    to_fail: int
    """Streets that pass now and would not (fail, or incomplete) under the proposal."""
    to_pass: int
    """Streets that do not pass now and would under the proposal."""
    grade_changes: Annotated[int, msgspec.Meta(description="年度等级会变化的街区数 / streets whose grade would change")]
    changes: list[StreetChange]


class BaselinePreview(BaseStruct):
    """A proposed province baseline for `year` against the one in force, over every city's streets; nothing is
    stored."""

    province: str
    year: int
    hash_before: str
    hash_after: str
    streets: int
    cities: list[CityPreview]


FactIn = bool | Integer | float | ShortText | None
CaseFacts = Annotated[
    dict[
        Annotated[str, msgspec.Meta(max_length=100)],
        FactIn | Annotated[dict[Annotated[str, msgspec.Meta(max_length=100)], FactIn], msgspec.Meta(max_length=100)],
    ],
    msgspec.Meta(
        max_length=100,
        description="街区事实，键为事实名称（如 center_staff、street_theme、street_district、street_status），"
        "null 表示无数据；本市自定义字段写在 custom 对象中，键为字段键名"
        " / the street's facts by fact name (null: no data); the city's custom fields under `custom`, by key",
    ),
]


class CaseExpectedDraft(InputStruct):
    """测试用例的预期结果：结论，以及结果不是“达标”的条件；未列出的条件须达标。

    What a case expects: the outcome, and each criterion whose result is not "pass" (one not listed must pass).
    Checked against the city's rules of the case's year, so that a mistake is a 422 naming it.
    """

    outcome: Annotated[ShortText, msgspec.Meta(description="预期结论：pass、fail 或 incomplete / the expected outcome")]
    criteria: Annotated[
        dict[Code, ShortText],
        msgspec.Meta(
            max_length=200,
            description="条件编号 → 预期结果（pass、fail、no_data、not_applicable），仅列出非达标者"
            " / criterion id → expected result, for the criteria that do not pass",
        ),
    ] = msgspec.field(default_factory=dict)


class RuleCaseBody(InputStruct):
    """测试用例的内容：运行所用规则的年度、街区事实和预期结果 / a case's year, facts and expected output."""

    year: Annotated[Year, msgspec.Meta(description="用例运行所依据规则的年度 / the year whose rules the case runs on")]
    facts: CaseFacts
    expected: Annotated[CaseExpectedDraft, msgspec.Meta(description="预期结果 / the expected output")]


class RuleCaseCreate(RuleCaseBody, kw_only=True):
    """新增测试用例：名称在本市内唯一 / a new case; its name is unique in the city."""

    name: Annotated[
        SegmentName, msgspec.Meta(description="用例名称，本市内唯一，不含“/” / the case's name, unique in the city")
    ]


class CaseExpected(BaseStruct):
    """测试用例的预期结果 / what a case expects."""

    outcome: Annotated[Outcome, msgspec.Meta(description="预期结论 / the expected outcome")]
    criteria: Annotated[
        dict[str, Result], msgspec.Meta(description="非达标条件的预期结果 / expected results other than pass")
    ]


class RuleCase(BaseStruct):
    """本市存储的规则测试用例（规则测试用例）/ a rule test case the city stores."""

    name: Annotated[str, msgspec.Meta(description="用例名称 / the case's name")]
    year: Annotated[int, msgspec.Meta(description="所依据规则的年度 / the year whose rules it runs on")]
    facts: Annotated[dict[str, Any], msgspec.Meta(description="街区事实 / the street's facts")]
    expected: Annotated[CaseExpected, msgspec.Meta(description="预期结果 / the expected output")]
    created_by: Annotated[str, msgspec.Meta(description="保存人 / who stored it")]
    created_at: Annotated[datetime, msgspec.Meta(description="保存时间（UTC）/ when it was stored (UTC)")]


class CaseDifference(BaseStruct):
    """用例预期与规则引擎结论的一处差异 / where the engine's verdict differs from the case."""

    criterion: Annotated[
        str, msgspec.Meta(description="条件编号；结论不同时为 outcome / the criterion's id, or `outcome`")
    ]
    expected: Annotated[str, msgspec.Meta(description="预期结果 / the expected result")]
    got: Annotated[
        str,
        msgspec.Meta(
            description="实际结果；规则中没有该条件时为 absent / the actual result; `absent`: no such criterion"
        ),
    ]
    message_zh: Annotated[str, msgspec.Meta(description="差异说明（中文）/ the difference, in Chinese")]
    message_en: Annotated[str, msgspec.Meta(description="差异说明（英文）/ the difference, in English")]


class CaseRun(BaseStruct):
    """一个用例的运行结果 / how one case fared."""

    name: Annotated[str, msgspec.Meta(description="用例名称 / the case's name")]
    year: Annotated[int, msgspec.Meta(description="所依据规则的年度 / the year of the rules")]
    passed: Annotated[bool, msgspec.Meta(description="是否通过（无差异）/ whether the verdict matched the case")]
    ruleset_hash: Annotated[str, msgspec.Meta(description="所用规则集的哈希 / the hash of the ruleset used")]
    outcome: Annotated[Outcome, msgspec.Meta(description="规则引擎给出的结论 / the engine's outcome")]
    differences: Annotated[
        list[CaseDifference], msgspec.Meta(description="与预期不同之处；通过时为空 / the differences; none if passed")
    ]


class CaseRunResult(BaseStruct):
    """本市全部测试用例按现行规则（省级基本条件与本市要求）运行的结果 / every stored case run on the city's rules."""

    tenant: Annotated[str, msgspec.Meta(description="城市 / the city")]
    passed: Annotated[int, msgspec.Meta(description="通过的用例数 / cases that passed")]
    failed: Annotated[int, msgspec.Meta(description="未通过的用例数 / cases that failed")]
    cases: Annotated[list[CaseRun], msgspec.Meta(description="各用例的结果 / each case's result")]
