"""Yearly grades (年度等级): a verdict scored 0–100 and graded 优秀 A / 良好 B / 合格 C / 不合格 D by a scheme.

A grading scheme is data the province publishes per year (weights per criterion, the share of a partly met
figure, the grade thresholds, the cap when a required criterion is not met); `2024.yaml` beside this module
is the default from 2024 on and explains each choice. Scoring is pure: a verdict and the ruleset it came
from in, a score and a grade out.
"""

import functools
import hashlib
import itertools
from collections.abc import Collection, Iterable
from typing import Final, Literal

import msgspec

from rules import yearly
from rules.criteria import load_yaml
from rules.facts import BilingualError
from rules.overlay import Ruleset
from rules.verdict import Verdict

Grade = Literal["A", "B", "C", "D"]
GRADES: Final[tuple[Grade, ...]] = ("A", "B", "C", "D")
_PARTLY_MET_OPS: Final = (">=", ">")
"""Lower thresholds: a figure under one is partly met. An upper limit exceeded, a yes/no or a choice is not."""
_NUMERIC_KINDS: Final = ("int", "share", "float")
_CAPPING_RESULTS: Final = ("fail", "no_data")
"""A required criterion with one of these results caps the grade: "no data" is never a pass (POLICY.md)."""


class GradeSchemeError(BilingualError, ValueError):
    """A grading scheme breaks a rule of the model; `field` names the part at fault (e.g. `weights.x`)."""

    def __init__(self, field: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh, message_en)
        self.field = field


