"""Importing a street's rows from CSV or XLSX: every row or none, with a row-numbered error report."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Generic, TypeVar

import msgspec
from litestar import Controller, Request, Response, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import Body
from litestar.types import ExceptionHandlersMap, Guard
from sqlalchemy import Table, insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.errors import InvalidError
from services.schemas import BaseStruct
from services.shared.bounds import MAX_UPLOAD_BYTES, IdParam
from services.shared.checks import FieldProblem
from services.shared.tabular import Column, RowError, TableFileError, read_table
from tenants.context import Actor
from tenants.ids import TenantId

MAX_ROWS: Final = 20_000
"""One upload at most; a larger register is split into several files."""
MAX_REPORTED: Final = 1_000
"""Errors listed in a rejection; the detail still counts them all."""
_CHUNK: Final = 1_000
# asyncpg allows 32,767 parameters per statement; a thousand rows of a dozen columns stay well below.
_AT_PATH: Final = re.compile(r"at `\$\.([A-Za-z0-9_]+)")

T = TypeVar("T", bound=msgspec.Struct)


@dataclass
class Upload:
    """The multipart form of an import: the field `file` holds the CSV or XLSX."""

    file: UploadFile


class ImportResult(BaseStruct):
    imported: int


class ImportRejectedError(InvalidError):
    """Nothing was imported; `errors` says where and why, row by row."""

    def __init__(self, errors: Sequence[RowError], zh: str | None = None, en: str | None = None) -> None:
        count = len(errors)
        zh = zh or f"导入失败：共 {count} 处错误，未导入任何数据，请修改后重新上传"
        en = en or f"import rejected: {count} problem(s) found, nothing was imported; fix them and upload again"
        super().__init__(f"{zh} / {en}")
        self.errors = list(errors)


def import_rejected_handler(_: Request[Any, Any, Any], exc: ImportRejectedError) -> Response[dict[str, Any]]:
    """API.md's shape of a refused import: ``{status_code, detail, errors: [{row, column, problem}]}``."""
    errors = [{"row": e.row, "column": e.column, "problem": e.problem} for e in exc.errors[:MAX_REPORTED]]
    return Response({"status_code": 422, "detail": exc.detail, "errors": errors}, status_code=422)


IMPORT_HANDLERS: Final[ExceptionHandlersMap] = {ImportRejectedError: import_rejected_handler}
"""For the ``exception_handlers`` of an import route."""

ImportService = Callable[[AsyncSession, Actor, TenantId, int, str, bytes], Awaitable[ImportResult]]
"""A domain's import: (session, actor, tenant, street id, file name, file content) → how many rows."""


def import_route(run: ImportService, *, guard: Guard, summary: str) -> HTTPRouteHandler:
    """The ``POST …/import`` route of a street-scoped controller: a caller that `guard` admits uploads the
    form field `file`, and `run` imports it (201 ``{imported}`` or 422 with the row report)."""

    @post(
        "/import",
        guards=[guard],
        exception_handlers=IMPORT_HANDLERS,
        summary=summary,
        request_max_body_size=MAX_UPLOAD_BYTES,
    )
    async def import_file(
        self: Controller,  # noqa: ARG001 - a controller calls its handlers as methods
        db: AsyncSession,
        actor: Actor,
        tenant_id: TenantId,
        street_id: IdParam,
        data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> ImportResult:
        return await run(db, actor, tenant_id, street_id, data.file.filename, await data.file.read())

    return import_file


@dataclass
class ParsedRows(Generic[T]):
    """The rows that passed, as (spreadsheet row number, item); the errors; each column's header as written."""

    items: list[tuple[int, T]]
    errors: list[RowError]
    headers: dict[str, str]

    def error(self, number: int, field: str, zh: str, en: str) -> None:
        """Add a problem found after parsing (a duplicate, a clash with the database) to the report."""
        self.errors.append(RowError(number, self.headers.get(field, field), f"{zh} / {en}"))


def parse_rows(
    filename: str,
    data: bytes,
    columns: Sequence[Column],
    into: type[T],
    check: Callable[[T], list[FieldProblem]],
) -> ParsedRows[T]:
    """Read the upload into `into` Structs with `check` applied to each.

    The Structs are the JSON endpoint's input type, so a row is held to exactly the rules of a request.
    """
    try:
        table = read_table(filename, data, columns)
    except TableFileError as error:
        raise ImportRejectedError([], error.message_zh, error.message_en) from error
    if len(table.rows) + len({e.row for e in table.errors}) > MAX_ROWS:
        raise ImportRejectedError(
            [], f"一次最多导入 {MAX_ROWS} 行，请拆分文件", f"at most {MAX_ROWS} rows per import: split the file"
        )
    items: list[tuple[int, T]] = []
    errors = list(table.errors)
    for number, raw in zip(table.row_numbers, table.rows, strict=True):
        try:
            # An empty cell means "not given", so the Struct's default applies as in a JSON request.
            item = msgspec.convert({k: v for k, v in raw.items() if v is not None}, into)
        except msgspec.ValidationError as error:
            match = _AT_PATH.search(str(error))
            field = match.group(1) if match else ""
            column = table.headers.get(field, field)
            errors.append(RowError(number, column, f"取值无效 / invalid value: {error}"))
            continue
        problems = check(item)
        errors.extend(RowError(number, table.headers.get(p.field, p.field), p.text) for p in problems)
        if not problems:
            items.append((number, item))
    if not items and not errors:
        raise ImportRejectedError([], "文件中没有数据行", "the file has no data rows")
    return ParsedRows(items, errors, table.headers)


def reject_if_any(errors: Iterable[RowError]) -> None:
    """All rows or none: any error refuses the whole file, errors in row order."""
    ordered = sorted(errors, key=lambda e: e.row)
    if ordered:
        raise ImportRejectedError(ordered)


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Bulk insert in the request's transaction, a multi-row INSERT per chunk; the new ids in row order."""
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for start in range(0, len(rows), _CHUNK):
        ids.extend((await session.execute(statement, list(rows[start : start + _CHUNK]))).scalars())
    return ids
