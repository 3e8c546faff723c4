"""Importing a street's rows from CSV or XLSX: every row or none, with a row-numbered error report."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Generic, ParamSpec, TypeVar

import msgspec
from litestar import Controller, Request, Response, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body
from litestar.types import ExceptionHandlersMap, Guard
from sqlalchemy import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from services.audit.service import record
from services.deps import At
from services.errors import InvalidError
from services.schemas import BaseStruct
from services.shared.bounds import MAX_UPLOAD_BYTES, IdParam
from services.shared.checks import FieldProblem
from services.shared.tabular.cells import TableFileError
from services.shared.tabular.reading import Column, ColumnType, RowError, read_table
from services.shared.writes import insert_rows
from services.text import Text
from tenants.context import Actor
from tenants.ids import TenantId

MAX_ROWS: Final = 20_000
"""One upload at most; a larger register is split into several files."""
MAX_REPORTED: Final = 1_000
"""Errors listed in a rejection; the detail still counts them all."""
_AT_PATH: Final = re.compile(r"at `\$\.([A-Za-z0-9_]+)")

T = TypeVar("T", bound=msgspec.Struct)
P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Upload:
    """The multipart form of an import: the field `file` holds the CSV or XLSX."""

    file: UploadFile


class ImportResult(BaseStruct):
    imported: int


class ImportProblem(msgspec.Struct, frozen=True):
    row: int
    column: str
    problem: str


class ImportRejection(msgspec.Struct, frozen=True):
    """The 422 answer of a refused import (documentation of `import_rejected_handler`'s body)."""

    status_code: int
    detail: str
    errors: list[ImportProblem]


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


TYPE_NAMES: Final[dict[ColumnType, Text]] = {
    "text": Text("文本", "text"),
    "integer": Text("整数", "whole number"),
    "boolean": Text("是/否", "yes/no"),
    "date": Text("日期，如 2024-03-05", "date, e.g. 2024-03-05"),
    "choice": Text("选项", "choice"),
    "uscc": Text("18 位统一社会信用代码", "18-character unified social credit code"),
}
"""What a cell of each column type holds, in Chinese and English (import descriptions, templates)."""


def describe_columns(columns: Sequence[Column]) -> str:
    """The columns of an import for its OpenAPI description: Chinese first, then English."""

    def zh(column: Column) -> str:
        parts = ["必填" if column.required else "选填", TYPE_NAMES[column.type].zh]
        if column.offered:
            parts.append("可选：" + "、".join(column.offered))
        if column.min is not None and column.max is not None:
            parts.append(f"{column.min}–{column.max}")
        return f"- {column.label_zh}（{column.key}）：{'，'.join(parts)}"

    def en(column: Column) -> str:
        parts = ["required" if column.required else "optional", TYPE_NAMES[column.type].en]
        if column.choices:
            parts.append("one of: " + ", ".join(dict.fromkeys(column.choices.values())))
        if column.min is not None and column.max is not None:
            parts.append(f"{column.min}–{column.max}")
        return f"- {column.key} ({column.label_zh}): {', '.join(parts)}"

    return "\n".join(
        [
            "上传 CSV（UTF-8 或 GB18030）或 XLSX（读取第一个工作表），表单字段 file；表头可用中文或英文列名，"
            f"最多 {MAX_ROWS} 行；任何一处错误则全部不导入，并按行列出错误。可下载导入模板"
            "（/api/tenants/{tenant}/templates/{kind}.xlsx）。列：",
            *(zh(column) for column in columns),
            "",
            f"Upload a CSV (UTF-8 or GB18030) or XLSX (first sheet) as the form field `file`; headers in Chinese or "
            f"English; at most {MAX_ROWS} rows; any error rejects the whole file with a row-by-row report. "
            "A template is at /api/tenants/{tenant}/templates/{kind}.xlsx. Columns:",
            *(en(column) for column in columns),
        ]
    )


def import_route(
    run: ImportService, *, guard: Guard, summary: str, columns: Sequence[Column], path: str = "/import"
) -> HTTPRouteHandler:
    """The ``POST …/import`` route of a street-scoped controller: a caller that `guard` admits uploads the
    form field `file`, and `run` imports it (201 ``{imported}`` or 422 with the row report). The route's
    OpenAPI description lists `columns`."""

    @post(
        path,
        guards=[guard],
        exception_handlers=IMPORT_HANDLERS,
        summary=summary,
        description=describe_columns(columns),
        responses={
            422: ResponseSpec(
                data_container=ImportRejection,
                description="文件无法读取或有错误，未导入任何数据；errors 按行列出 / nothing imported: the file "
                "cannot be read or has errors, listed by row in `errors`",
            ),
        },
        request_max_body_size=MAX_UPLOAD_BYTES,
    )
    async def import_file(
        self: Controller,  # noqa: ARG001 - a controller calls its handlers as methods
        at: At,
        street_id: IdParam,
        data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> ImportResult:
        return await run(at.db, at.actor, at.tenant_id, street_id, data.file.filename, await data.file.read())

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


def _in_worker_thread(work: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`work` as a coroutine that runs it in a worker thread."""

    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return await asyncio.to_thread(work, *args, **kwargs)

    return run


@_in_worker_thread
def parse_rows(
    filename: str,
    data: bytes,
    columns: Sequence[Column],
    into: type[T],
    check: Callable[[T], list[FieldProblem]],
) -> ParsedRows[T]:
    """Read the upload into `into` Structs with `check` applied to each.

    The Structs are the JSON endpoint's input type, so a row is held to exactly the rules of a request.
    Parsing runs in a worker thread: a large workbook must not hold up the other requests.
    """
    try:
        table = read_table(filename, data, columns, max_rows=MAX_ROWS)
    except TableFileError as error:
        raise ImportRejectedError([], error.message_zh, error.message_en) from error
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


@dataclass(frozen=True)
class StreetImport(Generic[T]):
    """One kind of a street's rows as a file imports them, every row or none.

    `into` is the JSON endpoint's input type and `check` its rules, so a row is held to exactly the rules of
    a request; `values` gives a row's table columns; `vet`, when given, adds the problems found across rows
    or against the database (a repeated or registered code) to the report before anything is stored.
    """

    columns: Sequence[Column]
    into: type[T]
    check: Callable[[T], list[FieldProblem]]
    table: Table
    values: Callable[[TenantId, int, T], dict[str, Any]]
    action: str
    """The audit action, e.g. ``entity.import``."""
    vet: Callable[[AsyncSession, TenantId, ParsedRows[T]], Awaitable[None]] | None = None

    async def run(
        self, session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, filename: str, data: bytes
    ) -> ImportResult:
        """Parse the file, refuse it whole on any row error, else insert every row and audit the import on the
        street with its count and file name. The caller has checked that `actor` may write the street."""
        parsed = await parse_rows(filename, data, self.columns, self.into, self.check)
        if self.vet is not None:
            await self.vet(session, tenant, parsed)
        reject_if_any(parsed.errors)
        await insert_rows(session, self.table, [self.values(tenant, street_id, item) for _, item in parsed.items])
        await record(
            session,
            actor,
            tenant,
            self.action,
            "street",
            street_id,
            after={"count": len(parsed.items), "file": filename},
        )
        return ImportResult(imported=len(parsed.items))
