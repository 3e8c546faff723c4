"""``/city/{tenant}/rules``: the city admin's rules — the province baseline beside the city's own requirements
with their clauses, a form to add or tighten a requirement (and whom it applies to), its what-if by street name,
save and delete; the city's rule test cases and their run."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from dataclasses import dataclass, field
from dataclasses import fields as fields_of
from typing import Annotated, Any, Final, TypeVar

from litestar import Controller, get, post
from litestar.response import Redirect, Template

from infra.workers import WorkerTimeoutError
from rules.criteria import OPS
from rules.facts import FACTS, STATUSES, THEMES
from services.deps import app_context, requires
from services.errors import DomainError, UnavailableError
from services.rulesets import cases, service
from services.rulesets.schemas import CaseRunResult, CityRuleCreate, CriterionDraft, Simulation, SimulationResult
from services.shared.bounds import CriterionId, year_query
from services.text import Text
from services.web.forms import FormBody, posted, ticked
from services.web.labels import fact_names
from services.web.refusals import attempt, converted, field_of, message
from services.web.render import language, page
from services.web.scope import CITY_SCOPE, AtCity, CityScope
from tenants.calendar import today
from tenants.context import Role

T = TypeVar("T")
S = TypeVar("S", CityRuleCreate, CriterionDraft)

LEVELS: Final = ("required", "advisory")
BUSY: Final = Text("规则引擎未能及时完成，请稍后重试。", "The rules engine did not finish in time: try again later.")
WORDING: Final = {
    "id": Text("请填写条件编号", "Enter the criterion's id"),
    "titleZh": Text("请填写中文名称", "Enter the Chinese title"),
    "titleEn": Text("请填写英文名称", "Enter the English title"),
    "level": Text("请选择类别", "Choose a level"),
    "effectiveFrom": Text("生效年度须为 2000–2100 之间的年份", "The first year is a year from 2000 to 2100"),
}
YES: Final = frozenset({"true", "是", "yes"})
NO: Final = frozenset({"false", "否", "no"})
YearQuery = Annotated[int | None, year_query("年度 / the year")]
"""``?year=``: the year of the rules shown (this year when not given)."""


@dataclass
class RuleForm:
    """The form's fields carry the API's names, so that a refusal naming a field lands next to it."""

    id: str = ""
    titleZh: str = ""  # noqa: N815
    titleEn: str = ""  # noqa: N815
    fact: str = ""
    op: str = ">="
    value: str = ""
    level: str = "required"
    source: str = ""
    effectiveFrom: str = ""  # noqa: N815
    action: str = "preview"
    themes: list[str] = field(default_factory=list)
    districts: str = ""
    statuses: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, values: dict[str, str | list[str]]) -> RuleForm:
        """The posted form: its text fields, and the ticked themes and statuses (``themes[]``, ``statuses[]``)."""
        texts = {f.name: v for f in fields_of(cls) if isinstance(v := values.get(f.name), str)}
        return cls(**texts, themes=ticked(values, "themes"), statuses=ticked(values, "statuses"))

    def applies_to(self) -> dict[str, list[str]] | None:
        """Whom the requirement applies to, as the API's ``appliesTo``; None (every street) when nothing is chosen."""
        districts = [d for d in re.split(r"[,，、\s]+", self.districts) if d]
        lists = {"themes": self.themes, "districts": districts, "statuses": self.statuses}
        given = {key: values for key, values in lists.items() if values}
        return given or None


@dataclass
class RemoveForm:
    year: str = ""


