"""Criteria (评价条件) as data: the Criterion struct and its validated loading from YAML or dicts."""

import re
from collections.abc import Iterable, Mapping
from typing import Literal

import msgspec
import yaml

from rules.facts import FACTS, STATUSES, THEMES, BilingualError, FactKind, FactSpec, expected_type, fits

Op = Literal[">=", ">", "<=", "<", "==", "!=", "in"]
Level = Literal["required", "advisory"]
Origin = Literal["province", "city"]
CriterionValue = bool | int | float | str | tuple[int | str, ...]

OPS: tuple[Op, ...] = (">=", ">", "<=", "<", "==", "!=", "in")
_OPS_BY_KIND: dict[FactKind, tuple[Op, ...]] = {
    "bool": ("==", "!="),
    "int": OPS,
    # Equality lists of fractions would hinge on float rounding: shares and decimals take comparisons only.
    "share": (">=", ">", "<=", "<", "==", "!="),
    "float": (">=", ">", "<=", "<", "==", "!="),
    "str": ("==", "!=", "in"),
    "date": (">=", ">", "<=", "<", "==", "!="),
}
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_DISTRICT = re.compile(r"^[0-9]{6}$")


class RuleError(BilingualError, ValueError):
    """A criterion, or a set of them, breaks a rule of the criteria model; names the criterion."""

    def __init__(self, criterion_id: str | None, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh, message_en)
        self.criterion_id = criterion_id


