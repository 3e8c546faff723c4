"""The audit trail's hash chains (migration 0010): recompute them and name the first broken link.

Each tenant's audit rows are numbered 1, 2, 3 … (``chain_seq``); each holds the hash of the row before it
(``prev_hash``) and its own (``row_hash``, SHA-256 over ``prev_hash`` and the row's content, computed by
the database's ``audit_row_hash``). A chain is broken where

- a row's content no longer gives its hash (``content``: the row was edited),
- a row's ``prev_hash`` is not the hash of the row before it (``link``: a row before it was replaced or
  re-hashed), or
- a number is missing (``sequence``: a row was deleted).

A chain proves its rows against each other, not against the outside: the newest rows removed together
leave a shorter chain that verifies (anchoring the head elsewhere would catch that).

Verification reads every tenant's rows, so it runs as the schema owner (the CLI and the nightly
housekeeping), never inside a request.
"""

from __future__ import annotations

from typing import Final, Literal

import msgspec
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.text import Text

Problem = Literal["content", "link", "sequence"]

PROBLEMS: Final[dict[Problem, Text]] = {
    "content": Text(
        "该行内容与其哈希不符（行被修改）", "the row's content does not match its hash (the row was edited)"
    ),
    "link": Text(
        "该行记录的前一行哈希与前一行不符（前面的行被替换或重算）",
        "the row's previous hash is not the previous row's (a row before it was replaced or re-hashed)",
    ),
    "sequence": Text("链序号不连续（有行被删除）", "the chain's numbering has a gap (a row was deleted)"),
}

_VERIFY = text(
    """
WITH checked AS (
  SELECT a.tenant_id, a.id, a.chain_seq, count(*) OVER (PARTITION BY a.tenant_id) AS rows,
         a.row_hash = audit_row_hash(a) AS content_ok,
         a.prev_hash IS NOT DISTINCT FROM lag(a.row_hash) OVER w AS link_ok,
         a.chain_seq = row_number() OVER w AS sequence_ok
  FROM audit_log a
  WHERE CAST(:tenant AS text) IS NULL OR a.tenant_id = :tenant
  WINDOW w AS (PARTITION BY a.tenant_id ORDER BY a.chain_seq)
)
SELECT DISTINCT ON (tenant_id) tenant_id, rows, id, chain_seq, content_ok, link_ok, sequence_ok,
       content_ok AND link_ok AND sequence_ok AS ok
FROM checked
ORDER BY tenant_id, content_ok AND link_ok AND sequence_ok, chain_seq
"""
)
"""Per tenant, its row count and its first broken row, or (when none is broken) its first row."""


class Break(msgspec.Struct, frozen=True, kw_only=True):
    """The first broken link of a tenant's chain."""

    row_id: int
    chain_seq: int
    problem: Problem

    def describe(self, tenant: str) -> Text:
        return (
            Text(
                f"租户 {tenant} 的审计日志第 {self.row_id} 行（链序号 {self.chain_seq}）：",
                f"tenant {tenant}, audit row {self.row_id} (chain number {self.chain_seq}):",
            )
            + PROBLEMS[self.problem]
        )


class ChainReport(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    rows: int
    broken: Break | None = None


async def verify(session: AsyncSession, tenant: str | None = None) -> list[ChainReport]:
    """Every tenant's chain (or ``tenant``'s), recomputed: how many rows, and the first break if any."""
    reports = []
    for row in await session.execute(_VERIFY, {"tenant": tenant}):
        broken = None
        if not row.ok:
            # A deleted row also breaks the next row's link: the gap is the better name for it.
            problem: Problem = "content" if not row.content_ok else "sequence" if not row.sequence_ok else "link"
            broken = Break(row_id=int(row.id), chain_seq=int(row.chain_seq), problem=problem)
        reports.append(ChainReport(tenant=row.tenant_id, rows=int(row.rows), broken=broken))
    return reports
