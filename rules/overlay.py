"""The effective ruleset of a tenant and year: the province baseline with the city's overlay (地方要求)."""

import hashlib
import operator
import re
from collections.abc import Callable, Iterable

import msgspec

from rules.criteria import Criterion, CriterionValue, Op, RuleError, check_unique, validate_criterion
from rules.facts import CUSTOM_PREFIX, CustomField, FactSpec, fact_specs

_TENANT = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

# For a city criterion replacing a baseline one: (baseline op, city op) -> the test the city's value must
# pass against the baseline's value for the city criterion to be at least as strict.
_AT_LEAST_AS_STRICT: dict[tuple[Op, Op], Callable[[CriterionValue, CriterionValue], bool]] = {
    (">=", ">="): operator.ge,
    (">=", ">"): operator.ge,
    (">", ">"): operator.ge,
    (">", ">="): operator.gt,
    ("<=", "<="): operator.le,
    ("<=", "<"): operator.le,
    ("<", "<"): operator.le,
    ("<", "<="): operator.lt,
    ("==", "=="): operator.eq,
    ("!=", "!="): operator.eq,
    ("in", "in"): lambda city, base: set(city) <= set(base),  # type: ignore[arg-type]  # `in` holds tuples
}


class Ruleset(msgspec.Struct, frozen=True, kw_only=True):
    """The criteria in force for one tenant and year, with the hash that identifies this version."""

    tenant: str
    year: int
    criteria: tuple[Criterion, ...]
    custom_fields: tuple[CustomField, ...] = ()
    hash: str

    @property
    def hash8(self) -> str:
        """The short form of the hash, used in names."""
        return self.hash[:8]

    def fact_specs(self) -> dict[str, FactSpec]:
        """The facts this ruleset's criteria may name: the built-in ones and the tenant's custom fields."""
        return fact_specs(self.custom_fields)


def content_hash(criteria: Iterable[Criterion]) -> str:
    """sha256 of the canonical JSON of the criteria sorted by id: the same rules always hash the same."""
    # A criterion without a scope encodes as it did before scopes existed, so stored hashes still match.
    canonical = msgspec.json.encode(
        [_without_empty_scope(msgspec.to_builtins(c)) for c in sorted(criteria, key=lambda c: c.id)]
    )
    return hashlib.sha256(canonical).hexdigest()


def _without_empty_scope(data: dict[str, object]) -> dict[str, object]:
    if data.get("appliesTo") is None:
        data.pop("appliesTo", None)
    return data


def _rendered(criterion: Criterion) -> str:
    return f"{criterion.op} {criterion.value}"


def check_tightening(base: Criterion, city: Criterion) -> None:
    """Refuse a city criterion that would loosen the baseline criterion it replaces."""
    cid = base.id
    if city.fact != base.fact:
        raise RuleError(
            cid,
            f"条件 {cid}：不得更改省级基本条件的事实（{base.fact} → {city.fact}）",
            f"criterion {cid}: may not change the fact of the provincial baseline criterion "
            f"({base.fact} → {city.fact})",
        )
    if base.level == "required" and city.level == "advisory":
        raise RuleError(
            cid,
            f"条件 {cid}：不得将省级必备条件降为参考条件",
            f"criterion {cid}: may not lower the provincial baseline criterion from required to advisory",
        )
    if base.applies_to is not None or city.applies_to is not None:
        check_scope_kept(base, city)
    stricter = _AT_LEAST_AS_STRICT.get((base.op, city.op))
    if stricter is None or not stricter(city.value, base.value):
        province, local = _rendered(base), _rendered(city)
        raise RuleError(
            cid,
            f"放宽省级基本条件 {cid}：省级要求 {province}，城市要求 {local}",
            f"loosens the provincial baseline criterion {cid}: province {province}, city {local}",
        )


def _scope_text(criterion: Criterion) -> tuple[str, str]:
    scope = criterion.applies_to
    if scope is None:
        return "全部街区", "every street"
    zh = "；".join(f"{name}: {'、'.join(values)}" for name, values in scope.dimensions())
    en = "; ".join(f"{name}: {', '.join(values)}" for name, values in scope.dimensions())
    return zh, en


def check_scope_kept(base: Criterion, city: Criterion) -> None:
    """Refuse a city criterion that would make a baseline criterion apply to fewer streets (appliesTo)."""
    if city.applies_to is None or city.applies_to.covers(base.applies_to):
        return
    cid = base.id
    (province_zh, province_en), (city_zh, city_en) = _scope_text(base), _scope_text(city)
    raise RuleError(
        cid,
        f"缩小省级基本条件 {cid} 的适用范围：省级适用于{province_zh}，城市要求仅适用于{city_zh}",
        f"narrows the scope of the provincial baseline criterion {cid}: the province applies it to "
        f"{province_en}, the city only to {city_en}",
    )


def check_removal(criterion_id: str, baseline: Iterable[Criterion]) -> None:
    """Refuse to remove a criterion that the province baseline sets; a city may only remove its own."""
    if any(c.id == criterion_id for c in baseline):
        raise RuleError(
            criterion_id,
            f"不得删除省级基本条件 {criterion_id}",
            f"may not remove the provincial baseline criterion {criterion_id}",
        )


def effective_ruleset(
    tenant: str,
    year: int,
    baseline: Iterable[Criterion],
    overlay: Iterable[Criterion],
    custom_fields: Iterable[CustomField] = (),
) -> Ruleset:
    """Baseline and overlay merged for (tenant, year).

    A city criterion is added, or tightens the baseline criterion of the same id (then it is the city's).
    Criteria stored with an assessment rebuild the same ruleset, and hash, as the baseline with no overlay.
    """
    if not _TENANT.match(tenant):
        raise RuleError(None, f"租户标识“{tenant}”无效", f"invalid tenant slug '{tenant}'")
    fields = tuple(custom_fields)
    specs = fact_specs(fields)
    base = [validate_criterion(c, specs) for c in baseline if c.in_effect(year)]
    check_unique(base)
    city = [msgspec.structs.replace(validate_criterion(c, specs), origin="city") for c in overlay if c.in_effect(year)]
    check_unique(city)
    merged = {c.id: c for c in base}
    for local in city:
        replaced = merged.get(local.id)
        if replaced is not None:
            check_tightening(replaced, local)
            # A tightened criterion still rests on the province's clause unless the city cites its own.
            local = msgspec.structs.replace(local, source=local.source or replaced.source)  # noqa: PLW2901
        merged[local.id] = local
    criteria = tuple(merged.values())
    named = {c.fact for c in criteria}
    return Ruleset(
        tenant=tenant,
        year=year,
        criteria=criteria,
        custom_fields=tuple(f for f in fields if CUSTOM_PREFIX + f.key in named),
        hash=content_hash(criteria),
    )
