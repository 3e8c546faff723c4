"""A province user's start (its cities), a city's home and its list of streets."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any, Final, cast, get_args

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery, Parameter
from litestar.response import Template

from services.deps import Caller, Tenant, app_context, requires
from services.streets.schemas import StreetStatus, Theme
from services.streets.service import list_streets
from services.web.reads import latest_assessments, matching_streets
from services.web.render import city_districts, page
from services.web.scope import ALL, CITY_SCOPE, PER_PAGE, AtCity, PageNumber, chosen, offset_of, page_count
from services.web.session import CITY_ROLES
from tenants.calendar import today
from tenants.context import Role

STATUSES: Final[tuple[str, ...]] = get_args(StreetStatus)
THEMES: Final[tuple[str, ...]] = get_args(Theme)


class ProvincePages(Controller):
    """A province user's start: its cities (the province's own pages come with the annual cycle)."""

    path = "/province/{tenant:str}"
    guards = [requires(Role.PROVINCE_ADMIN, Role.VIEWER)]

    @get("/")
    async def home(self, request: Request[Any, Any, Any], actor: Caller, tenant_id: Tenant) -> Template:
        directory = app_context(request).directory
        if not actor.province or tenant_id != actor.tenant:
            raise NotFoundException()
        cities = [directory.get(slug) for slug in directory.children(tenant_id)]
        return page(
            request,
            "province_home.html",
            actor=actor,
            tenant=directory.get(tenant_id),
            cities=[c for c in cities if c is not None],
            year=today().year,
        )


class CityPages(Controller):
    """A city's home and its streets (the city's own roles; the province reads them)."""

    path = "/city/{tenant:str}"
    guards = [requires(*CITY_ROLES)]
    dependencies = CITY_SCOPE

    @get("/")
    async def home(self, at: AtCity) -> Template:
        streets = (await list_streets(at.db, at.actor, at.tenant_id, status=None, limit=ALL, offset=0)).items
        by_status: Counter[str] = Counter(street.status for street in streets)
        return at.page(
            "city_home.html",
            total=len(streets),
            by_status=[(s, by_status.get(s, 0)) for s in STATUSES],
            assessments=await latest_assessments(at.db, at.tenant_id, limit=10),
            street_names={street.id: street.name for street in streets},
        )

    @get("/streets")
    async def streets(
        self,
        at: AtCity,
        q: Annotated[str | None, Parameter(max_length=200)] = None,
        status: FromQuery[str | None] = None,
        theme: FromQuery[str | None] = None,
        district: Annotated[str | None, Parameter(max_length=6)] = None,
        page_number: PageNumber = 1,
    ) -> Template:
        status, theme = chosen("status", status, STATUSES), chosen("theme", theme, THEMES)
        every = (
            await list_streets(
                at.db, at.actor, at.tenant_id, status=cast("StreetStatus | None", status), limit=ALL, offset=0
            )
        ).items
        found = matching_streets(every, search=q, theme=theme, district=district or None)
        start = offset_of(page_number)
        return at.page(
            "streets.html",
            streets=found[start : start + PER_PAGE],
            total=len(found),
            page_number=page_number,
            pages=page_count(len(found)),
            filters={"q": q or "", "status": status or "", "theme": theme or "", "district": district or ""},
            statuses=STATUSES,
            themes=THEMES,
            districts=city_districts(at.tenant.code),
        )
