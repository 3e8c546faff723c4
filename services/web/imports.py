"""``/city/{tenant}/streets/{id}/import/{kind}``: the import wizard of a street's entities, activities and
survey answers — the template to download, the upload, every row's error (nothing saved) or the count."""

from __future__ import annotations

from typing import Annotated, Any, Final, NamedTuple

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Template

from services.activities.service import import_activities
from services.deps import Caller, Db, Tenant, app_context
from services.entities.service import import_entities
from services.errors import DomainError
from services.shared.bounds import IdParam
from services.shared.imports import MAX_REPORTED, ImportRejectedError, ImportService, Upload
from services.streetreports.service import import_surveys
from services.streets.controllers import STREET_DATA_WRITERS
from services.streets.service import get_street
from services.text import Text
from services.web.refusals import attempt, in_language, message
from services.web.render import page


class Import(NamedTuple):
    title: Text
    run: ImportService
    tab: str
    """The street's tab that lists what was imported."""


IMPORTS: Final[dict[str, Import]] = {
    "entities": Import(Text("导入创业实体", "Import entities"), import_entities, "entities"),
    "activities": Import(Text("导入活动", "Import activities"), import_activities, "activities"),
    "surveys": Import(Text("导入满意度答卷", "Import survey answers"), import_surveys, "surveys"),
}


class ImportPages(Controller):
    """The city admin's and the street's operator's (``street_of`` admits an operator to its own street only)."""

    path = "/city/{tenant:str}/streets/{street_id:int}/import/{kind:str}"
    guards = [STREET_DATA_WRITERS]

    @get("/")
    async def wizard(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        tenant_id: Tenant,
        street_id: IdParam,
        kind: FromPath[str],
    ) -> Template:
        return await _page(request, db, actor, tenant_id, street_id, kind)

    @post("/", status_code=200)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        tenant_id: Tenant,
        street_id: IdParam,
        kind: FromPath[str],
        data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        chosen = _import(kind)
        await get_street(db, actor, tenant_id, street_id)  # another city's or street's: 404 before reading the file
        content = await data.file.read()
        result = await attempt(db, lambda: chosen.run(db, actor, tenant_id, street_id, data.file.filename, content))
        if isinstance(result, ImportRejectedError):
            rows = [(e.row, e.column, in_language(request, e.problem)) for e in result.errors[:MAX_REPORTED]]
            return await _page(
                request, db, actor, tenant_id, street_id, kind, error=message(request, result), rows=rows, status=422
            )
        if isinstance(result, DomainError):
            return await _page(
                request, db, actor, tenant_id, street_id, kind, error=message(request, result), status=422
            )
        return await _page(request, db, actor, tenant_id, street_id, kind, imported=result.imported)


def _import(kind: str) -> Import:
    if kind not in IMPORTS:
        raise NotFoundException()
    return IMPORTS[kind]


async def _page(
    request: Request[Any, Any, Any],
    db: Db,
    actor: Caller,
    tenant_id: Tenant,
    street_id: int,
    kind: str,
    *,
    error: str | None = None,
    rows: list[tuple[int, str, str]] | None = None,
    imported: int | None = None,
    status: int = 200,
) -> Template:
    chosen = _import(kind)
    return page(
        request,
        "imports/wizard.html",
        status_code=status,
        actor=actor,
        tenant=app_context(request).directory.get(tenant_id),
        street=await get_street(db, actor, tenant_id, street_id),
        kind=kind,
        title=chosen.title,
        tab=chosen.tab,
        error=error,
        rows=rows or [],
        imported=imported,
    )
