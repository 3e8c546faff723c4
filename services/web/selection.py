"""``/province/{province}/cycles/{year}/selection``: the province's pilot selection (省级评选) — every city's
recommended streets ranked with their screening verdicts, the target, the designation form and the pilots.

The ranking and the designation are the selection workflow's (services.cycles.service); its validator decides
whether a choice over the target, or with a street that did not pass its screening, has the reason it needs,
and its refusal is shown beside the form. The designation's audit row is written by the workflow's activity.
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from services.cycles import service
from services.cycles.schemas import DesignationCreate, Selection
from services.deps import PROVINCE_READERS, Caller, Db, Province, Temporal, TemporalConnect, app_context, requires
from services.errors import InvalidError, NotFoundError
from services.province_report.service import own_province, province_cities
from services.shared.bounds import YearParam
from services.text import Text
from services.web.forms import posted, ticked
from services.web.labels import fact_names
from services.web.refusals import converted, field_of, message
from services.web.render import language, page
from services.web.session import CITY_ROLES
from tenants.context import Actor, Role

REASON: Final = "overrideReason"
WORDING: Final = {
    "streetIds": Text("请至少勾选一个推荐街区", "Tick at least one recommended street"),
    REASON: Text(
        "理由至多 2000 字，除换行外不含控制字符", "The reason has 2,000 characters at most, no control characters"
    ),
}


class SelectionPages(Controller):
    """The province's readers see the selection; only its admin designates."""

    path = "/province/{province:str}/cycles/{year:int}/selection"
    guards = [PROVINCE_READERS]

    @get("/")
    async def selection(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        temporal: Temporal,
        actor: Caller,
        province: Province,
        year: YearParam,
    ) -> Template:
        return await _page(request, db, temporal, actor, province, year)

    @post("/", guards=[requires(Role.PROVINCE_ADMIN)], status_code=200)
    async def designate(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        temporal: Temporal,
        actor: Caller,
        province: Province,
        year: YearParam,
    ) -> Template | Redirect:
        own_province(actor, province)  # another province's form answers 404 before anything is read
        values = await posted(request)
        chosen = ticked(values, "streetIds")
        reason = values.get(REASON, "")
        reason = reason if isinstance(reason, str) else ""
        try:
            data = converted({"streetIds": chosen, REASON: reason or None}, DesignationCreate, "streetIds", WORDING)
            await service.designate(await temporal(), actor, province, year, data)
        except InvalidError as refused:
            # The workflow's validator names what is missing (the reason, a street not recommended, a closed year).
            field = field_of(refused) or (REASON if REASON in str(refused) else "streetIds")
            error = (field, message(request, refused))
            return await _page(request, db, temporal, actor, province, year, chosen=chosen, reason=reason, error=error)
        return Redirect(f"/province/{province}/cycles/{year}/selection?designated=1#designated", status_code=303)


async def _page(
    request: Request[Any, Any, Any],
    db: Db,
    temporal: TemporalConnect,
    actor: Actor,
    province: str,
    year: int,
    *,
    chosen: list[str] | None = None,
    reason: str = "",
    error: tuple[str, str] | None = None,
) -> Template:
    own = own_province(actor, province)
    context = app_context(request)
    try:
        selection: Selection | None = await service.get_selection(await temporal(), actor, own, year)
    except NotFoundError:
        selection = None  # no city has recommended yet: the selection has not started
    cities = {c.slug: c for c in province_cities(actor, context.directory, own)}
    pilots = await service.province_pilots(db, actor, context.directory, own)
    designated = {c.street_id for c in selection.designated} if selection else set()
    return page(
        request,
        "province/selection.html",
        status_code=422 if error else 200,
        actor=actor,
        province=context.directory.get(own),
        year=year,
        selection=selection,
        cities=cities,
        pilots=sorted(pilots, key=lambda p: (cities[p.tenant].code if p.tenant in cities else p.tenant, p.name)),
        designated=designated,
        can_designate=actor.role == Role.PROVINCE_ADMIN and selection is not None and selection.phase != "closed",
        street_links=actor.role in CITY_ROLES,
        criterion_names=fact_names(language(request)),
        chosen=set(chosen or ()),
        reason=reason,
        error_field=error[0] if error else "",
        error=error[1] if error else None,
        just_designated=request.query_params.get("designated") == "1",
    )
