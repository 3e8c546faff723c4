"""Verdicts (评价结论): each criterion's result explained in Chinese and English; plain-Python evaluation."""

import operator
import re
from collections.abc import Callable, Mapping
from typing import Literal

import msgspec

from rules.criteria import Criterion, CriterionValue, Level, Op, Origin
from rules.facts import FACTS, STATUS_LABELS, FactSpec, FactValue, StreetFacts, fact_error, fits
from rules.overlay import Ruleset

Result = Literal["pass", "fail", "no_data", "not_applicable"]
Outcome = Literal["pass", "fail", "incomplete"]
FactMapping = dict[str, FactValue | None]


class CriterionResult(msgspec.Struct, frozen=True, kw_only=True):
    """How a street fares on one criterion, and why, in a full sentence in each language."""

    id: str
    title_zh: str
    title_en: str
    result: Result
    actual: FactValue | None
    required: str
    level: Level
    origin: Origin
    source: str
    explanation_zh: str
    explanation_en: str


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    """The assessment of one street under one ruleset version: fail beats incomplete beats pass."""

    outcome: Outcome
    ruleset_hash: str
    criteria: tuple[CriterionResult, ...]


HOLDS: dict[Op, Callable[[FactValue, CriterionValue], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
    "in": lambda actual, allowed: actual in allowed,  # type: ignore[operator]  # `in` values are tuples
}
_SYMBOL: dict[Op, str] = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠", "in": "∈"}
# (pass, fail) relations: how the actual value stands to the required one, {r} being the required value.
_RELATION_ZH: dict[Op, tuple[str, str]] = {
    ">=": ("达到要求的 {r}", "低于要求的 {r}"),
    ">": ("高于要求的 {r}", "未高于要求的 {r}"),
    "<=": ("未超过上限 {r}", "超过上限 {r}"),
    "<": ("低于上限 {r}", "未低于上限 {r}"),
    "==": ("符合要求", "要求为{r}"),
    "!=": ("符合要求（不得为{r}）", "不得为{r}"),
    "in": ("属于要求的范围（{r}）", "不在要求的范围（{r}）内"),
}
_RELATION_EN: dict[Op, tuple[str, str]] = {
    ">=": ("meeting the required {r}", "below the required {r}"),
    ">": ("above the required {r}", "not above the required {r}"),
    "<=": ("within the limit of {r}", "above the limit of {r}"),
    "<": ("below the limit of {r}", "not below the limit of {r}"),
    "==": ("as required", "but {r} is required"),
    "!=": ("as required (not {r})", "but {r} is not allowed"),
    "in": ("one of those required ({r})", "not one of those required ({r})"),
}
_CLAUSE = re.compile(r"\s(?P<clause>[一二三四五六七八九十]+\([一二三四五六七八九十]+\))$")
_THEME_LABELS = {c.value: (c.label_zh, c.label_en) for c in FACTS["street_theme"].choices}
_SEEN_PER_CHECK = 4096  # results kept per criterion for reuse; streets share most values (counts, yes/no)


def _percent(share: float) -> str:
    # Two decimals at most, so that a share just under a threshold does not read as equal to it.
    return f"{share * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _neutral(spec: FactSpec, value: FactValue) -> str:
    """A value as the language-neutral `required` field shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if spec.kind == "share":
        return _percent(value)  # type: ignore[arg-type]  # a share is a number by validation
    return str(value)


def _renderer(spec: FactSpec, zh: bool) -> Callable[[FactValue], str]:
    """How a sentence in one language shows a value of the fact: units, percentages, yes/no, choice labels."""
    match spec.kind:
        case "bool":
            return (lambda v: "是" if v else "否") if zh else (lambda v: "yes" if v else "no")
        case "share":
            return _percent  # type: ignore[return-value]  # a share is a number by validation
        case "float":
            return lambda v: f"{v:.15g}"
        case "int":
            unit = spec.unit_zh if zh else ""
            return lambda v: f"{v}{unit}"
    labels: dict[FactValue, str] = {c.value: c.label_zh if zh else c.label_en for c in spec.choices}
    return lambda v: f"“{labels.get(v, v)}”"


def _sentence_start(spec: FactSpec, zh: bool) -> str:
    """What comes before the street's value: the fact's label, as the start of a sentence."""
    if zh:
        # A number stands apart from the Chinese text around it; quoted text needs no space.
        return {"bool": f"{spec.label_zh}：", "str": f"{spec.label_zh}为", "date": f"{spec.label_zh}为"}.get(
            spec.kind, f"{spec.label_zh}为 "
        )
    label = spec.label_en[:1].upper() + spec.label_en[1:]
    return f"{label}: " if spec.kind == "bool" else f"{label} is "


class Check:
    """One criterion made ready to judge: its comparison and the fixed parts of its sentences."""

    def __init__(self, criterion: Criterion, spec: FactSpec, bit: int) -> None:
        self.criterion = criterion
        self.bit = bit
        self.holds = HOLDS[criterion.op]
        value = criterion.value
        self.required = f"{_SYMBOL[criterion.op]} " + (
            "{" + ", ".join(_neutral(spec, v) for v in value) + "}"
            if isinstance(value, tuple)
            else _neutral(spec, value)
        )
        self.render_zh = _renderer(spec, zh=True)
        self.render_en = _renderer(spec, zh=False)
        self.start_zh = _sentence_start(spec, zh=True)
        self.start_en = _sentence_start(spec, zh=False)
        source = criterion.source
        clause = _CLAUSE.search(source)
        cite_zh = f"（{source}）" if source else ""
        cite_en = f" (clause {clause['clause']})" if clause else f" ({source})" if source else ""
        values = value if isinstance(value, tuple) else (value,)
        required_zh = "、".join(self.render_zh(v) for v in values)
        required_en = ", ".join(self.render_en(v) for v in values)
        pass_zh, fail_zh = (r.format(r=required_zh) for r in _RELATION_ZH[criterion.op])
        pass_en, fail_en = (r.format(r=required_en) for r in _RELATION_EN[criterion.op])
        self.tails = {
            "pass": (f"，{pass_zh}{cite_zh}。", f", {pass_en}{cite_en}."),
            "fail": (f"，{fail_zh}{cite_zh}。", f", {fail_en}{cite_en}."),
        }
        self.no_data = self._result(
            "no_data",
            None,
            f"“{spec.label_zh}”无数据，不视为达标{cite_zh}。",
            f"There is no data on {spec.label_en}, which does not count as a pass{cite_en}.",
        )
        # An operator's claim the city has not verified, or rejected: no data that says why (services/attestations).
        self.unverified = {
            "unverified": self._result(
                "no_data",
                None,
                f"“{spec.label_zh}”为运营机构申报，待核实（市级尚未核实），不视为达标{cite_zh}。",
                f"{spec.label_en[:1].upper() + spec.label_en[1:]} is the operator's claim, awaiting verification by "
                f"the city; it does not count as a pass{cite_en}.",
            ),
            "rejected": self._result(
                "no_data",
                None,
                f"“{spec.label_zh}”的申报已被市级驳回，不视为达标{cite_zh}。",
                f"The city rejected the operator's claim of {spec.label_en}; it does not count as a pass{cite_en}.",
            ),
        }
        self._seen: dict[tuple[FactValue, bool], CriterionResult] = {}
        self.scope = criterion.applies_to.dimensions() if criterion.applies_to is not None else ()
        self._outside: dict[tuple[FactValue | None, ...], CriterionResult] = {}

    def in_scope(self, facts: Mapping[str, FactValue | None]) -> bool:
        """Whether the street is one the criterion applies to (a street without the value is not)."""
        return all(facts.get(name) in values for name, values in self.scope)

    def not_applicable(self, facts: Mapping[str, FactValue | None]) -> CriterionResult:
        """The result for a street outside the criterion's scope, saying whom it applies to and why not here."""
        key = tuple(facts.get(name) for name, _ in self.scope)
        found = self._outside.get(key)
        if found is None:
            wanted = [_scope_wanted(name, values) for name, values in self.scope]
            actual = [
                _scope_actual(name, facts.get(name)) for name, values in self.scope if facts.get(name) not in values
            ]
            found = self._result(
                "not_applicable",
                facts.get(self.criterion.fact),
                f"本条件仅适用于{'、'.join(w[0] for w in wanted)}的街区，{'，'.join(a[0] for a in actual)}，不适用。",
                f"This criterion applies only to streets {' and '.join(w[1] for w in wanted)}; "
                f"{' and '.join(a[1] for a in actual)}, so it does not apply.",
            )
            if len(self._outside) < _SEEN_PER_CHECK:
                self._outside[key] = found
        return found

    def _result(self, result: Result, actual: FactValue | None, zh: str, en: str) -> CriterionResult:
        c = self.criterion
        return CriterionResult(
            id=c.id,
            title_zh=c.title_zh,
            title_en=c.title_en,
            result=result,
            actual=actual,
            required=self.required,
            level=c.level,
            origin=c.origin,
            source=c.source,
            explanation_zh=zh,
            explanation_en=en,
        )

    def judged(self, actual: FactValue | None, failed: bool, unverified: str | None = None) -> CriterionResult:
        """The result for the street's value, given whether the evaluator found the criterion failed, and, for a
        value that is None because the operator's claim is not verified, that claim's status."""
        if actual is None:
            return self.unverified.get(unverified or "", self.no_data)
        # Results are immutable, so one made for a value serves every street with that value. The key
        # holds the evaluator's finding too, so a wrong finding is never hidden behind a cached result.
        key = (actual, failed)
        found = self._seen.get(key)
        if found is None:
            result: Result = "fail" if failed else "pass"
            tail_zh, tail_en = self.tails[result]
            found = self._result(
                result,
                actual,
                self.start_zh + self.render_zh(actual) + tail_zh,
                self.start_en + self.render_en(actual) + tail_en,
            )
            if len(self._seen) < _SEEN_PER_CHECK:
                self._seen[key] = found
        return found


def _label(name: str, code: str) -> tuple[str, str]:
    labels = _THEME_LABELS if name == "street_theme" else STATUS_LABELS if name == "street_status" else {}
    zh, en = labels.get(code, (code, code))
    return (f"“{zh}”", f"“{en}”") if labels else (code, code)


def _either(name: str, values: tuple[str, ...]) -> tuple[str, str]:
    shown = [_label(name, v) for v in values]
    return "或".join(zh for zh, _ in shown), " or ".join(en for _, en in shown)


def _scope_wanted(name: str, values: tuple[str, ...]) -> tuple[str, str]:
    """Whom a scope dimension admits: 主题为“特色产业链” / with the theme “industry chain”."""
    zh, en = _either(name, values)
    if name == "street_theme":
        return f"主题为{zh}", f"with the theme {en}"
    if name == "street_district":
        return f"位于区县 {zh}", f"in the district {en}"
    return f"状态为{zh}", f"with the status {en}"


def _scope_actual(name: str, value: FactValue | None) -> tuple[str, str]:
    """Where the street stands on a scope dimension it misses."""
    if value is None:
        return {
            "street_theme": ("本街区未设主题", "this street has no theme"),
            "street_district": ("本街区未填区县", "this street's district is not recorded"),
        }.get(name, ("本街区无状态", "this street has no status"))
    zh, en = _label(name, str(value))
    if name == "street_theme":
        return f"本街区主题为{zh}", f"this street's theme is {en}"
    if name == "street_district":
        return f"本街区位于 {zh}", f"this street is in the district {en}"
    return f"本街区状态为{zh}", f"this street's status is {en}"


class Plan:
    """A ruleset made ready to judge streets: the checks in order, each with its bit in a failure mask."""

    def __init__(self, ruleset: Ruleset) -> None:
        specs = ruleset.fact_specs()
        self.ruleset = ruleset
        self.checks = tuple(Check(c, specs[c.fact], 1 << k) for k, c in enumerate(ruleset.criteria))
        self.scoped = tuple(check for check in self.checks if check.scope)
        # Each fact a criterion names, with its type test and whether it is a number kept as float.
        self.facts = tuple(
            (name, spec, fits(spec), spec.kind in ("share", "float"))
            for name, spec in {c.fact: specs[c.fact] for c in ruleset.criteria}.items()
        )

    def facts_of(self, street: StreetFacts) -> FactMapping:
        """The street's facts by name, every fact a criterion names checked against its type."""
        mapping = street.as_mapping()
        for name, spec, value_fits, as_float in self.facts:
            value = mapping.get(name)
            if value is None:
                continue
            if not value_fits(value):
                raise fact_error(spec, value)
            if as_float:
                mapping[name] = float(value)  # shares read 1 and 1.0 alike; keep one form in verdicts
        return mapping

    def failures(self, facts: Mapping[str, FactValue | None]) -> int:
        """The failure mask by plain comparison: the reference the rules engine is checked against."""
        failed = 0
        for check in self.checks:
            actual = facts.get(check.criterion.fact)
            if actual is not None and not check.holds(actual, check.criterion.value) and check.in_scope(facts):
                failed |= check.bit
        return failed

    def outside(self, facts: Mapping[str, FactValue | None]) -> int:
        """The mask of the scoped criteria the street is outside of, by plain comparison (the reference)."""
        outside = 0
        for check in self.scoped:
            if not check.in_scope(facts):
                outside |= check.bit
        return outside

    def verdict(
        self,
        facts: Mapping[str, FactValue | None],
        failed: int,
        outside: int = 0,
        unverified: Mapping[str, str] | None = None,
    ) -> Verdict:
        """The verdict from the facts and the failure and not-applicable masks an evaluator produced for them.

        A criterion the street is outside of is "not_applicable": it neither passes nor fails the street. A
        fact named in `unverified` (the street's ``unverified_claims``) is no data that says why.
        """
        pending = unverified or {}
        if outside:
            results = tuple(
                c.not_applicable(facts)
                if outside & c.bit
                else c.judged(facts.get(c.criterion.fact), bool(failed & c.bit), pending.get(c.criterion.fact))
                for c in self.checks
            )
        else:
            results = tuple(
                c.judged(facts.get(c.criterion.fact), bool(failed & c.bit), pending.get(c.criterion.fact))
                for c in self.checks
            )
        required = {r.result for r in results if r.level == "required"}
        outcome: Outcome = "fail" if "fail" in required else "incomplete" if "no_data" in required else "pass"
        return Verdict(outcome=outcome, ruleset_hash=self.ruleset.hash, criteria=results)


_PLANS: dict[str, Plan] = {}


def plan(ruleset: Ruleset) -> Plan:
    """The plan of a ruleset, made once per version (looked up by hash: hashing a whole ruleset is slow)."""
    found = _PLANS.get(ruleset.hash)
    if found is None or (found.ruleset is not ruleset and not _same_judging(found.ruleset, ruleset)):
        found = _PLANS[ruleset.hash] = Plan(ruleset)
    return found


def _same_judging(one: Ruleset, other: Ruleset) -> bool:
    """Whether two rulesets judge alike: the same criteria and fact types, whichever city or year they are of."""
    return one.criteria == other.criteria and one.custom_fields == other.custom_fields


def evaluate_plain(ruleset: Ruleset, street: StreetFacts) -> Verdict:
    """The verdict by plain comparisons, for benchmarks and cross-checks; the product uses the engine."""
    p = plan(ruleset)
    facts = p.facts_of(street)
    return p.verdict(facts, p.failures(facts), p.outside(facts), street.unverified_claims)
