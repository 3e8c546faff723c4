"""Rule test cases (规则测试用例): a street's facts and the results a ruleset must give them, checked on a verdict.

One case model for the YAML files in rules/cases/ and for the cases a city stores: `facts` (a street's facts,
as StreetFacts reads them) and `output` (the outcome, and every criterion whose result is not "pass"; a
criterion not listed must pass). A case is run by judging its facts with the rules engine and comparing the
verdict with its output (`differences`): no difference is a pass.
"""

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final, get_args

import msgspec
import yaml

from rules.baseline import load_baseline
from rules.criteria import RuleError, parse_criteria
from rules.facts import (
    CUSTOM_PREFIX,
    STATUSES,
    CustomField,
    FactError,
    FactSpec,
    StreetFacts,
    fact_error,
    fact_specs,
    fits,
)
from rules.grades import Grade
from rules.overlay import Ruleset, effective_ruleset
from rules.verdict import Outcome, Result, Verdict

CASES_DIR: Final = Path(__file__).parent / "cases"
OUTCOMES: Final[tuple[str, ...]] = get_args(Outcome)
RESULTS: Final[tuple[str, ...]] = get_args(Result)
ABSENT: Final = "absent"
"""What a difference shows as the result of a criterion the ruleset lacks."""
OUTCOME: Final = "outcome"
"""What a difference names as its criterion when the street's outcome differs."""
_DISTRICT: Final = re.compile(r"^[0-9]{6}$")
_SCOPE_FACTS: Final = {
    "street_district": FactSpec(
        name="street_district", kind="str", label_zh="区县代码（6 位数字）", label_en="the district code (6 digits)"
    ),
    "street_status": FactSpec(name="street_status", kind="str", label_zh="街区状态", label_en="the street status"),
}


class Output(msgspec.Struct, forbid_unknown_fields=True):
    """What a case expects: the outcome, and the criteria whose result is not "pass"."""

    outcome: Outcome
    criteria: dict[str, Result] = msgspec.field(default_factory=dict)
    score: float | None = None
    """The YAML cases of grades: the score by the year's grading scheme (rules/grades), checked when given."""
    grade: Grade | None = None


class Difference(msgspec.Struct, frozen=True):
    """Where a verdict differs from a case: the criterion (or "outcome"), the expected and the actual result."""

    criterion: str
    expected: str
    got: str


class Case(msgspec.Struct, forbid_unknown_fields=True):
    """A case of the YAML files: the rules it runs on are the baseline of its year and the overlay it lists."""

    name: str
    year: int
    tenant: str
    facts: StreetFacts
    output: Output
    overlay: list[dict[str, object]] = []
    baseline: list[dict[str, object]] = []
    """Criteria the province adds to its baseline file for the case (e.g. one that applies to some streets)."""
    custom_fields: tuple[CustomField, ...] = ()
    scheme: dict[str, object] = {}
    """Changes to the grading scheme in force for the year (top-level keys replaced, `weights` merged)."""

    def ruleset(self) -> Ruleset:
        overlay = parse_criteria(self.overlay, fact_specs(self.custom_fields))
        added = tuple(msgspec.structs.replace(c, origin="province") for c in parse_criteria(self.baseline))
        return effective_ruleset(self.tenant, self.year, load_baseline(self.year) + added, overlay, self.custom_fields)


def load_cases(directory: Path = CASES_DIR) -> list[tuple[str, Case]]:
    """Every case of the YAML files in `directory`, with the file's stem."""
    cases = []
    for path in sorted(directory.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append((path.stem, msgspec.convert(raw, Case)))
    return cases


def differences(verdict: Verdict, output: Output) -> list[Difference]:
    """How the verdict differs from what the case expects: the outcome first, then each criterion.

    A criterion the case does not list is expected to pass; one it lists that the ruleset lacks is "absent".
    """
    found: list[Difference] = []
    if verdict.outcome != output.outcome:
        found.append(Difference(OUTCOME, output.outcome, verdict.outcome))
    results = {r.id: r.result for r in verdict.criteria}
    for cid, got in results.items():
        expected = output.criteria.get(cid, "pass")
        if got != expected:
            found.append(Difference(cid, expected, got))
    found += [Difference(cid, expected, ABSENT) for cid, expected in output.criteria.items() if cid not in results]
    return found


def case_facts(raw: Mapping[str, object], custom_fields: Iterable[CustomField] = ()) -> StreetFacts:
    """A case's facts from a plain mapping, each name known and each value of its fact's type (else FactError).

    Names are those of StreetFacts (the facts a criterion names, `street_district` and `street_status`);
    a city's custom fields go under `custom` by their key.
    """
    specs = fact_specs(custom_fields)
    for name, value in raw.items():
        if name == "custom":
            if not isinstance(value, dict):
                raise FactError("custom", "custom 须为对象", "custom must be an object")
            for key, custom in value.items():
                spec = specs.get(CUSTOM_PREFIX + str(key))
                if spec is None:
                    raise FactError(
                        CUSTOM_PREFIX + str(key), f"未知的自定义字段“{key}”", f"unknown custom field '{key}'"
                    )
                if custom is not None and not fits(spec)(custom):
                    raise fact_error(spec, custom)
            continue
        spec = specs.get(name) or _SCOPE_FACTS.get(name)
        if spec is None or name.startswith(CUSTOM_PREFIX):
            raise FactError(name, f"未知的事实“{name}”", f"unknown fact '{name}'")
        if value is None:
            continue
        if name == "street_district":
            valid = isinstance(value, str) and bool(_DISTRICT.match(value))
        elif name == "street_status":
            valid = value in STATUSES
        else:
            valid = fits(spec)(value)
        if not valid:
            raise fact_error(spec, value)
    return msgspec.convert(raw, StreetFacts)


def case_output(raw: Mapping[str, object], ruleset: Ruleset) -> Output:
    """A case's expected output, each result a known one and each criterion one of the ruleset (else RuleError)."""
    outcome = raw.get("outcome")
    if outcome not in OUTCOMES:
        raise RuleError(
            None,
            f"预期结论“{outcome}”无效（可选：{'、'.join(OUTCOMES)}）",
            f"the expected outcome '{outcome}' is invalid (one of: {', '.join(OUTCOMES)})",
        )
    criteria = raw.get("criteria") or {}
    if not isinstance(criteria, dict):
        raise RuleError(None, "criteria 须为对象", "criteria must be an object")
    known = {c.id for c in ruleset.criteria}
    for cid, result in criteria.items():
        if cid not in known:
            raise RuleError(
                str(cid),
                f"{ruleset.year} 年的规则中没有条件 {cid}",
                f"the rules of {ruleset.year} have no criterion {cid}",
            )
        if result not in RESULTS:
            raise RuleError(
                str(cid),
                f"条件 {cid} 的预期结果“{result}”无效（可选：{'、'.join(RESULTS)}）",
                f"the expected result '{result}' of criterion {cid} is invalid (one of: {', '.join(RESULTS)})",
            )
    return msgspec.convert({"outcome": outcome, "criteria": criteria}, Output)
