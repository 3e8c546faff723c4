"""The operator's claims kept in step with their verification: what the street's own writes do to it.

Whatever the city admin enters itself counts as verified; a claim anyone else changes is unverified again, its
note and evidence dropped with the value they were about. Kept apart from the API's operations so that the
streets service, which every street write goes through, can call it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.attestations.schemas import CLAIMS
from services.audit.service import record
from services.labels.labels import label
from services.models.base import utcnow
from services.notifications.messages import claims_unverified, claims_unverified_key
from services.notifications.service import send
from tenants.context import Actor, Role
from tenants.ids import TenantId

ENTERED_BY_CITY: Final = "市级管理员录入"
"""The note of a claim the city admin entered itself."""

ClaimValue = bool | str | None


def claim_values(operator: models.Operator | None) -> dict[str, ClaimValue]:
    """The operator's claims as they stand (None: nothing claimed, or no operator)."""
    return {claim: None if operator is None else getattr(operator, claim) for claim in CLAIMS}


def decision_row(
    row: models.Attestation, actor: Actor, status: str, note: str, value: ClaimValue
) -> models.Attestation:
    """`row` decided by `actor` on the claim's current `value`."""
    row.value, row.status, row.note = value, status, note
    row.verified_by, row.verified_at = actor.username, utcnow()
    row.updated_at = utcnow()
    return row


def reset(row: models.Attestation, value: ClaimValue) -> None:
    """`row` about the claim's new `value`, unverified: the decision, its note and evidence were about another."""
    row.value, row.status, row.note, row.verified_by, row.verified_at = value, "unverified", "", None, None
    row.evidence, row.evidence_sha256, row.evidence_type = None, None, None
    row.updated_at = utcnow()


def shown(row: models.Attestation) -> dict[str, Any]:
    """What the audit log keeps of a row: never the evidence's bytes, only its hash."""
    return {
        "claim": row.claim,
        "value": row.value,
        "status": row.status,
        "note": row.note,
        "evidenceSha256": row.evidence_sha256,
        "evidenceType": row.evidence_type,
    }


async def claims_changed(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    street_id: int,
    before: Mapping[str, ClaimValue],
    after: Mapping[str, ClaimValue],
) -> None:
    """After a street write: each claim whose value changed is verified when the city admin wrote it, and goes
    back to unverified otherwise; a claim withdrawn (no value) has nothing left to verify. Audited per claim;
    the city's admins are told of the claims that now await their verification."""
    awaiting: list[tuple[str, ClaimValue]] = []
    for claim in CLAIMS:
        value = after.get(claim)
        if before.get(claim) == value:
            continue
        row = await session.get(models.Attestation, (tenant, street_id, claim))
        if value is None:
            if row is not None:
                await session.delete(row)
            continue
        if row is None:
            row = models.Attestation(tenant_id=tenant, street_id=street_id, claim=claim, value=value)
            session.add(row)
        if actor.role == Role.CITY_ADMIN:
            decision_row(row, actor, "verified", ENTERED_BY_CITY, value)
        else:
            reset(row, value)
            awaiting.append((claim, value))
        await session.flush()
        action = "attestation.verify" if row.status == "verified" else "attestation.reset"
        await record(session, actor, tenant, action, "attestation", f"{street_id}:{claim}", after=shown(row))
    if awaiting:
        await _tell_city(session, tenant, street_id, awaiting)


async def _tell_city(
    session: AsyncSession, tenant: TenantId, street_id: int, awaiting: Sequence[tuple[str, ClaimValue]]
) -> None:
    street = await session.get(models.Street, (tenant, street_id))
    name = street.name if street is not None else str(street_id)
    message = claims_unverified(street_id, name, [label("claim", claim) for claim, _ in awaiting])
    # A request, not automated work: the message is written in the app; no webhook step follows it.
    await send(session, tenant, ("city_admins",), message, claims_unverified_key(tenant, street_id, awaiting))