class Weight(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A criterion's weight in the score, with the clause it reads the weight from."""

    weight: float
    source: str


class Thresholds(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The least score of each grade above D (A > B > C, within 0–100)."""

    A: float
    B: float
    C: float


class GradeScheme(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, dict=True):
    """How a year's verdicts are scored and graded (年度等级评定办法); it stays in force until a later one."""

    year: int
    document: str = ""
    partial_factor: float
    """The share of a partly met figure's proportional credit (value ÷ threshold, capped at 1)."""
    partial_source: str = ""
    thresholds: Thresholds
    thresholds_source: str = ""
    required_cap: Grade = "C"
    """The best grade a street may have with a required criterion failed or without data."""
    required_cap_source: str = ""
    weights: dict[str, Weight]
    """By criterion id; a criterion not listed (a city's own) weighs 0."""

    @functools.cached_property
    def hash(self) -> str:
        """sha256 of the canonical JSON of the scheme without its year: the same scheme always hashes the same."""
        data = msgspec.to_builtins(self)
        data.pop("year")
        data["weights"] = dict(sorted(data["weights"].items()))
        return hashlib.sha256(msgspec.json.encode(data)).hexdigest()


class Graded(msgspec.Struct, frozen=True, kw_only=True):
    """A verdict's score (0–100, one decimal) and grade, and the hash of the scheme that gave them."""

    score: float
    grade: Grade
    scheme_hash: str
    capped: bool
    """Whether a required criterion not met lowered the grade to the scheme's cap."""


def _error(field: str, zh: str, en: str) -> GradeSchemeError:
    return GradeSchemeError(field, f"评定办法 {field}：{zh}", f"grading scheme {field}: {en}")


def scheme_from_data(data: object, known_ids: Collection[str] | None = None) -> GradeScheme:
    """A grading scheme from plain data (YAML, JSON, stored), validated; `known_ids` are the criteria it may weigh.

    Weights ≥ 0 with at least one above 0, each citing its clause; thresholds A > B > C within 0–100; a partial
    factor within 0–1. Every error names the part at fault.
    """
    try:
        scheme = msgspec.convert(data, GradeScheme)
    except msgspec.ValidationError as exc:
        raise GradeSchemeError("scheme", f"评定办法格式无效：{exc}", f"malformed grading scheme: {exc}") from exc
    for cid, weight in scheme.weights.items():
        field = f"weights.{cid}"
        if known_ids is not None and cid not in known_ids:
            raise _error(field, f"未知的条件编号“{cid}”", f"unknown criterion id '{cid}'")
        if not weight.weight >= 0:  # also refuses NaN
            raise _error(field, f"权重须不小于 0，现为 {weight.weight}", f"a weight must be ≥ 0, not {weight.weight}")
        if not weight.source.strip():
            raise _error(field, "须注明权重依据的条款", "a weight must cite its source clause")
    if not any(w.weight > 0 for w in scheme.weights.values()):
        raise _error("weights", "至少一项条件的权重须大于 0", "at least one criterion needs a weight above 0")
    if not 0 <= scheme.partial_factor <= 1:
        raise _error(
            "partialFactor",
            f"部分达标系数须在 0 到 1 之间，现为 {scheme.partial_factor}",
            f"the partial factor must be within 0–1, not {scheme.partial_factor}",
        )
    bounds = [(grade, getattr(scheme.thresholds, grade)) for grade in GRADES[:-1]]
    for grade, bound in bounds:
        if not 0 <= bound <= 100:
            raise _error(
                f"thresholds.{grade}",
                f"等级 {grade} 的分数线须在 0 到 100 之间，现为 {bound}",
                f"the threshold of grade {grade} must be within 0–100, not {bound}",
            )
    for (upper, high), (lower, low) in itertools.pairwise(bounds):
        if not high > low:
            raise _error(
                f"thresholds.{lower}",
                f"分数线须逐级递减：{upper} 为 {high}，{lower} 为 {low}",
                f"thresholds must descend: {upper} is {high}, {lower} is {low}",
            )
    return scheme


def parse_scheme(text: str, known_ids: Collection[str] | None = None) -> GradeScheme:
    """A grading scheme from its YAML text; see scheme_from_data."""
    return scheme_from_data(load_yaml(text), known_ids)


@functools.cache
def packaged_schemes() -> tuple[GradeScheme, ...]:
    """The schemes shipped in this package, one file per year (`<year>.yaml`), oldest first."""
    return yearly.packaged(__name__, parse_scheme, functools.partial(GradeSchemeError, "year"))


def scheme_in_force(year: int, published: Iterable[GradeScheme] = ()) -> GradeScheme | None:
    """The scheme grading `year`: the newest published or shipped for that year or before (published first)."""
    return yearly.in_force(year, packaged_schemes(), published)


def grade_of(score: float, scheme: GradeScheme) -> Grade:
    """The grade a score reaches by the scheme's thresholds alone."""
    thresholds = scheme.thresholds
    return "A" if score >= thresholds.A else "B" if score >= thresholds.B else "C" if score >= thresholds.C else "D"


class Grader:
    """A scheme made ready to grade the verdicts of one ruleset: each criterion's weight and partial threshold."""

    def __init__(self, scheme: GradeScheme, ruleset: Ruleset) -> None:
        specs = ruleset.fact_specs()
        self.scheme = scheme
        self.scheme_hash = scheme.hash
        self.cap = GRADES.index(scheme.required_cap)
        items = []
        for criterion in ruleset.criteria:
            weight = scheme.weights.get(criterion.id)
            value = criterion.value
            partial = (
                float(value)
                if criterion.op in _PARTLY_MET_OPS
                and specs[criterion.fact].kind in _NUMERIC_KINDS
                and isinstance(value, int | float)
                and not isinstance(value, bool)
                and value > 0
                else None
            )
            items.append((criterion.id, weight.weight if weight else 0.0, partial, criterion.level == "required"))
        self.items = tuple(items)

    def grade(self, verdict: Verdict) -> Graded:
        """The verdict's score and grade; the verdict must come from this grader's ruleset."""
        earned = total = 0.0
        capped = False
        factor = self.scheme.partial_factor
        for (cid, weight, partial, required), result in zip(self.items, verdict.criteria, strict=True):
            if result.id != cid:
                raise ValueError(f"the verdict's criterion {result.id} is not the ruleset's {cid}")
            outcome = result.result
            if outcome == "not_applicable":
                continue
            total += weight
            if outcome == "pass":
                earned += weight
            elif outcome == "fail" and partial is not None:
                actual = result.actual
                if isinstance(actual, int | float) and not isinstance(actual, bool) and actual > 0:
                    earned += weight * factor * min(actual / partial, 1.0)
            if required and outcome in _CAPPING_RESULTS:
                capped = True
        score = round(100 * earned / total, 1) if total > 0 else 0.0
        grade = grade_of(score, self.scheme)
        lowered = capped and GRADES.index(grade) < self.cap
        return Graded(
            score=score,
            grade=GRADES[self.cap] if lowered else grade,
            scheme_hash=self.scheme_hash,
            capped=lowered,
        )


_GRADERS: dict[tuple[str, str], Grader] = {}
_GRADERS_KEPT: Final = 256


def grader(scheme: GradeScheme, ruleset: Ruleset) -> Grader:
    """The grader of a scheme and a ruleset, made once per pair of versions (by their hashes)."""
    key = (scheme.hash, ruleset.hash)
    found = _GRADERS.get(key)
    if found is None:
        if len(_GRADERS) >= _GRADERS_KEPT:
            _GRADERS.clear()
        found = _GRADERS[key] = Grader(scheme, ruleset)
    return found


def grade(scheme: GradeScheme, ruleset: Ruleset, verdict: Verdict) -> Graded:
    """The score and grade of a verdict of `ruleset` by `scheme`."""
    return grader(scheme, ruleset).grade(verdict)
