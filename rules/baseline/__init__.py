"""The province baseline (省级基本条件) by year: packaged YAML files, and any the province publishes later."""

import functools
from collections.abc import Iterable

import msgspec

from rules import yearly
from rules.criteria import Criterion, RuleError, load_yaml, parse_criteria
from rules.facts import FACTS


class Baseline(msgspec.Struct, frozen=True, kw_only=True):
    """The baseline criteria published for a year; it stays in force until a later one is published."""

    year: int
    criteria: tuple[Criterion, ...]
    document: str = ""

    def for_year(self, year: int) -> tuple[Criterion, ...]:
        """The criteria of this baseline in effect in that year."""
        return tuple(c for c in self.criteria if c.in_effect(year))


class _BaselineDocument(msgspec.Struct, forbid_unknown_fields=True):
    year: int
    criteria: list[dict[str, object]]
    document: str = ""


def parse_baseline(text: str) -> Baseline:
    """A baseline from its YAML text (`year`, `document`, `criteria`); see baseline_from_data."""
    return baseline_from_data(load_yaml(text))


def baseline_from_data(data: object) -> Baseline:
    """A baseline from plain data (as stored), validated: built-in facts only, each criterion cites its clause."""
    try:
        raw = msgspec.convert(data, _BaselineDocument)
    except msgspec.ValidationError as exc:
        raise RuleError(None, f"省级基本条件文件格式无效：{exc}", f"malformed baseline: {exc}") from exc
    criteria = parse_criteria(raw.criteria, FACTS)
    for criterion in criteria:
        if not criterion.source.strip():
            raise RuleError(
                criterion.id,
                f"省级基本条件 {criterion.id} 须注明出处条款",
                f"baseline criterion {criterion.id} must cite its source clause",
            )
    return Baseline(
        year=raw.year,
        document=raw.document,
        criteria=tuple(msgspec.structs.replace(c, origin="province") for c in criteria),
    )


@functools.cache
def packaged_baselines() -> tuple[Baseline, ...]:
    """The baselines shipped in this package, one file per year (`<year>.yaml`)."""
    return yearly.packaged(__name__, parse_baseline, functools.partial(RuleError, None))


def load_baseline(year: int, published: Iterable[Baseline] = ()) -> tuple[Criterion, ...]:
    """The baseline criteria in effect in a year: from the newest baseline published for that year or before.

    `published` holds baselines the province published after this package was built (stored by the
    caller); for the same year they take precedence over the packaged file.
    """
    baseline = yearly.in_force(year, packaged_baselines(), published)
    if baseline is None:
        raise RuleError(None, f"{year} 年没有适用的省级基本条件", f"no provincial baseline applies to {year}")
    return baseline.for_year(year)