class AppliesTo(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """The streets a criterion applies to: each list given narrows it (a street must be in every one given).

    Themes and statuses are the street codes; districts are 6-digit division codes (GB/T 2260).
    """

    themes: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def dimensions(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The lists given, by the StreetFacts field they test: (fact name, allowed values)."""
        named = (("street_theme", self.themes), ("street_district", self.districts), ("street_status", self.statuses))
        return tuple((name, values) for name, values in named if values)

    def covers(self, other: "AppliesTo | None") -> bool:
        """Whether every street `other` applies to is one this scope applies to too."""
        if other is None:
            return not self.dimensions()
        mine, theirs = dict(self.dimensions()), dict(other.dimensions())
        return all(name in theirs and set(theirs[name]) <= set(values) for name, values in mine.items())


class Criterion(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One condition a street must meet: `fact op value`, cited to its source clause."""

    id: str
    title_zh: str
    title_en: str
    fact: str
    op: Op
    value: CriterionValue
    level: Level
    source: str = ""
    effective_from: int
    effective_to: int | None = None
    origin: Origin = "city"
    applies_to: AppliesTo | None = msgspec.field(default=None, name="appliesTo")
    """None: every street. Left out of the content hash when None, so unscoped rulesets keep their hash."""

    def in_effect(self, year: int) -> bool:
        """Whether the criterion applies to assessments of that year."""
        return self.effective_from <= year and (self.effective_to is None or year <= self.effective_to)


def _error(criterion_id: str, zh: str, en: str) -> RuleError:
    return RuleError(criterion_id, f"条件 {criterion_id}：{zh}", f"criterion {criterion_id}: {en}")


def _checked_value(criterion: Criterion, spec: FactSpec) -> CriterionValue:
    """The criterion's value if it fits the fact, normalised so that equal rules encode (and hash) equally."""
    cid, value = criterion.id, criterion.value
    zh_type, en_type = expected_type(spec)
    value_fits = fits(spec)
    if criterion.op == "in":
        if not isinstance(value, tuple) or not value:
            raise _error(cid, "运算符 in 需要一个非空列表", "the operator 'in' needs a non-empty list")
        for item in value:
            if not value_fits(item):
                raise _error(
                    cid,
                    f"列表中的值 {item!r} 不符合事实“{spec.name}”，应为{zh_type}",
                    f"the list value {item!r} does not fit the fact '{spec.name}', expected {en_type}",
                )
        return tuple(dict.fromkeys(value))  # a set of allowed values, kept in the author's order
    if isinstance(value, tuple) or not value_fits(value):
        raise _error(
            cid,
            f"值 {value!r} 不符合事实“{spec.name}”，应为{zh_type}",
            f"the value {value!r} does not fit the fact '{spec.name}', expected {en_type}",
        )
    if spec.kind in ("share", "float"):
        return float(value)
    return value


_SCOPE_CODES: dict[str, tuple[frozenset[str] | None, str, str]] = {
    "themes": (frozenset(THEMES), "街区主题", "street theme"),
    "districts": (None, "区县代码（6 位数字）", "district code (6 digits)"),
    "statuses": (frozenset(STATUSES), "街区状态", "street status"),
}


def _checked_scope(cid: str, scope: AppliesTo) -> AppliesTo:
    """The scope if every list is non-empty and every code known, each list without repeats."""
    lists = {"themes": scope.themes, "districts": scope.districts, "statuses": scope.statuses}
    if not any(lists.values()):
        raise _error(
            cid,
            "适用范围（appliesTo）须至少列出一项主题、区县或状态",
            "appliesTo must list at least one theme, district or status",
        )
    for key, values in lists.items():
        known, zh, en = _SCOPE_CODES[key]
        for value in values:
            if (known is None and not _DISTRICT.match(value)) or (known is not None and value not in known):
                allowed_zh = f"（可选：{'、'.join(sorted(known))}）" if known else ""
                allowed_en = f" (one of: {', '.join(sorted(known))})" if known else ""
                raise _error(
                    cid,
                    f"适用范围 appliesTo.{key} 中的“{value}”不是有效的{zh}{allowed_zh}",
                    f"'{value}' in appliesTo.{key} is not a valid {en}{allowed_en}",
                )
    return AppliesTo(**{key: tuple(dict.fromkeys(values)) for key, values in lists.items()})


def _empty_scope_list(raw: object) -> str | None:
    """The name of a scope list given empty in a raw criterion (msgspec cannot tell [] from absent)."""
    if not isinstance(raw, dict):
        return None
    scope = raw.get("appliesTo", raw.get("applies_to"))
    if not isinstance(scope, dict):
        return None
    return next((key for key, values in scope.items() if isinstance(values, list) and not values), None)


def validate_criterion(criterion: Criterion, facts: Mapping[str, FactSpec]) -> Criterion:
    """Check a criterion against the facts it may name; returns it with its value normalised."""
    cid = criterion.id
    if not _ID.match(cid):
        raise RuleError(
            cid,
            f"条件编号“{cid}”无效：须为小写字母开头的字母、数字或下划线",
            f"criterion id '{cid}' is invalid: use lower-case letters, digits and underscores",
        )
    if not criterion.title_zh.strip() or not criterion.title_en.strip():
        raise _error(cid, "须有中英文标题", "both the Chinese and the English title are required")
    start, end = criterion.effective_from, criterion.effective_to
    if end is not None and end < start:
        raise _error(cid, f"失效年份 {end} 早于生效年份 {start}", f"effective_to {end} precedes effective_from {start}")
    spec = facts.get(criterion.fact)
    if spec is None:
        raise _error(cid, f"未知的事实“{criterion.fact}”", f"unknown fact '{criterion.fact}'")
    if criterion.op not in _OPS_BY_KIND[spec.kind]:
        zh_type, en_type = expected_type(spec)
        raise _error(
            cid,
            f"运算符“{criterion.op}”不适用于事实“{spec.name}”（{zh_type}）",
            f"the operator '{criterion.op}' does not apply to the fact '{spec.name}' ({en_type})",
        )
    scope = None if criterion.applies_to is None else _checked_scope(cid, criterion.applies_to)
    return msgspec.structs.replace(criterion, value=_checked_value(criterion, spec), applies_to=scope)


def parse_criterion(item: object, facts: Mapping[str, FactSpec]) -> Criterion:
    """A criterion from a plain mapping (YAML, JSON), validated; errors name the criterion."""
    raw_id = str(item.get("id", "?")) if isinstance(item, dict) else "?"
    if isinstance(item, dict) and "op" in item and item["op"] not in OPS:
        raise _error(
            raw_id,
            f"未知的运算符“{item['op']}”（可用：{' '.join(OPS)}）",
            f"unknown operator '{item['op']}' (allowed: {' '.join(OPS)})",
        )
    empty = _empty_scope_list(item)
    if empty is not None:
        raise _error(raw_id, f"适用范围 appliesTo.{empty} 不得为空列表", f"appliesTo.{empty} may not be an empty list")
    try:
        criterion = msgspec.convert(item, Criterion)
    except msgspec.ValidationError as exc:
        raise _error(raw_id, f"格式无效：{exc}", f"malformed: {exc}") from exc
    return validate_criterion(criterion, facts)


def parse_criteria(items: Iterable[object], facts: Mapping[str, FactSpec] = FACTS) -> tuple[Criterion, ...]:
    """Validated criteria from plain mappings; ids must be unique."""
    criteria = tuple(parse_criterion(item, facts) for item in items)
    check_unique(criteria)
    return criteria


def check_unique(criteria: Iterable[Criterion]) -> None:
    """Refuse two criteria with the same id."""
    seen: set[str] = set()
    for criterion in criteria:
        if criterion.id in seen:
            cid = criterion.id
            raise RuleError(cid, f"条件编号 {cid} 重复", f"duplicate criterion id {cid}")
        seen.add(criterion.id)


def load_yaml(text: str) -> object:
    """A YAML document as plain data; a syntax error becomes a RuleError."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleError(None, f"YAML 格式错误：{exc}", f"invalid YAML: {exc}") from exc
