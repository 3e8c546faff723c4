"""Reads the pages need that no domain service offers yet, each to move into its domain's service.py.

They run in the request's transaction under row-level security and scope by tenant like the services do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.overlay import Ruleset
from services import models
from services.assessments.service import stored_ruleset
from services.streets.schemas import Street
from tenants.ids import TenantId


class AssessmentLine(msgspec.Struct, frozen=True, kw_only=True):
    """One assessment as a list shows it: which street, which year, the outcome, when."""

    id: int
    street_id: int
    year: int
    outcome: str
    kind: str
    created_at: dt.datetime


async def latest_assessments(session: AsyncSession, tenant: TenantId, *, limit: int) -> list[AssessmentLine]:
    """The city's newest assessments across its streets, in one query (for services/assessments)."""
    row = models.Assessment
    query = (
        select(row).where(row.tenant_id == tenant).order_by(col(row.created_at).desc(), col(row.id).desc()).limit(limit)
    )
    return [
        AssessmentLine(
            id=a.id or 0, street_id=a.street_id, year=a.year, outcome=a.outcome, kind=a.kind, created_at=a.created_at
        )
        for a in (await session.exec(query)).all()
    ]


async def assessment_ruleset(session: AsyncSession, tenant: TenantId, assessment_id: int) -> Ruleset | None:
    """The ruleset an assessment was judged by, as it stored it (for services/assessments)."""
    row = models.Assessment
    query = select(row).where(row.tenant_id == tenant, row.id == assessment_id)
    found = (await session.exec(query)).first()
    return stored_ruleset(found) if found is not None else None


def matching_streets(
    streets: Sequence[Street], *, search: str | None, theme: str | None, district: str | None
) -> list[Street]:
    """The streets whose name or operator contains ``search``, of ``theme`` and in ``district``.

    For services/streets' list once it takes these filters and counts the total itself; until then the
    page reads the city's streets once and narrows them here.
    """
    needle = (search or "").strip().casefold()
    return [
        street
        for street in streets
        if (
            not needle
            or needle in street.name.casefold()
            or (street.operator is not None and needle in street.operator.name.casefold())
        )
        and (not theme or street.theme == theme)
        and (not district or street.district == district)
    ]
