"""``/city/{tenant}/rules``: the city admin's rules — the province baseline beside the city's own requirements
with their clauses, a form to add or tighten a requirement, its what-if by street name, save and delete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from infra.workers import WorkerTimeoutError
from rules.criteria import OPS
from rules.facts import FACTS
from services.deps import Caller, Db, Tenant, app_context, requires
from services.errors import DomainError, UnavailableError
from services.rulesets import service
from services.rulesets.schemas import CityRuleCreate, CriterionDraft, Simulation, SimulationResult
from services.shared.bounds import CriterionId, year_query
from services.text import Text
from services.web.forms import FormBody
from services.web.labels import fact_names
from services.web.refusals import attempt, converted, field_of, message
from services.web.render import language, page
from services.web.scope import tenant_of
from tenants.calendar import today
from tenants.context import Role

LEVELS: Final = ("required", "advisory")
BUSY: Final = Text("规则模拟未能及时完成，请稍后重试。", "The simulation did not finish in time: try again later.")
WORDING: Final = {
    "id": Text("请填写条件编号", "Enter the criterion's id"),
    "titleZh": Text("请填写中文名称", "Enter the Chinese title"),
    "titleEn": Text("请填写英文名称", "Enter the English title"),
    "level": Text("请选择类别", "Choose a level"),
    "effectiveFrom": Text("生效年度须为 2000–2100 之间的年份", "The first year is a year from 2000 to 2100"),
}
YES: Final = frozenset({"true", "是", "yes"})
NO: Final = frozenset({"false", "否", "no"})


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


@dataclass
class RemoveForm:
    year: str = ""


class RulePages(Controller):
    path = "/city/{tenant:str}/rules"
    guards = [requires(Role.CITY_ADMIN)]

    @get("/")
    async def rules(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        tenant_id: Tenant,
        year: Annotated[int | None, year_query("年度 / the year")] = None,
    ) -> Template:
        chosen = year or today().year
        return await _page(request, db, actor, tenant_id, chosen, RuleForm(effectiveFrom=str(chosen)))

    @post("/", status_code=200)
    async def propose(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        tenant_id: Tenant,
        data: FormBody[RuleForm],
    ) -> Template | Redirect:
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
        }
        year = int(data.effectiveFrom) if data.effectiveFrom.strip().isdigit() else today().year
        if data.action == "save":
            saved = await attempt(
                db,
                lambda: service.add_city_rule(db, actor, tenant_id, converted(fields, CityRuleCreate, "id", WORDING)),
            )
            if not isinstance(saved, DomainError):
                return Redirect(f"/city/{tenant_id}/rules?year={year}#side-by-side", status_code=303)
            return await _page(request, db, actor, tenant_id, year, data, error=saved)
        pool = app_context(request).rules_pool

        async def what_if() -> SimulationResult:
            proposal = Simulation(year=year, criteria=[converted(fields, CriterionDraft, "id", WORDING)])
            try:
                return await service.simulate(db, tenant_id, proposal, pool)
            except WorkerTimeoutError as exc:
                raise UnavailableError(BUSY) from exc

        result = await attempt(db, what_if)
        if isinstance(result, DomainError):
            return await _page(request, db, actor, tenant_id, year, data, error=result)
        return await _page(request, db, actor, tenant_id, year, data, simulation=result)

    @post("/{criterion_id:str}/delete", status_code=303)
    async def remove(
        self,
        db: Db,
        actor: Caller,
        tenant_id: Tenant,
        criterion_id: CriterionId,
        data: FormBody[RemoveForm],
    ) -> Redirect:
        year = int(data.year) if data.year.isdigit() else today().year
        await service.remove_city_rule(db, actor, tenant_id, criterion_id, year)
        return Redirect(f"/city/{tenant_id}/rules?year={year}#side-by-side", status_code=303)


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
    request: Request[Any, Any, Any],
    db: Db,
    actor: Caller,
    tenant_id: Tenant,
    year: int,
    form: RuleForm,
    *,
    error: DomainError | None = None,
    simulation: SimulationResult | None = None,
) -> Template:
    tenant = tenant_of(request, tenant_id)
    effective = await service.get_rules(db, tenant_id, year)
    baseline = await service.baseline_for(db, tenant_id, year)
    city = {c.id: c for c in effective.criteria if c.origin == "city"}
    lang = language(request)
    return page(
        request,
        "rules/rules.html",
        status_code=422 if error is not None else 200,
        actor=actor,
        tenant=tenant,
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
        error=message(request, error) if error is not None else None,
        error_field=field_of(error) if error is not None else "",
        simulation=simulation,
    )
