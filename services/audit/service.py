"""Write one audit row per change, in the same transaction as the change itself."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import msgspec
from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.errors import InvalidError
from services.models import AuditLog
from services.province_report.exports import MEDIA_TYPES, Export
from services.shared.bounds import date_problem
from services.shared.paging import Page, fetch_page
from services.shared.tabular.writing import write_csv
from services.text import Text
from tenants.calendar import CHINA_TIME, day_end, day_start
from tenants.context import Actor, Role
from tenants.ids import TenantId


def snapshot(value: Any) -> dict[str, Any] | None:
    """A JSON-safe copy of a Struct, a table row or a dict for the before/after columns."""
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    return msgspec.to_builtins(value, builtin_types=(), str_keys=True)  # type: ignore[no-any-return]


async def record(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    action: str,
    object_type: str,
    object_id: object,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    """Add the audit row of ``action`` on ``object_type``/``object_id`` to the current unit of work."""
    session.add(
        AuditLog(
            tenant_id=tenant,
            actor=actor.username,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=snapshot(before),
            after=snapshot(after),
            request_id=actor.request_id,
        )
    )


async def list_entries(
    session: AsyncSession, tenant: TenantId, *, object_type: str | None = None, limit: int = 100, offset: int = 0
) -> Page[AuditLog]:
    """The newest audit rows of ``tenant``, optionally of one object type."""
    query = select(AuditLog).where(AuditLog.tenant_id == tenant)
    if object_type is not None:
        query = query.where(AuditLog.object_type == object_type)
    query = query.order_by(AuditLog.id.desc())  # type: ignore[union-attr]
    return (await fetch_page(session, query, limit=limit, offset=offset)).map(lambda row: row[0])


EXPORT_LIMIT: Final = 200_000
"""Rows in one download; a longer range is refused, asking for a shorter one."""
EXPORT_HEADERS: Final = (
    "链序号 chain no.",
    "时间（北京时间）time (China)",
    "操作人 actor",
    "操作 action",
    "对象类型 object type",
    "对象编号 object id",
    "变更前 before",
    "变更后 after",
    "请求编号 request id",
    "前一行哈希 previous hash",
    "本行哈希 row hash",
)


async def export_csv(session: AsyncSession, tenant: TenantId, first: dt.date, last: dt.date) -> Export:
    """``tenant``'s audit rows of the days ``first``..``last`` (China time) in chain order, as CSV with BOM.

    Each row carries its place in the chain and its hashes, so a download can be checked against the chain
    (``jiequ audit verify``) and two downloads against each other.
    """
    for field, day in (("from", first), ("to", last)):
        if (problem := date_problem(field, day)) is not None:
            raise InvalidError(problem)
    if last < first:
        raise InvalidError(
            Text(f"结束日期 {last} 早于开始日期 {first}", f"the range ends ({last}) before it starts ({first})")
        )
    query = text(
        "SELECT chain_seq, at, actor, action, object_type, object_id, before, after, request_id, prev_hash, row_hash"
        " FROM audit_log WHERE tenant_id = :tenant AND at >= :start AND at < :end ORDER BY chain_seq LIMIT :limit"
    )
    params = {"tenant": tenant, "start": day_start(first), "end": day_end(last), "limit": EXPORT_LIMIT + 1}
    rows = (await session.execute(query, params)).all()
    if len(rows) > EXPORT_LIMIT:
        raise InvalidError(
            Text(
                f"该时段的审计记录超过 {EXPORT_LIMIT:,} 行，请缩短日期范围",
                f"the range holds more than {EXPORT_LIMIT:,} audit rows; choose a shorter one",
            )
        )
    content = write_csv(
        EXPORT_HEADERS,
        (
            (
                row.chain_seq,
                row.at.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M:%S"),
                row.actor,
                row.action,
                row.object_type,
                row.object_id,
                _json(row.before),
                _json(row.after),
                row.request_id or "",
                row.prev_hash.hex() if row.prev_hash else "",
                row.row_hash.hex(),
            )
            for row in rows
        ),
    )
    return Export(
        content=content,
        media_type=MEDIA_TYPES["csv"],
        filename=f"audit-{tenant}-{first.isoformat()}-{last.isoformat()}.csv",
        filename_zh=f"审计日志-{tenant}-{first.isoformat()}-{last.isoformat()}.csv",
    )


def _json(value: Any) -> str:
    return "" if value is None else msgspec.json.encode(value).decode()


PERSONAL_DATA_READERS: Final = frozenset({Role.DEPARTMENT_VIEWER})
"""Whose reads of personal data (names, notes of the support ledger) go into the audit trail: the partner
departments, which read the programme from outside the people's service (work plan 三(二))."""


async def record_read(
    session: AsyncSession, actor: Actor, tenant: TenantId, object_type: str, object_id: object, **detail: Any
) -> None:
    """When ``actor`` is a partner department, audit its read of ``tenant``'s personal data (``object_type``/
    ``object_id``, e.g. ``ledger``/``list``, with ``detail`` such as the rows read) as ``personal_data.read``.

    It runs in the read's transaction, so a read whose audit row cannot be written fails with it.
    """
    if actor.role not in PERSONAL_DATA_READERS:
        return
    await session.execute(
        text("SELECT audit_read(:tenant, :actor, :object_type, :object_id, CAST(:after AS jsonb), :request_id)"),
        {
            "tenant": tenant,
            "actor": actor.username,
            "object_type": object_type,
            "object_id": str(object_id),
            "after": msgspec.json.encode(detail).decode(),
            "request_id": actor.request_id,
        },
    )
