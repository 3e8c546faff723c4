"""``/province/{province}/cycles/{year}/selection``: the province's pilot selection (省级评选) — every city's
recommended streets ranked with their screening verdicts, the target, the designation form and the pilots.

The ranking and the designation are the selection workflow's (services.cycles.service); its validator decides
whether a choice over the target, or with a street that did not pass its screening, has the reason it needs,
and its refusal is shown beside the form. The designation's audit row is written by the workflow's activity.
"""

from __future__ import annotations

from typing import Final

from litestar import Controller, get, post
from litestar.response import Redirect, Template

from services.cycles import service
from services.cycles.schemas import DesignationCreate, Selection
from services.deps import PROVINCE_READERS, Temporal, TemporalConnect, requires
from services.errors import InvalidError, NotFoundError
from services.province_report.service import province_cities
from services.shared.bounds import YearParam
from services.text import Text
from services.web.forms import posted, ticked
from services.web.labels import fact_names
from services.web.refusals import converted, field_of, message
from services.web.render import language
from services.web.scope import PROVINCE_SCOPE, AtProvince, ProvinceScope
from services.web.session import CITY_ROLES
from tenants.context import Role

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
    dependencies = PROVINCE_SCOPE

    @get("/")
    async def selection(self, at: AtProvince, temporal: Temporal, year: YearParam) -> Template:
        return await _page(at, temporal, year)

    @post("/", guards=[requires(Role.PROVINCE_ADMIN)], status_code=200)
    async def designate(self, at: AtProvince, temporal: Temporal, year: YearParam) -> Template | Redirect:
        values = await posted(at.request)
        chosen = ticked(values, "streetIds")
        reason = values.get(REASON, "")
        reason = reason if isinstance(reason, str) else ""
        try:
            data = converted({"streetIds": chosen, REASON: reason or None}, DesignationCreate, "streetIds", WORDING)
            await service.designate(await temporal(), at.actor, at.tenant_id, year, data)
        except InvalidError as refused:
            # The workflow's validator names what is missing (the reason, a street not recommended, a closed year).
            field = field_of(refused) or (REASON if REASON in str(refused) else "streetIds")
            error = (field, message(at.request, refused))
            return await _page(at, temporal, year, chosen=chosen, reason=reason, error=error)
        return Redirect(f"/province/{at.tenant_id}/cycles/{year}/selection?designated=1#designated", status_code=303)


async def _page(
    at: ProvinceScope,
    temporal: TemporalConnect,
    year: int,
    *,
    chosen: list[str] | None = None,
    reason: str = "",
    error: tuple[str, str] | None = None,
) -> Template:
    request, actor, own = at.request, at.actor, at.tenant_id
    directory = at.context.directory
    try:
        selection: Selection | None = await service.get_selection(await temporal(), actor, own, year)
    except NotFoundError:
        selection = None  # no city has recommended yet: the selection has not started
    cities = {c.slug: c for c in province_cities(actor, directory, own)}
    pilots = await service.province_pilots(at.db, actor, directory, own)
    designated = {c.street_id for c in selection.designated} if selection else set()
    return at.page(
        "province/selection.html",
        status_code=422 if error else 200,
        province=directory.get(own),
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
