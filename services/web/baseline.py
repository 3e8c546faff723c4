"""``/province/{province}/baseline/{year}``: the province baseline (省级基本条件) of a year with its clauses, and the
province admin's editor — change a criterion's threshold or level, preview what it would change in every city's
streets, publish it through the baseline's one publishing path (audited)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Final

import msgspec
from litestar import Controller, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template

from infra.workers import WorkerTimeoutError
from rules.facts import FACTS
from services.deps import requires
from services.errors import DomainError, InvalidError, UnavailableError
from services.rulesets import preview, service
from services.rulesets.schemas import Baseline, BaselineCriterionDraft, BaselinePreview, BaselinePublish, Criterion
from services.shared.bounds import YearParam
from services.text import Text
from services.web.forms import FormBody
from services.web.labels import fact_names
from services.web.refusals import attempt, field_of, message
from services.web.render import language
from services.web.scope import PROVINCE_SCOPE, AtProvince, ProvinceScope
from tenants.context import Role

LEVELS: Final = ("required", "advisory")
SHARES: Final = frozenset(name for name, spec in FACTS.items() if spec.kind == "share")
BUSY: Final = Text("预览未能及时完成，请稍后重试。", "The preview did not finish in time: try again later.")
UNKNOWN: Final = Text("{year} 年基本条件中没有条件“{cid}”", "the {year} baseline has no criterion '{cid}'")
NOT_A_NUMBER: Final = Text(
    "门槛须为数字（比例写作 0.8 或 80%），收到“{value}”",
    "the threshold must be a number (a share as 0.8 or 80%), not '{value}'",
)
NOT_A_THRESHOLD: Final = Text(
    "条件 {cid} 的要求不是数值门槛，只能修改类别", "criterion {cid} has no numeric threshold: only its level can change"
)
NO_LEVEL: Final = Text("请选择类别：必备条件或参考条件", "Choose a level: required or advisory")


@dataclass
class BaselineForm:
    """A change of one criterion: its id, the new threshold (blank: unchanged) and level."""

    criterion: str = ""
    value: str = ""
    level: str = ""
    action: str = "preview"


class BaselinePages(Controller):
    """Every province user reads the baseline (as the API lets them); only the province admin previews and publishes."""

    path = "/province/{province:str}/baseline/{year:int}"
    guards = [requires(province=True)]
    dependencies = PROVINCE_SCOPE

    @get("/")
    async def baseline(
        self, at: AtProvince, year: YearParam, criterion: Annotated[str | None, Parameter(max_length=100)] = None
    ) -> Template:
        current = await service.get_baseline(at.db, at.tenant_id, year)
        form = BaselineForm()
        chosen = next((c for c in current.criteria if c.id == criterion), None)
        if chosen is not None:
            form = BaselineForm(criterion=chosen.id, value=_shown(chosen), level=chosen.level)
        return _page(at, current, form)

    @post("/", guards=[requires(Role.PROVINCE_ADMIN)], status_code=200)
    async def propose(self, at: AtProvince, year: YearParam, data: FormBody[BaselineForm]) -> Template | Redirect:
        current = await service.get_baseline(at.db, at.tenant_id, year)
        try:
            proposal = _edited(current, data)
        except InvalidError as refused:
            return _page(at, current, data, error=refused)
        if data.action == "publish":
            published = await attempt(
                at.db, lambda: service.publish_baseline(at.db, at.actor, at.tenant_id, year, proposal)
            )
            if isinstance(published, DomainError):
                return _page(at, current, data, error=published)
            return Redirect(f"/province/{at.tenant_id}/baseline/{year}?published=1", status_code=303)
        result = await attempt(at.db, lambda: _preview(at, year, proposal))
        if isinstance(result, DomainError):
            return _page(at, current, data, error=result)
        return _page(at, current, data, preview=result)


async def _preview(at: ProvinceScope, year: int, proposal: BaselinePublish) -> BaselinePreview:
    try:
        return await preview.preview_baseline(at.db, at.actor, at.tenant_id, year, proposal, at.context.rules_pool)
    except WorkerTimeoutError as exc:
        raise UnavailableError(BUSY) from exc


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(criterion: Criterion) -> str:
    """The threshold as the form shows it (blank for a criterion without one)."""
    return str(criterion.value) if _numeric(criterion.value) else ""


def _edited(current: Baseline, form: BaselineForm) -> BaselinePublish:
    """The baseline in force with the form's criterion changed; a bad id, level or threshold is a 422 naming it."""
    cid = form.criterion.strip()
    target = next((c for c in current.criteria if c.id == cid), None)
    if target is None:
        raise InvalidError(UNKNOWN.format(year=current.year, cid=cid), extra={"field": "criterion"})
    if form.level not in LEVELS:
        raise InvalidError(NO_LEVEL, extra={"field": "level"})
    value: Any = target.value
    text = form.value.strip()
    if text and not _numeric(target.value):
        raise InvalidError(NOT_A_THRESHOLD.format(cid=cid), extra={"field": "value"})
    if text:
        value = _number(text, share=target.fact in SHARES)
    criteria = [
        msgspec.convert(
            {**msgspec.to_builtins(c), **({"value": value, "level": form.level} if c.id == cid else {})},
            BaselineCriterionDraft,
        )
        for c in current.criteria
    ]
    return BaselinePublish(criteria=criteria)


def _number(text: str, *, share: bool) -> int | float:
    """The typed threshold: a whole number, a decimal, or for a share a percentage (``80%`` is 0.8)."""
    percent = share and text.endswith(("%", "％"))
    digits = text.rstrip("%％").strip() if percent else text
    try:
        number: int | float = int(digits)
    except ValueError:
        try:
            number = float(digits)
        except ValueError:
            raise InvalidError(NOT_A_NUMBER.format(value=text), extra={"field": "value"}) from None
    if not math.isfinite(number):  # NaN and infinities are no thresholds
        raise InvalidError(NOT_A_NUMBER.format(value=text), extra={"field": "value"})
    return number / 100 if percent else number


def _page(
    at: ProvinceScope,
    current: Baseline,
    form: BaselineForm,
    *,
    error: DomainError | None = None,
    preview: BaselinePreview | None = None,
) -> Template:
    request = at.request
    lang = language(request)
    directory = at.context.directory
    return at.page(
        "province/baseline.html",
        status_code=error.status_code if error is not None else 200,
        province=directory.get(current.province),
        year=current.year,
        baseline=current,
        can_edit=at.actor.role == Role.PROVINCE_ADMIN,
        shares=SHARES,
        fact_names=fact_names(lang),
        levels=LEVELS,
        criterion_options=[(c.id, f"{c.title_en if lang == 'en' else c.title_zh}（{c.id}）") for c in current.criteria],
        form=form,
        error=message(request, error) if error is not None else None,
        error_field=field_of(error) if error is not None else "",
        preview=preview,
        cities={slug: directory.get(slug) for slug in directory.children(current.province)},
        published_now=request.query_params.get("published") == "1",
    )