class RulePages(Controller):
    path = "/city/{tenant:str}/rules"
    guards = [requires(Role.CITY_ADMIN)]
    dependencies = CITY_SCOPE

    @get("/")
    async def rules(self, at: AtCity, year: YearQuery = None) -> Template:
        chosen = year or today().year
        return await _page(at, chosen, RuleForm(effectiveFrom=str(chosen)))

    @post("/", status_code=200)
    async def propose(self, at: AtCity) -> Template | Redirect:
        data = RuleForm.of(await posted(at.request))
        pool = app_context(at.request).rules_pool
        fields = {
            "id": data.id.strip(),
            "titleZh": data.titleZh.strip(),
            "titleEn": data.titleEn.strip(),
            "fact": data.fact,
            "op": data.op,
            "value": _value(data.value, data.op),
            "level": data.level,
            "source": data.source.strip(),
            "effectiveFrom": data.effectiveFrom.strip(),
            "appliesTo": data.applies_to(),
        }
        year = int(data.effectiveFrom) if data.effectiveFrom.strip().isdigit() else today().year
        if data.action == "save":
            saved = await attempt(
                at.db,
                lambda: _in_time(
                    service.add_city_rule(at.db, at.actor, at.tenant_id, _draft(fields, CityRuleCreate), pool)
                ),
            )
            if not isinstance(saved, DomainError):
                return _side_by_side(at, year)
            return await _page(at, year, data, error=saved)

        async def what_if() -> SimulationResult:
            proposal = Simulation(year=year, criteria=[_draft(fields, CriterionDraft)])
            return await _in_time(service.simulate(at.db, at.tenant_id, proposal, pool))

        result = await attempt(at.db, what_if)
        if isinstance(result, DomainError):
            return await _page(at, year, data, error=result)
        return await _page(at, year, data, simulation=result)

    @post("/{criterion_id:str}/delete", status_code=303)
    async def remove(self, at: AtCity, criterion_id: CriterionId, data: FormBody[RemoveForm]) -> Template | Redirect:
        year = int(data.year) if data.year.isdigit() else today().year
        pool = app_context(at.request).rules_pool
        removed = await attempt(
            at.db, lambda: _in_time(service.remove_city_rule(at.db, at.actor, at.tenant_id, criterion_id, year, pool))
        )
        if isinstance(removed, DomainError):
            return await _page(at, year, RuleForm(effectiveFrom=str(year)), error=removed)
        return _side_by_side(at, year)

    @post("/cases/run", status_code=200)
    async def run_cases(self, at: AtCity, year: YearQuery = None) -> Template:
        """Every stored case run on the city's rules; htmx swaps in the results alone, a plain post gets the page."""
        pool = app_context(at.request).rules_pool
        result = await attempt(at.db, lambda: _in_time(cases.run_cases(at.db, at.tenant_id, pool)))
        chosen = year or today().year
        run, error = (None, message(at.request, result)) if isinstance(result, DomainError) else (result, None)
        if at.request.headers.get("hx-request"):
            return page(at.request, "rules/_case_results.html", actor=at.actor, case_run=run, case_error=error)
        form = RuleForm(effectiveFrom=str(chosen))
        return await _page(at, chosen, form, case_run=run, case_error=error)


def _side_by_side(at: CityScope, year: int) -> Redirect:
    """Back to the year's rules, at the baseline and the city's requirements side by side."""
    return Redirect(f"/city/{at.tenant_id}/rules?year={year}#side-by-side", status_code=303)


async def _in_time(call: Awaitable[T]) -> T:
    """A call that runs the rules engine in a worker: one past the time limit is the page's "try again later"."""
    try:
        return await call
    except WorkerTimeoutError as exc:
        raise UnavailableError(BUSY) from exc


def _draft(fields: dict[str, Any], kind: type[S]) -> S:
    return converted(fields, kind, "id", WORDING)


def _scalar(raw: str) -> bool | int | float | str:
    text = raw.strip()
    if text.lower() in YES:
        return True
    if text.lower() in NO:
        return False
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _value(raw: str, op: str) -> Any:
    """The typed value of the form's text: 是/否, a number, a word; for ``in`` a list split at commas.
    Whether it fits the fact is the rules model's to judge (its refusal names the criterion)."""
    if op == "in":
        return [_scalar(part) for part in raw.replace("，", ",").replace("、", ",").split(",") if part.strip()]
    return _scalar(raw)


async def _page(
    at: CityScope,
    year: int,
    form: RuleForm,
    *,
    error: DomainError | None = None,
    simulation: SimulationResult | None = None,
    case_run: CaseRunResult | None = None,
    case_error: str | None = None,
) -> Template:
    effective = await service.get_rules(at.db, at.tenant_id, year)
    baseline = await service.baseline_for(at.db, at.tenant_id, year)
    city = {c.id: c for c in effective.criteria if c.origin == "city"}
    lang = language(at.request)
    return at.page(
        "rules/rules.html",
        status_code=422 if error is not None else 200,
        year=year,
        baseline=baseline,
        city=city,
        rows=[
            *((b, city.get(b.id)) for b in baseline.criteria),
            *((None, c) for c in city.values() if c.id not in {b.id for b in baseline.criteria}),
        ],
        shares={name for name, spec in FACTS.items() if spec.kind == "share"},
        facts=[(name, spec.label_zh if lang == "zh" else spec.label_en) for name, spec in FACTS.items()],
        fact_names=fact_names(lang),
        ops=OPS,
        levels=LEVELS,
        form=form,
        error=message(at.request, error) if error is not None else None,
        error_field=field_of(error) if error is not None else "",
        simulation=simulation,
        themes=THEMES,
        statuses=STATUSES,
        cases=await cases.list_cases(at.db, at.tenant_id),
        case_run=case_run,
        case_error=case_error,
    )
