"""The fact vocabulary: every fact a criterion may name, and the facts (事实) of one street."""

import datetime
import math
import re
from collections.abc import Callable, Iterable
from typing import Literal

import msgspec

FactKind = Literal["bool", "int", "share", "float", "str", "date"]
"""How a fact's value is typed: a share is a fraction 0..1; a date is an ISO string "YYYY-MM-DD"."""

FactValue = int | float | bool | str
ClaimStatus = Literal["unverified", "rejected"]
"""Why an operator's claim is not counted: it awaits the city's verification, or the city rejected it."""
CustomFieldType = Literal["integer", "decimal", "boolean", "text", "date", "choice"]

CUSTOM_PREFIX = "custom."
_CUSTOM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_KIND_OF_CUSTOM: dict[CustomFieldType, FactKind] = {
    "integer": "int",
    "decimal": "float",
    "boolean": "bool",
    "text": "str",
    "date": "date",
    "choice": "str",
}


class BilingualError(Exception):
    """An error whose message is given in Chinese first, then English."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


class FactError(BilingualError, ValueError):
    """A street's fact has a value of the wrong type or out of range."""

    def __init__(self, fact: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh, message_en)
        self.fact = fact


class Choice(msgspec.Struct, frozen=True):
    """One allowed value of a text fact, with its labels."""

    value: str
    label_zh: str
    label_en: str


class FactSpec(msgspec.Struct, frozen=True, kw_only=True):
    """What a fact is: its type, labels and unit (English labels start lower-case, as inside a sentence)."""

    name: str
    kind: FactKind
    label_zh: str
    label_en: str
    unit_zh: str = ""
    unit_en: str = ""
    choices: tuple[Choice, ...] = ()


class CustomField(msgspec.Struct, frozen=True, kw_only=True):
    """A city's own data field, addressed in a criterion as the fact `custom.<key>`."""

    key: str
    type: CustomFieldType
    label_zh: str = ""
    label_en: str = ""
    choices: tuple[str, ...] = ()


def _themes() -> tuple[Choice, ...]:
    return (
        Choice("graduates", "高校毕业生青年群体", "graduates"),
        Choice("returnees", "返乡创业人员", "returnees"),
        Choice("veterans", "退役军人", "veterans"),
        Choice("industry_chain", "特色产业链", "industry chain"),
        Choice("culture_tourism", "文旅特色", "culture and tourism"),
        Choice("other", "其他", "other"),
    )


THEMES: tuple[str, ...] = tuple(c.value for c in _themes())
"""The street theme codes (the street schema's `theme`)."""

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "applied": ("已申报", "applied"),
    "recommended": ("已推荐", "recommended"),
    "pilot": ("试点街区", "pilot"),
    "designated": ("省级创业街区", "designated"),
    "rectification": ("整改中", "in rectification"),
    "revoked": ("已撤销", "revoked"),
    "withdrawn": ("已撤回", "withdrawn"),
}
STATUSES: tuple[str, ...] = tuple(STATUS_LABELS)
"""The street status codes (the street schema's `status`), with their labels for verdict sentences."""

