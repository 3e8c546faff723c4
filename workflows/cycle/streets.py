"""The cycle activities' work on streets: reading applications and statuses, moving streets along their
lifecycle, telling the city and the operators, and the domain's refusals as failures Temporal does not retry."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Final, Literal

import msgspec
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.errors import DomainError
from services.models import Assessment, AuditLog, Street
from services.notifications.messages import AUDIENCES, notice, notice_key
from services.notifications.service import send_each
from services.shared.names import street_names
from services.streets.schemas import StreetStatus
from services.streets.service import ALLOWED_TRANSITIONS, change_status, streets_locked
from tenants.context import Actor
from tenants.ids import TenantId
from tenants.resolver import TenantNotFoundError
from workflows.cycle.payloads import AppliedStreet, Moved, NoticeSpec
from workflows.cycle.schemas import Candidate

APPLY_ACTION: Final = "cycle.apply"
"""The audit action of an application: the durable record of which streets applied in which year."""


def refused(message: str, kind: str = "Refused") -> ApplicationError:
    """A failure Temporal must not retry: the request itself is wrong, and a retry would be refused again."""
    return ApplicationError(message, type=kind, non_retryable=True)


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """Turn the domain's refusals (404, 422, an unknown tenant) into non-retryable activity failures."""
    try:
        yield
    except DomainError as exc:
        raise refused(exc.detail, type(exc).__name__) from exc
    except TenantNotFoundError as exc:
        raise refused(str(exc), "TenantNotFound") from exc


def candidate(tenant: str, row: Assessment, name: str) -> Candidate:
    """The ranking's view of an assessment: its outcome, criteria passed and the required ones not met."""
    results = row.results
    assert row.id is not None  # a stored assessment has its key
    return Candidate(
        tenant=tenant,
        street_id=row.street_id,
        name=name,
        outcome=msgspec.convert(row.outcome, Literal["pass", "fail", "incomplete"]),
        assessment_id=row.id,
        passed=sum(1 for r in results if r["result"] == "pass"),
        criteria=len(results),
        failed_required=tuple(r["id"] for r in results if r["level"] == "required" and r["result"] == "fail"),
        missing_required=tuple(r["id"] for r in results if r["level"] == "required" and r["result"] == "no_data"),
    )


async def applications(session: AsyncSession, tenant: TenantId, year: int) -> tuple[AppliedStreet, ...]:
    """The streets that applied in `year`, from their audit rows (the append-only record of applications)."""
    query = select(AuditLog.object_id).where(
        AuditLog.tenant_id == tenant,
        AuditLog.object_type == "street",
        AuditLog.action == APPLY_ACTION,
        AuditLog.after["year"].as_integer() == year,  # type: ignore[index]  # a JSONB column: SQL's ->
    )
    ids = sorted({int(object_id) for object_id in (await session.execute(query)).scalars()})
    names = await street_names(session, tenant, ids)
    return tuple(AppliedStreet(street_id=street_id, name=names[street_id]) for street_id in ids if street_id in names)


async def streets_in(session: AsyncSession, tenant: TenantId, statuses: Sequence[str]) -> tuple[int, ...]:
    query = select(Street.id).where(Street.tenant_id == tenant, col(Street.status).in_(statuses))
    ids = (await session.execute(query.order_by(col(Street.id)))).scalars()
    return tuple(street_id for street_id in ids if street_id is not None)


async def move(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_ids: Sequence[int], status: StreetStatus, reason: str
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Move each street to `status` where its lifecycle allows: (those moved now, those in `status` after)."""
    moved: list[int] = []
    now: list[int] = []
    with refusals():
        streets = await streets_locked(session, tenant, street_ids)
    for street_id, street in zip(street_ids, streets, strict=True):
        if street.status == status:
            now.append(street_id)
        elif status in ALLOWED_TRANSITIONS.get(street.status, frozenset()):
            await change_status(session, actor, tenant, street, status, reason)
            moved.append(street_id)
            now.append(street_id)
        else:
            activity.logger.warning("street %s of %s is %s: not moved to %s", street_id, tenant, street.status, status)
    return tuple(moved), tuple(now)


async def notify(
    session: AsyncSession, tenant: TenantId, street_ids: Sequence[int], spec: NoticeSpec
) -> tuple[Moved, ...]:
    """Tell the city's admins and each street's operators, in the transaction that changed the statuses."""
    if not street_ids:
        return ()
    names = await street_names(session, tenant, street_ids)
    messages = []
    for street_id in street_ids:
        key = notice_key(spec.kind, street_id, spec.year)
        messages.append((notice(spec.kind, street_id, names[street_id], spec.year, spec.due_on), key))
    sent = await send_each(session, tenant, AUDIENCES, messages)
    return tuple(
        Moved(tenant=str(tenant), street_id=street_id, name=names[street_id], webhook=each.webhook is not None)
        for street_id, each in zip(street_ids, sent, strict=True)
    )
