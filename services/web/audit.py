"""``/city/{tenant}/audit``: the city's audit trail, newest first, and the download of a date range with its
hash chain (the API's ``…/audit.csv``), for the city's admin and its province's."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get
from litestar.response import Template

from services.audit.service import list_entries
from services.deps import requires
from services.web.scope import CITY_SCOPE, PER_PAGE, AtCity, PageNumber, offset_of, page_count
from tenants.calendar import today
from tenants.context import Role


class AuditPages(Controller):
    path = "/city/{tenant:str}/audit"
    guards = [requires(Role.CITY_ADMIN, Role.PROVINCE_ADMIN)]
    dependencies = CITY_SCOPE

    @get("/")
    async def audit(self, at: AtCity, page_number: PageNumber = 1) -> Template:
        read = await list_entries(at.db, at.tenant_id, limit=PER_PAGE, offset=offset_of(page_number))
        now = today()
        return at.page(
            "audit.html",
            section="audit",
            rows=read.items,
            total=read.total,
            page_number=page_number,
            pages=page_count(read.total),
            first=(now - dt.timedelta(days=30)).isoformat(),
            last=now.isoformat(),
        )
