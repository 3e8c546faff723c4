"""``/city/{tenant}/audit``: the city's audit trail, newest first, and the download of a date range with its
hash chain (the API's ``…/audit.csv``), for the city's admin and its province's."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from services.audit.service import list_entries
from services.deps import Caller, Db, Tenant, requires
from services.web.render import page
from services.web.scope import PER_PAGE, tenant_of
from tenants.calendar import today
from tenants.context import Role


class AuditPages(Controller):
    path = "/city/{tenant:str}/audit"
    guards = [requires(Role.CITY_ADMIN, Role.PROVINCE_ADMIN)]

    @get("/")
    async def audit(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        tenant_id: Tenant,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=10_000)] = 1,
    ) -> Template:
        read = await list_entries(db, tenant_id, limit=PER_PAGE, offset=(page_number - 1) * PER_PAGE)
        now = today()
        return page(
            request,
            "audit.html",
            actor=actor,
            tenant=tenant_of(request, tenant_id),
            section="audit",
            rows=read.items,
            total=read.total,
            page_number=page_number,
            pages=max(1, -(-read.total // PER_PAGE)),
            first=(now - dt.timedelta(days=30)).isoformat(),
            last=now.isoformat(),
        )
