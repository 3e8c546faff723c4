"""``/city/{tenant}/workload``: the city's monthly service workload per centre (三(三)), and its workbook."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter
from litestar.response import Template

from services.deps import requires
from services.labels.labels import LABELS
from services.shared.bounds import FIRST_YEAR
from services.web.scope import CITY_SCOPE, AtCity
from services.web.session import CITY_ROLES
from services.workload.service import KINDS, check_year, city_workload
from tenants.calendar import today


class WorkloadPages(Controller):
    """The city's roles read it; the province reads its cities' (operators see their own street's services)."""

    path = "/city/{tenant:str}/workload"
    guards = [requires(*CITY_ROLES)]
    dependencies = CITY_SCOPE

    @get("/")
    async def workload(
        self, at: AtCity, year: Annotated[int | None, QueryParameter(ge=FIRST_YEAR, le=2100)] = None
    ) -> Template:
        shown = year or today().year
        check_year(shown)
        figures = await city_workload(at.db, at.tenant_id, shown)
        return at.page(
            "workload.html",
            section="workload",
            year=shown,
            workload=figures,
            kinds=KINDS,
            kind_labels=[LABELS["serviceKind"][kind] for kind in KINDS],
            total_people=sum(month.people for month in figures.city),
            total_services=sum(month.services for month in figures.city),
        )
