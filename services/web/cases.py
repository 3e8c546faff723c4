"""``/cases``: the published typical cases for anyone, without sign-in (三(二) 典型选树); each case's page and its
images. A visitor's transaction reads no tenant at all: only the definer functions of migration 0013 reach rows,
and they return published cases only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import tenant_transaction
from services.cases.controllers import Position
from services.cases.publication import published_case, published_cases, published_image
from services.cases.text import body_html
from services.deps import app_context
from services.shared.bounds import IdParam
from services.shared.files import file_response
from services.web.render import page
from services.web.scope import PER_PAGE, PageNumber, offset_of, page_count


async def provide_visitor_db(request: Request[Any, Any, Any]) -> AsyncIterator[AsyncSession]:
    async with tenant_transaction(app_context(request).sessions, (), ()) as session:
        yield session


VisitorDb = NamedDependency[AsyncSession]


class PublicCasePages(Controller):
    path = "/cases"
    dependencies = {"visitor_db": Provide(provide_visitor_db)}

    @get("/", exclude_from_auth=True)
    async def cases(
        self, request: Request[Any, Any, Any], visitor_db: VisitorDb, page_number: PageNumber = 1
    ) -> Template:
        directory = app_context(request).directory
        found = await published_cases(visitor_db, directory, limit=PER_PAGE, offset=offset_of(page_number))
        return page(
            request,
            "cases/public_list.html",
            cases=found.items,
            total=found.total,
            page_number=page_number,
            pages=page_count(found.total),
        )

    @get("/{case_id:int}", exclude_from_auth=True)
    async def case(self, request: Request[Any, Any, Any], visitor_db: VisitorDb, case_id: IdParam) -> Template:
        found = await published_case(visitor_db, app_context(request).directory, case_id)
        return page(request, "cases/public_case.html", case=found, body=body_html(found.body))

    @get("/{case_id:int}/images/{position:int}", exclude_from_auth=True)
    async def image(self, visitor_db: VisitorDb, case_id: IdParam, position: Position) -> Response[bytes]:
        return file_response(await published_image(visitor_db, case_id, position))
