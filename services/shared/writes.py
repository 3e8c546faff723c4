"""How the domains write: PATCH fields given, a row saved together with its audit row, many rows in one
statement."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import msgspec
from sqlalchemy import JSON, Result, Table, text
from sqlalchemy.types import TypeEngine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.audit.service import record
from tenants.context import Actor
from tenants.ids import TenantId

M = TypeVar("M", bound=SQLModel)
S = TypeVar("S")


def assign_given(row: SQLModel, data: msgspec.Struct, *names: str) -> None:
    """Copy the fields `names` that a PATCH body gave (not UNSET) onto `row`, attribute for attribute."""
    for name in names:
        value = getattr(data, name)
        if value is not msgspec.UNSET:
            setattr(row, name, value)


async def save_recorded(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    action: str,
    row: M,
    shape: Callable[[M], S],
    *,
    object_type: str,
    object_id: object = None,
    before: Any = None,
) -> S:
    """Flush `row` (new or changed), audit `action` with `before` and the row's API shape, return that shape.

    `object_id` defaults to the shape's ``id``, which a new row only has after the flush.
    """
    session.add(row)
    await session.flush()
    after = shape(row)
    if object_id is None:
        object_id = getattr(after, "id")  # noqa: B009 - shapes without an id are given object_id
    await record(session, actor, tenant, action, object_type, object_id, before=before, after=after)
    return after


async def insert_unnest(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], tail: str) -> Result[Any]:
    """Bulk insert in the session's transaction, one statement for every row: each column goes as one typed
    array and ``unnest`` makes the rows (row-level security still checks each; COPY, which it refuses, is not
    needed). ``tail`` ends the statement: its ``ON CONFLICT`` and ``RETURNING`` clauses, the module's own text."""
    names = list(rows[0])
    if any(list(row) != names for row in rows):
        raise ValueError("every row of a bulk insert names the same columns in the same order")
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    arrays = ", ".join(
        f"CAST(:c{n} AS {table.c[name].type.compile(dialect=dialect)}[])" for n, name in enumerate(names)
    )
    listed = ", ".join(quote(name) for name in names)
    statement = text(
        f"INSERT INTO {quote(table.name)} ({listed}) SELECT * FROM unnest({arrays}) {tail}"  # noqa: S608 - the table's own names
    )
    return await session.execute(
        statement, {f"c{n}": _column(table.c[name].type, [row[name] for row in rows]) for n, name in enumerate(names)}
    )


def _column(kind: TypeEngine[Any], values: list[Any]) -> list[Any]:
    """One column's array: a JSON column's values go as JSON text (the driver encodes a ``jsonb[]``'s elements
    as text, not as the objects its ``jsonb`` codec takes); None is JSON's null, as the ORM stores it, unless the
    column says SQL NULL."""
    if isinstance(kind, JSON):
        null = kind.none_as_null
        return [None if value is None and null else msgspec.json.encode(value).decode() for value in values]
    return values


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """:func:`insert_unnest`; the new ids in row order: identity values are drawn in the order the rows are
    inserted, which is the arrays' order, so the ids sorted are the rows' ids in order."""
    if not rows:
        return []
    return sorted((await insert_unnest(session, table, rows, "RETURNING id")).scalars())
