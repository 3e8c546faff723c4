"""``/city/{tenant}/workload``: the city's monthly service workload per centre (三(三)), and its workbook."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from services.deps import Caller, Db, Tenant, requires
from services.labels.labels import LABELS
from services.shared.bounds import FIRST_YEAR
from services.web.render import page
from services.web.scope import tenant_of
from services.web.session import CITY_ROLES
from services.workload.service import KINDS, check_year, city_workload
from tenants.calendar import today


class WorkloadPages(Controller):
    """The city's roles read it; the province reads its cities' (operators see their own street's services)."""

    path = "/city/{tenant:str}/workload"
    guards = [requires(*CITY_ROLES)]

    @get("/")
    async def workload(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        tenant_id: Tenant,
        year: Annotated[int | None, QueryParameter(ge=FIRST_YEAR, le=2100)] = None,
    ) -> Template:
        shown = year or today().year
        check_year(shown)
        figures = await city_workload(db, tenant_id, shown)
        return page(
            request,
            "workload.html",
            actor=actor,
            tenant=tenant_of(request, tenant_id),
            section="workload",
            year=shown,
            workload=figures,
            kinds=KINDS,
            kind_labels=[LABELS["serviceKind"][kind] for kind in KINDS],
            total_people=sum(month.people for month in figures.city),
            total_services=sum(month.services for month in figures.city),
        )
