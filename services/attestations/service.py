"""The claims of a street's operator and the city's verification of them: read, decide, attach evidence.

A claim's status as shown is the row's only while the row is about the value the operator claims now; any
other value is unverified, whatever was once decided (the facts read it the same way, services/facts).
"""

from __future__ import annotations

import hashlib
from typing import Final

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.attestations.claims import ClaimValue, claim_values, decision_row, reset, shown
from services.attestations.schemas import (
    CLAIMS,
    MAX_EVIDENCE_BYTES,
    Attestation,
    AttestationDecision,
    Evidence,
)
from services.audit.service import record
from services.errors import ForbiddenError, NotFoundError
from services.labels.labels import label
from services.models.base import utcnow
from services.shared.checks import FieldProblem
from services.shared.files import JPEG, PDF, PNG, content_type
from services.streets.service import street_of
from services.text import Text
from tenants.context import Actor, Role
from tenants.ids import TenantId

EVIDENCE_TYPES: Final = (PDF, JPEG, PNG)
_EVIDENCE: Final = Text("PDF、JPEG 或 PNG 文件", "a PDF, JPEG or PNG file")


def claim_label(claim: str) -> Text:
    return label("claim", claim)


def _shape(claim: str, value: ClaimValue, row: models.Attestation | None) -> Attestation:
    """The claim as it stands, with the row's decision only when the row is about this value."""
    kept = row if row is not None and value is not None and row.value == value else None
    evidence = None
    if kept is not None and kept.evidence is not None:
        evidence = Evidence(
            media_type=kept.evidence_type or "", size=len(kept.evidence), sha256=kept.evidence_sha256 or ""
        )
    return Attestation(
        claim=claim,  # type: ignore[arg-type]  # one of CLAIMS
        value=value,
        status="unverified" if kept is None else kept.status,  # type: ignore[arg-type]  # the table's check
        note="" if kept is None else kept.note,
        verified_by=None if kept is None else kept.verified_by,
        verified_at=None if kept is None else kept.verified_at,
        evidence=evidence,
    )


async def _claims(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, *, lock: bool = False
) -> tuple[dict[str, ClaimValue], dict[str, models.Attestation]]:
    """The street's claims as they stand and its attestation rows, the street as `actor` may see it."""
    street = await street_of(session, tenant, street_id, actor, lock=lock)
    operator = await session.get(models.Operator, (tenant, street.operator_id)) if street.operator_id else None
    query = select(models.Attestation).where(
        col(models.Attestation.tenant_id) == tenant, col(models.Attestation.street_id) == street_id
    )
    if lock:
        query = query.with_for_update()
    rows = {row.claim: row for row in (await session.execute(query)).scalars()}
    return claim_values(operator), rows


async def list_attestations(session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int) -> list[Attestation]:
    """Each claim of the street's operator and where its verification stands, for whoever may read the street."""
    values, rows = await _claims(session, actor, tenant, street_id)
    return [_shape(claim, values[claim], rows.get(claim)) for claim in CLAIMS]


async def _claimed(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, claim: str
) -> tuple[ClaimValue, models.Attestation]:
    """The claim's value and its row (new when there is none), the street locked; 422 when nothing is claimed.

    Only the city admin decides (the routes' guards say so too): the operator's own word is what is verified.
    """
    if actor.role != Role.CITY_ADMIN:
        raise ForbiddenError(Text("只有市级管理员可以核实申报", "only the city admin verifies a claim"))
    values, rows = await _claims(session, actor, tenant, street_id, lock=True)
    value = values[claim]
    if value is None:
        named = claim_label(claim)
        raise FieldProblem(
            "claim",
            f"运营机构尚未申报“{named.zh}”，无可核实",
            f"the operator has not stated {named.en}: nothing to verify",
        ).error()
    row = rows.get(claim)
    if row is None:
        row = models.Attestation(tenant_id=tenant, street_id=street_id, claim=claim, value=value)
        session.add(row)
    elif row.value != value:  # a decision on an older value says nothing of this one
        reset(row, value)
    return value, row


async def decide(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    street_id: int,
    claim: str,
    data: AttestationDecision,
    evidence: bytes | None = None,
) -> Attestation:
    """Verify or reject the claim as it stands now, with a note and, when given, an evidence file; audited."""
    note = data.note.strip()
    if data.status == "rejected" and not note:
        raise FieldProblem("note", "驳回须填写核实意见", "a rejection needs a note saying why").error()
    media_type = None if evidence is None else content_type(evidence, MAX_EVIDENCE_BYTES, EVIDENCE_TYPES, _EVIDENCE)
    value, row = await _claimed(session, actor, tenant, street_id, claim)
    before = shown(row) if row.verified_by is not None else None
    decision_row(row, actor, data.status, note, value)
    if evidence is not None and media_type is not None:
        _attach(row, evidence, media_type)
    await session.flush()
    action = "attestation.verify" if data.status == "verified" else "attestation.reject"
    await record(session, actor, tenant, action, "attestation", f"{street_id}:{claim}", before=before, after=shown(row))
    return _shape(claim, value, row)


async def attach_evidence(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, claim: str, content: bytes
) -> Attestation:
    """Attach (or replace) the claim's evidence file: PDF, JPEG or PNG by its bytes, at most 10 MB; audited."""
    media_type = content_type(content, MAX_EVIDENCE_BYTES, EVIDENCE_TYPES, _EVIDENCE)
    value, row = await _claimed(session, actor, tenant, street_id, claim)
    before = shown(row) if row.evidence is not None else None
    _attach(row, content, media_type)
    await session.flush()
    await record(
        session,
        actor,
        tenant,
        "attestation.evidence",
        "attestation",
        f"{street_id}:{claim}",
        before=before,
        after=shown(row),
    )
    return _shape(claim, value, row)


def _attach(row: models.Attestation, content: bytes, media_type: str) -> None:
    row.evidence, row.evidence_type = content, media_type
    row.evidence_sha256 = hashlib.sha256(content).hexdigest()
    row.updated_at = utcnow()


async def get_evidence(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, claim: str
) -> tuple[str, bytes]:
    """The evidence file of the claim as it stands, for whoever may read the street."""
    values, rows = await _claims(session, actor, tenant, street_id)
    row = rows.get(claim)
    if row is None or row.evidence is None or row.evidence_type is None or row.value != values[claim]:
        raise NotFoundError(
            Text(
                f"街区 {street_id} 的“{claim_label(claim).zh}”没有证明材料",
                f"street {street_id} has no evidence for {claim_label(claim).en}",
            )
        )
    return row.evidence_type, row.evidence
