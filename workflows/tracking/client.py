"""The thin client the HTTP layer uses to tell a street's tracking workflow about a submitted report.

It imports no activity or workflow code (DESIGN.md: the HTTP layer signals workflows through a
thin client), only the names and ids in :mod:`workflows.tracking.schemas`.
"""

from __future__ import annotations

import logging
from typing import Protocol

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from workflows.tracking.schemas import REPORT_SUBMITTED, STATUS, StreetYearStatus, street_year_id

log = logging.getLogger(__name__)


class TemporalSource(Protocol):
    """What the signal needs from the process: its Temporal client, connected on first use.

    The application's context is one; the client takes this rather than the context so that it imports
    nothing from services/.
    """

    async def temporal(self) -> Client: ...


async def report_submitted(client: Client, tenant: str, street_id: int, year: int, month: int) -> bool:
    """Signal ``street:{tenant}:{street}:{year}`` that ``month``'s report is in; False when no such workflow runs.

    A street that is not tracked (not designated, or its year's workflow has ended) has no workflow:
    that is normal, not an error. A missed signal is harmless anyway: at the deadline the workflow
    checks the database before it reminds anyone.
    """
    handle = client.get_workflow_handle(street_year_id(tenant, street_id, year))
    try:
        await handle.signal(REPORT_SUBMITTED, month)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def after_report_committed(source: TemporalSource, tenant: str, street_id: int, month: str) -> None:
    """Signal the report of ``month`` (``YYYY-MM``) once the request that saved it has committed.

    Run as the response's background task. Nothing here may fail the request, which has already
    succeeded: without Temporal (tests, tools) or with Temporal down the signal is skipped and logged,
    and the workflow finds the report in the database at the deadline instead.
    """
    year, number = (int(part) for part in month.split("-"))
    try:
        client = await source.temporal()
        await report_submitted(client, tenant, street_id, year, number)
    except RuntimeError:
        log.debug("no Temporal server: report %s of street %s not signalled", month, street_id)
    except RPCError as exc:
        log.warning("report %s of street %s not signalled: %s", month, street_id, exc)


async def street_year_status(client: Client, tenant: str, street_id: int, year: int) -> StreetYearStatus | None:
    """The street's due and missing reports of ``year``, or None when it is not tracked that year."""
    handle = client.get_workflow_handle(street_year_id(tenant, street_id, year))
    try:
        status: StreetYearStatus = await handle.query(STATUS, result_type=StreetYearStatus)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return status