FACTS: dict[str, FactSpec] = {
    spec.name: spec
    for spec in (
        FactSpec(
            name="operator_legal_person",
            kind="bool",
            label_zh="运营机构具有独立法人资格",
            label_en="the operator's independent legal-person status",
        ),
        FactSpec(
            name="operator_clean_record",
            kind="bool",
            label_zh="运营机构无违法违规行为和未了结纠纷",
            label_en="the operator's clean record (no violations, no unsettled disputes)",
        ),
        FactSpec(
            name="operator_digital_platform",
            kind="bool",
            label_zh="运营机构具有数字化管理平台",
            label_en="the operator's digital management platform",
        ),
        FactSpec(
            name="center_fixed_site",
            kind="bool",
            label_zh="设有场所固定的创业赋能中心",
            label_en="an entrepreneurship empowerment centre at a fixed site",
        ),
        FactSpec(
            name="center_staff",
            kind="int",
            label_zh="创业赋能中心专兼职工作人员",
            unit_zh=" 名",
            label_en="the number of staff at the centre",
            unit_en="staff",
        ),
        FactSpec(
            name="center_one_stop",
            kind="bool",
            label_zh="提供政策咨询、导师帮扶、培训赋能“一站式”服务",
            label_en="one-stop services (policy consultation, mentoring and training)",
        ),
        FactSpec(
            name="street_theme", kind="str", label_zh="街区特色", label_en="the street's theme", choices=_themes()
        ),
        FactSpec(
            name="internship_positions",
            kind="int",
            label_zh="创业见习岗位",
            unit_zh=" 个",
            label_en="the number of entrepreneurship internship positions",
            unit_en="positions",
        ),
        FactSpec(
            name="entity_count",
            kind="int",
            label_zh="创业实体数量",
            unit_zh=" 家",
            label_en="the number of entrepreneurial entities",
            unit_en="entities",
        ),
        FactSpec(
            name="jobs_driven",
            kind="int",
            label_zh="年度带动就业人数",
            unit_zh=" 人",
            label_en="the number of people employed this year",
            unit_en="people",
        ),
        FactSpec(
            name="activities",
            kind="int",
            label_zh="年度创业指导、沙龙、培训等活动",
            unit_zh=" 次",
            label_en="the number of guidance, salon and training activities this year",
            unit_en="activities",
        ),
        FactSpec(name="activity_rate", kind="share", label_zh="创业活跃度", label_en="the activity rate"),
        FactSpec(name="satisfaction", kind="share", label_zh="满意度", label_en="satisfaction"),
        FactSpec(
            name="satisfaction_responses",
            kind="int",
            label_zh="满意度调查答卷",
            unit_zh=" 份",
            label_en="the number of survey responses",
            unit_en="responses",
        ),
        FactSpec(
            name="entities_classified",
            kind="share",
            label_zh="已分类（品牌/成长型/初创）创业实体占比",
            label_en="the share of entities classified as brand, growth or startup",
        ),
        FactSpec(
            name="ledger_coverage",
            kind="share",
            label_zh="建有帮扶台账的创业实体占比",
            label_en="the share of entities with a support-ledger record",
        ),
        FactSpec(
            name="followup_on_time",
            kind="share",
            label_zh="按时跟踪走访率",
            label_en="the share of follow-up visits made on time",
        ),
        FactSpec(
            name="replicable_practice",
            kind="int",
            label_zh="可复制推广的经验做法",
            unit_zh=" 项",
            label_en="the number of documented replicable practices",
            unit_en="practices",
        ),
        FactSpec(
            name="graduate_share",
            kind="share",
            label_zh="高校毕业生创办的创业实体占比",
            label_en="the share of entities founded by graduates",
        ),
        FactSpec(
            name="returnee_share",
            kind="share",
            label_zh="返乡创业人员创办的创业实体占比",
            label_en="the share of entities founded by returnees",
        ),
        FactSpec(
            name="veteran_share",
            kind="share",
            label_zh="退役军人创办的创业实体占比",
            label_en="the share of entities founded by veterans",
        ),
    )
}


class StreetFacts(msgspec.Struct, kw_only=True):
    """The facts of one street for one year; None means "no data", never zero.

    Whoever computes the facts sets `satisfaction` to None when the survey has fewer responses than the
    tenant's minimum sample (POLICY.md: such a survey is "no data").
    """

    operator_legal_person: bool | None = None
    operator_clean_record: bool | None = None
    operator_digital_platform: bool | None = None
    center_fixed_site: bool | None = None
    center_staff: int | None = None
    center_one_stop: bool | None = None
    street_theme: str | None = None
    internship_positions: int | None = None
    entity_count: int | None = None
    jobs_driven: int | None = None
    activities: int | None = None
    activity_rate: float | None = None
    satisfaction: float | None = None
    satisfaction_responses: int | None = None
    entities_classified: float | None = None
    ledger_coverage: float | None = None
    followup_on_time: float | None = None
    replicable_practice: int | None = None
    graduate_share: float | None = None
    returnee_share: float | None = None
    veteran_share: float | None = None
    street_district: str | None = None
    """The street's 6-digit district code: read by criteria scoped to districts (appliesTo), named by none."""
    street_status: str | None = None
    """The street's status code: read by criteria scoped to statuses (appliesTo), named by none."""
    custom: dict[str, FactValue | None] = msgspec.field(default_factory=dict)
    unverified_claims: dict[str, ClaimStatus] = msgspec.field(default_factory=dict)
    """The facts that are None only because the operator's claim awaits the city's verification (待核实) or the
    city rejected it, with that status: "no data" that says why, never a pass."""

    def as_mapping(self) -> dict[str, FactValue | None]:
        """Every fact by the name a criterion uses, custom fields as `custom.<key>`."""
        mapping: dict[str, FactValue | None] = msgspec.structs.asdict(self)
        del mapping["custom"], mapping["unverified_claims"]
        mapping.update({CUSTOM_PREFIX + key: value for key, value in self.custom.items()})
        return mapping


