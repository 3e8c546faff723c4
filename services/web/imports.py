"""``/city/{tenant}/streets/{id}/import/{kind}``: the import wizard of a street's entities, activities and
survey answers — the template to download, the upload, every row's error (nothing saved) or the count."""

from __future__ import annotations

from typing import Annotated, Final, NamedTuple

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from services.activities.service import import_activities
from services.deps import STREET_DATA_WRITERS
from services.entities.service import import_entities
from services.errors import DomainError
from services.shared.imports import MAX_REPORTED, ImportRejectedError, ImportService, Upload
from services.streetreports.service import import_surveys
from services.text import Text
from services.web.refusals import attempt, in_language, message
from services.web.scope import STREET_SCOPE, AtStreet, StreetScope, known
from services.workload.service import import_services


class Import(NamedTuple):
    title: Text
    run: ImportService
    tab: str
    """The street's tab that lists what was imported."""


IMPORTS: Final[dict[str, Import]] = {
    "entities": Import(Text("导入创业实体", "Import entities"), import_entities, "entities"),
    "activities": Import(Text("导入活动", "Import activities"), import_activities, "activities"),
    "surveys": Import(Text("导入满意度答卷", "Import survey answers"), import_surveys, "surveys"),
    "services": Import(Text("导入服务记录", "Import centre services"), import_services, "services"),
}


class ImportPages(Controller):
    """The city admin's and the street's operator's (``street_of`` admits an operator to its own street only)."""

    path = "/city/{tenant:str}/streets/{street_id:int}/import/{kind:str}"
    guards = [STREET_DATA_WRITERS]
    dependencies = STREET_SCOPE

    @get("/")
    async def wizard(self, at: AtStreet, kind: FromPath[str]) -> Template:
        return _page(at, kind)

    @post("/", status_code=200)
    async def upload(
        self,
        at: AtStreet,
        kind: FromPath[str],
        data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        chosen = known(IMPORTS, kind)
        content = await data.file.read()  # the scope has read the street first: another one answers 404
        result = await attempt(
            at.db, lambda: chosen.run(at.db, at.actor, at.tenant_id, at.street_id, data.file.filename, content)
        )
        if isinstance(result, ImportRejectedError):
            rows = [(e.row, e.column, in_language(at.request, e.problem)) for e in result.errors[:MAX_REPORTED]]
            return _page(at, kind, error=message(at.request, result), rows=rows, status=422)
        if isinstance(result, DomainError):
            return _page(at, kind, error=message(at.request, result), status=422)
        return _page(at, kind, imported=result.imported)


def _page(
    at: StreetScope,
    kind: str,
    *,
    error: str | None = None,
    rows: list[tuple[int, str, str]] | None = None,
    imported: int | None = None,
    status: int = 200,
) -> Template:
    chosen = known(IMPORTS, kind)
    return at.page(
        "imports/wizard.html",
        status_code=status,
        kind=kind,
        title=chosen.title,
        tab=chosen.tab,
        error=error,
        rows=rows or [],
        imported=imported,
    )
