"""An assessment's criteria as its page shows them: the value seen, the requirement and what is missing to pass.

Pure functions of the stored verdict and the criterion it was judged by, so the page's wording is tested
without a database and the template only prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rules.criteria import Criterion, CriterionValue
from rules.facts import FactSpec, FactValue
from rules.overlay import Ruleset
from services.assessments.schemas import CriterionVerdict
from services.text import Text

_SYMBOL = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠", "in": "∈"}
_NO_DATA = Text("无数据", "no data")
_UNVERIFIED = {
    "unverified": Text(
        "待核实：运营机构的申报须经市级管理员核实", "awaiting verification of the operator's claim by the city"
    ),
    "rejected": Text("申报已被市级驳回", "the city rejected the operator's claim"),
}


@dataclass(frozen=True)
class CriterionLine:
    """One row of the criteria table: the verdict, and its values and shortfall in both languages."""

    verdict: CriterionVerdict
    actual: Text
    required: Text
    missing: Text | None
    """What the street lacks to pass; ``None`` when it passes."""


def _trimmed(number: float) -> str:
    """``12.50`` → ``12.5``, ``5.00`` → ``5``, with thousands separators."""
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def shown(value: FactValue | None, spec: FactSpec | None) -> Text:
    """A fact's value as a page shows it: 是/否, a number with separators and its unit, a share in per cent,
    a choice by its label; a date stays ``YYYY-MM-DD`` (facts keep dates in ISO form)."""
    if value is None:
        return _NO_DATA
    if isinstance(value, bool):
        return Text("是", "yes") if value else Text("否", "no")
    kind = spec.kind if spec is not None else None
    if isinstance(value, int | float) and kind == "share":
        return Text(_trimmed(value * 100) + "%", _trimmed(value * 100) + "%")
    if isinstance(value, int) and spec is not None:
        return Text(f"{value:,}{spec.unit_zh}", f"{value:,} {spec.unit_en}".rstrip())
    if isinstance(value, int | float):
        return Text(_trimmed(value), _trimmed(value))
    labels = {c.value: (c.label_zh, c.label_en) for c in spec.choices} if spec is not None else {}
    zh, en = labels.get(value, (value, value))
    return Text(zh, en)


def _values(value: CriterionValue, spec: FactSpec | None) -> Text:
    values = value if isinstance(value, tuple) else (value,)
    parts = [shown(v, spec) for v in values]
    return Text("、".join(p.zh for p in parts), ", ".join(p.en for p in parts))


def required(criterion: Criterion, spec: FactSpec | None) -> Text:
    """The requirement: ``≥ 30 家``, ``≥ 60%``, ``= 是``, ``∈ 文旅特色、其他``."""
    wanted = _values(criterion.value, spec)
    return Text(f"{_SYMBOL[criterion.op]} {wanted.zh}", f"{_SYMBOL[criterion.op]} {wanted.en}")


def missing(
    verdict: CriterionVerdict, criterion: Criterion | None, spec: FactSpec | None, unverified: str | None = None
) -> Text | None:
    """What the street lacks to pass the criterion, or ``None`` when it passes or the criterion does not apply.

    A failing numeric criterion names the gap (``还差 20 家``, ``还差 5 个百分点``, ``需减少 3 人``); a criterion
    without data names the data missing, or the verification an operator's claim awaits (`unverified`: the
    claim's status); any other failure restates what is required.
    """
    if verdict.result in ("pass", "not_applicable"):
        return None
    actual = verdict.actual
    if verdict.result == "no_data" or actual is None:
        return _no_data(spec, unverified)
    if criterion is None:  # the rule is no longer known: its stored requirement is all there is
        return Text(f"须满足 {verdict.required}", f"must be {verdict.required}")
    value, op = criterion.value, criterion.op
    if _number(actual) and _number(value) and op in (">=", ">", "<=", "<"):
        return _gap(op, actual, value, spec)  # type: ignore[arg-type]  # both are numbers, checked above
    return _restated(op, value, spec)


def _no_data(spec: FactSpec | None, unverified: str | None) -> Text:
    """The data a criterion without data lacks, or the verification its operator's claim awaits."""
    if unverified is not None:
        return _UNVERIFIED.get(unverified, _UNVERIFIED["unverified"])
    if spec is None:
        return Text("缺少该项数据", "the data on it is missing")
    return Text(f"缺少“{spec.label_zh}”的数据", f"no data on {spec.label_en}")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _gap(op: str, actual: float, value: float, spec: FactSpec | None) -> Text:
    """How far a number is from its minimum (``>=``, ``>``) or over its maximum (``<=``, ``<``)."""
    short = op in (">=", ">")
    gap = value - actual if short else actual - value
    if spec is not None and spec.kind == "share":
        points = _trimmed(gap * 100)
        more_zh, more_en = ("以上", " or more") if op in (">", "<") else ("", "")
        if short:
            return Text(f"还差 {points} 个百分点{more_zh}", f"{points}{more_en} percentage points short")
        return Text(f"需降低 {points} 个百分点{more_zh}", f"{points}{more_en} percentage points too high")
    if isinstance(gap, int) and op in (">", "<"):
        gap += 1  # strictly above (below) a whole number is one past it
    amount = f"{gap:,}" if isinstance(gap, int) else _trimmed(gap)
    unit_zh = spec.unit_zh if spec is not None else ""
    unit_en = spec.unit_en if spec is not None else ""
    counted = f"{amount} {unit_en}" if unit_en else amount
    if short:
        return Text(f"还差 {amount}{unit_zh}", f"{counted} short")
    return Text(f"需减少 {amount}{unit_zh}", f"{counted} too many")


def _restated(op: str, value: CriterionValue, spec: FactSpec | None) -> Text:
    """What a failed criterion that is not a number's bound asks for."""
    wanted = _values(value, spec)
    if op == "!=":
        return Text(f"不得为 {wanted.zh}", f"must not be {wanted.en}")
    if op == "in":
        return Text(f"须为其中之一：{wanted.zh}", f"must be one of: {wanted.en}")
    if op == "==":
        return Text(f"须为“{wanted.zh}”", f"must be {wanted.en}")
    return Text(f"须 {_SYMBOL[op]} {wanted.zh}", f"must be {_SYMBOL[op]} {wanted.en}")


def criterion_lines(
    verdicts: Sequence[CriterionVerdict], ruleset: Ruleset | None, unverified: Mapping[str, str] | None = None
) -> list[CriterionLine]:
    """The criteria table of an assessment judged by ``ruleset`` (the one it stored), with the facts that were
    no data because an operator's claim was unverified or rejected (the assessment's ``unverified_claims``)."""
    pending = unverified or {}
    criteria = {c.id: c for c in ruleset.criteria} if ruleset is not None else {}
    specs = ruleset.fact_specs() if ruleset is not None else {}
    lines = []
    for verdict in verdicts:
        criterion = criteria.get(verdict.id)
        spec = specs.get(criterion.fact) if criterion is not None else None
        lines.append(
            CriterionLine(
                verdict=verdict,
                actual=shown(verdict.actual, spec),
                required=Text(verdict.required, verdict.required) if criterion is None else required(criterion, spec),
                missing=missing(verdict, criterion, spec, pending.get(criterion.fact) if criterion else None),
            )
        )
    return lines
