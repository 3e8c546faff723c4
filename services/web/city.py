"""A province user's start (its cities), a city's home and its list of streets."""

from __future__ import annotations

import math
from collections import Counter
from typing import Annotated, Any, Final, cast, get_args

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromQuery, Parameter, QueryParameter
from litestar.response import Template

from services.deps import Caller, Db, Tenant, app_context, requires
from services.streets.schemas import StreetStatus, Theme
from services.streets.service import list_streets
from services.web.reads import latest_assessments, matching_streets
from services.web.render import city_districts, page
from services.web.scope import ALL, PER_PAGE, tenant_of
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

    @get("/")
    async def home(self, request: Request[Any, Any, Any], db: Db, actor: Caller, tenant_id: Tenant) -> Template:
        streets = (await list_streets(db, actor, tenant_id, status=None, limit=ALL, offset=0)).items
        by_status: Counter[str] = Counter(street.status for street in streets)
        names = {street.id: street.name for street in streets}
        assessments = await latest_assessments(db, tenant_id, limit=10)
        return page(
            request,
            "city_home.html",
            actor=actor,
            tenant=tenant_of(request, tenant_id),
            total=len(streets),
            by_status=[(s, by_status.get(s, 0)) for s in STATUSES],
            assessments=assessments,
            street_names=names,
        )

    @get("/streets")
    async def streets(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        tenant_id: Tenant,
        q: Annotated[str | None, Parameter(max_length=200)] = None,
        status: FromQuery[str | None] = None,
        theme: FromQuery[str | None] = None,
        district: Annotated[str | None, Parameter(max_length=6)] = None,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=10_000)] = 1,
    ) -> Template:
        # A form sends an unchosen filter as an empty value: that means "all", not a bad request.
        status, theme = _chosen("status", status, STATUSES), _chosen("theme", theme, THEMES)
        every = (
            await list_streets(db, actor, tenant_id, status=cast("StreetStatus | None", status), limit=ALL, offset=0)
        ).items
        found = matching_streets(every, search=q, theme=theme, district=district or None)
        start = (page_number - 1) * PER_PAGE
        tenant = tenant_of(request, tenant_id)
        return page(
            request,
            "streets.html",
            actor=actor,
            tenant=tenant,
            streets=found[start : start + PER_PAGE],
            total=len(found),
            page_number=page_number,
            pages=max(1, math.ceil(len(found) / PER_PAGE)),
            filters={"q": q or "", "status": status or "", "theme": theme or "", "district": district or ""},
            statuses=STATUSES,
            themes=THEMES,
            districts=city_districts(tenant.code),
        )


def _chosen(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise ValidationException(f"{name}: {value}")
    return value
