"""The thin client the HTTP layer uses to tell a street's tracking workflow about a submitted report,
and a city's tracking workflows about its new deadline day and escalation delay.

It imports no activity or workflow code (DESIGN.md: the HTTP layer signals workflows through a
thin client), only the names and ids in :mod:`workflows.tracking.schemas` and :func:`workflows.client.query`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Final, Protocol

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from workflows.client import query
from workflows.tracking.schemas import (
    REPORT_SUBMITTED,
    RESCHEDULE,
    STATUS,
    StreetYearStatus,
    TrackingSettings,
    street_year_id,
)

RESCHEDULE_CONCURRENCY: Final = 16
"""Updates in flight at once when a city's tracking workflows are rescheduled."""

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
    return await query(client.get_workflow_handle(street_year_id(tenant, street_id, year)), STATUS, StreetYearStatus)


async def reschedule(
    client: Client, tenant: str, street_ids: Iterable[int], years: Iterable[int], settings: TrackingSettings
) -> tuple[int, ...]:
    """Send ``settings`` to the tracking workflow of each street and year that runs; the streets that took them.

    A street or year without a running workflow, or one whose tracking has ended, is skipped: nothing
    there waits for a date. Any other failure (Temporal down, no worker answering) raises, so the save
    that asked can refuse and write nothing.
    """
    limit = asyncio.Semaphore(RESCHEDULE_CONCURRENCY)

    async def one(street_id: int, year: int) -> int | None:
        handle = client.get_workflow_handle(street_year_id(tenant, street_id, year))
        async with limit:
            try:
                await handle.execute_update(RESCHEDULE, settings, result_type=StreetYearStatus)
            except WorkflowUpdateFailedError:
                return None  # the year's tracking has ended
            except RPCError as exc:
                if exc.status == RPCStatusCode.NOT_FOUND:
                    return None
                raise
        return street_id

    targets = [(street_id, year) for street_id in street_ids for year in years]
    taken = await asyncio.gather(*(one(street_id, year) for street_id, year in targets))
    return tuple(sorted({street_id for street_id in taken if street_id is not None}))