def custom_fact_spec(field: CustomField) -> FactSpec:
    """The fact `custom.<key>` that a city's custom field defines."""
    if not _CUSTOM_KEY.match(field.key):
        raise FactError(
            CUSTOM_PREFIX + field.key,
            f"自定义字段键名“{field.key}”无效：须为小写字母开头的字母、数字或下划线",
            f"custom field key '{field.key}' is invalid: use lower-case letters, digits and underscores",
        )
    if (field.type == "choice") != bool(field.choices):
        raise FactError(
            CUSTOM_PREFIX + field.key,
            f"自定义字段“{field.key}”：仅选项类型字段须列出选项",
            f"custom field '{field.key}': choices are required for, and only for, the choice type",
        )
    return FactSpec(
        name=CUSTOM_PREFIX + field.key,
        kind=_KIND_OF_CUSTOM[field.type],
        label_zh=field.label_zh or field.key,
        label_en=field.label_en or field.key,
        choices=tuple(Choice(value, value, value) for value in field.choices),
    )


def fact_specs(custom_fields: Iterable[CustomField] = ()) -> dict[str, FactSpec]:
    """The built-in facts and a city's custom facts, by name."""
    specs = dict(FACTS)
    for field in custom_fields:
        spec = custom_fact_spec(field)
        specs[spec.name] = spec
    return specs


def _is_iso_date(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_share(value: object) -> bool:
    return (type(value) is float or type(value) is int) and 0 <= value <= 1


def _is_number(value: object) -> bool:
    # Not NaN or infinity: neither compares meaningfully, and the engine's JSON has no such numbers.
    return (type(value) is float and math.isfinite(value)) or type(value) is int


# Exact type tests, because bool is an int subclass in Python and the rules engine compares true as 1.
_FITS: dict[FactKind, Callable[[object], bool]] = {
    "bool": lambda value: type(value) is bool,
    "int": lambda value: type(value) is int,
    "share": _is_share,
    "float": _is_number,
    "date": _is_iso_date,
    "str": lambda value: type(value) is str,
}


def fits(spec: FactSpec) -> Callable[[object], bool]:
    """The test a (non-None) value of the fact must pass: its declared type, range and choices."""
    if spec.choices:
        allowed = frozenset(c.value for c in spec.choices)
        return lambda value: type(value) is str and value in allowed
    return _FITS[spec.kind]


_KIND_NAMES: dict[FactKind, tuple[str, str]] = {
    "bool": ("布尔值", "a boolean"),
    "int": ("整数", "an integer"),
    "share": ("0 到 1 之间的比例", "a share between 0 and 1"),
    "float": ("数值", "a number"),
    "str": ("文本", "a text"),
    "date": ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
}


def expected_type(spec: FactSpec) -> tuple[str, str]:
    """The type a fact's values must have, in Chinese and English, for error messages."""
    zh, en = _KIND_NAMES[spec.kind]
    if spec.choices:
        allowed = ", ".join(c.value for c in spec.choices)
        return f"{zh}（可选：{allowed}）", f"{en} (one of: {allowed})"
    return zh, en


def fact_error(spec: FactSpec, value: object) -> FactError:
    """The error for a street fact whose value does not fit its declared type."""
    zh, en = expected_type(spec)
    return FactError(
        spec.name,
        f"事实“{spec.name}”的值 {value!r} 无效：应为{zh}",
        f"fact '{spec.name}' has the invalid value {value!r}: expected {en}",
    )
