"""The thin client the HTTP layer uses to start, read and update the annual cycle's workflows.

It imports no activity or workflow code (DESIGN.md): it starts, queries and updates workflows by name
with the Structs of :mod:`workflows.cycle.schemas`, and turns Temporal's answers into three outcomes the
HTTP layer maps to status codes: a view, :class:`CycleNotFoundError` (404) or :class:`CycleRejectedError`
(422, with the validator's or the domain's message); a closed workflow is :class:`CycleClosedError`, a
kind of rejection.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, Final, TypeVar

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import FailureError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from workflows.cycle.schemas import (
    APPLY,
    CITY_CYCLE,
    CONFIGURE,
    DESIGNATE,
    RECOMMEND,
    VIEW,
    Application,
    CycleInput,
    CycleSettings,
    CycleView,
    Designation,
    Recommendation,
    ReevaluationView,
    SelectionView,
    cycle_id,
    reevaluation_id,
    selection_id,
)

QUERY_TIMEOUT: Final = timedelta(seconds=10)
"""A query needs a worker to answer it; without one the request fails rather than hangs."""
CONFIGURE_TIMEOUT: Final = timedelta(seconds=10)
"""A configuration change waits this long for the cycle to accept it (it runs no activity), then gives up."""
View = TypeVar("View", CycleView, SelectionView, ReevaluationView)
T = TypeVar("T")


class CycleNotFoundError(LookupError):
    """No such workflow: the cycle (or selection) of that year was never started."""


class CycleRejectedError(ValueError):
    """The workflow refused the request: its message says why, in Chinese then English."""


class CycleClosedError(CycleRejectedError):
    """The workflow exists but no longer runs: a closed year takes no more requests."""


def _reason(error: BaseException) -> str:
    """The innermost failure's message: a validator's rejection, or the activity's refusal under a handler."""
    message = str(error)
    cause: BaseException | None = error.cause if isinstance(error, WorkflowUpdateFailedError) else error
    while cause is not None:
        if isinstance(cause, FailureError):
            message = cause.message
        cause = cause.__cause__
    return message


async def query(handle: WorkflowHandle[Any, Any], name: str, result_type: type[T]) -> T | None:
    """The workflow's answer to the query `name`; None when no such workflow exists."""
    try:
        answer: T = await handle.query(name, result_type=result_type, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return answer


async def _update(handle: WorkflowHandle[Any, Any], update: str, arg: Any, result_type: type[View]) -> View:
    try:
        result: View = await handle.execute_update(update, arg, result_type=result_type)
    except WorkflowUpdateFailedError as exc:
        raise CycleRejectedError(_reason(exc)) from exc
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        try:
            await handle.describe()
        except RPCError as missing:
            raise CycleNotFoundError(handle.id) from missing
        # It exists but no longer runs: a closed year takes no more requests.
        raise CycleClosedError(f"{handle.id} 已结束 / {handle.id} has closed") from exc
    return result


async def start_cycle(client: Client, tenant: str, year: int, task_queue: str) -> bool:
    """Start the city's cycle of `year` unless that id already ran or runs; whether this call started it."""
    try:
        await client.start_workflow(
            CITY_CYCLE,
            CycleInput(tenant=str(tenant), year=year),  # str: a TenantId is a str subclass msgspec will not encode
            id=cycle_id(tenant, year),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        )
    except WorkflowAlreadyStartedError:
        return False
    return True


async def cycle_view(client: Client, tenant: str, year: int) -> CycleView | None:
    return await query(client.get_workflow_handle(cycle_id(tenant, year)), VIEW, CycleView)


async def apply(client: Client, tenant: str, year: int, application: Application) -> CycleView:
    return await _update(client.get_workflow_handle(cycle_id(tenant, year)), APPLY, application, CycleView)


async def recommend(client: Client, tenant: str, year: int, recommendation: Recommendation) -> CycleView:
    return await _update(client.get_workflow_handle(cycle_id(tenant, year)), RECOMMEND, recommendation, CycleView)


async def configure(client: Client, tenant: str, year: int, change: CycleSettings) -> CycleView | None:
    """Hand a configuration change to the city's running cycle of `year`, which validates and applies it.

    The cycle's view after the change; None when that year's cycle does not run (never started, or closed);
    :class:`CycleRejectedError` when the cycle refuses; TimeoutError when no worker answers in
    :data:`CONFIGURE_TIMEOUT`.
    """
    handle = client.get_workflow_handle(cycle_id(tenant, year))
    try:
        async with asyncio.timeout(CONFIGURE_TIMEOUT.total_seconds()):
            return await _update(handle, CONFIGURE, change, CycleView)
    except (CycleNotFoundError, CycleClosedError):
        return None


async def selection_view(client: Client, province: str, year: int) -> SelectionView | None:
    return await query(client.get_workflow_handle(selection_id(province, year)), VIEW, SelectionView)


async def designate(client: Client, province: str, year: int, designation: Designation) -> SelectionView:
    handle = client.get_workflow_handle(selection_id(province, year))
    return await _update(handle, DESIGNATE, designation, SelectionView)


async def reevaluation_view(client: Client, tenant: str, year: int) -> ReevaluationView | None:
    return await query(client.get_workflow_handle(reevaluation_id(tenant, year)), VIEW, ReevaluationView)
