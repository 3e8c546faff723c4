"""The annual cycle's activities: every read and write of the selection, the city cycle and the re-evaluation.

Each is idempotent, because Temporal retries an activity whose completion it did not record even when its
transaction did commit:
- applications: the street row is locked and an application already in the audit log is not written again;
- assessments: stored under an idempotency key `{kind}:{tenant}:{year}:{street}` (services.assessments
  returns the stored row on a retry; its key format puts the street last);
- status changes: `set_status` writes nothing when the street already has the status, and the notices
  go out in the same transaction only for streets whose status did change;
- signals to the selection and to the cities replace state rather than add to it.
A refusal by the domain (unknown street, a transition the lifecycle forbids) is a non-retryable
`ApplicationError`, so a bad request fails its Update at once instead of being retried.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import date
from typing import Final, Literal

import msgspec
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from services.assessments.service import assess_streets
from services.audit.service import record
from services.context import AppContext
from services.errors import DomainError
from services.models import Assessment, AuditLog, Street
from services.notifications.messages import AUDIENCES, NoticeKind, notice, notice_key
from services.notifications.service import send
from services.streets.schemas import StreetStatus
from services.streets.service import ALLOWED_TRANSITIONS, set_status, street_of
from services.tenancy.service import get_settings, settings_problem
from tenants.config import window_problem
from tenants.context import SYSTEM_ACTOR, Actor
from tenants.ids import TenantId
from tenants.resolver import TenantNotFoundError, resolve
from workflows.client import start_cycle
from workflows.cycle.schemas import (
    RECOMMENDATIONS,
    SELECTION,
    SELECTION_CLOSED,
    VIEW,
    AssessmentKind,
    Candidate,
    CityRecommendations,
    CycleInput,
    Payload,
    SelectionClosed,
    SelectionInput,
    SelectionView,
    cycle_id,
    selection_id,
    window_dates,
)
from workflows.heartbeats import heartbeating
from workflows.tenancy import transaction
from workflows.tracking.schemas import TRACKED_STATUSES

APPLY_ACTION: Final = "cycle.apply"
"""The audit action of an application: the durable record of which streets applied in which year."""
INVALID_SETTINGS: Final = "InvalidSettings"
"""The failure type of an activity that met a setting it cannot work with: the cycle stops and tells the city."""
REEVALUATED_STATUSES: Final = ("pilot", "designated")
"""Streets judged at year end; one already in rectification is judged by its own re-assessment."""


class NoticeSpec(Payload, frozen=True, kw_only=True):
    """What the streets' users are told when their status changes."""

    kind: NoticeKind
    year: int
    due_on: date | None = None


# One input type per activity (STYLE.md 7).
class OpeningInput(Payload, frozen=True, kw_only=True):
    tenant: str
    year: int


class AppliedStreet(Payload, frozen=True, kw_only=True):
    street_id: int
    name: str


class CycleOpening(Payload, frozen=True, kw_only=True):
    """What a city's cycle needs to begin: its province, window, tracked streets, applications so far."""

    province: str
    window: tuple[date, date]
    tracked: tuple[int, ...]
    applications: tuple[AppliedStreet, ...]
    selection_designated: tuple[int, ...] | None
    """The city's designated streets when the province's selection has already closed, else None."""


class ApplicationInput(Payload, frozen=True, kw_only=True):
    tenant: str
    year: int
    street_id: int
    applied_by: str


class AssessInput(Payload, frozen=True, kw_only=True):
    tenant: str
    year: int
    street_ids: tuple[int, ...]
    kind: AssessmentKind


class StatusInput(Payload, frozen=True, kw_only=True):
    tenant: str
    street_ids: tuple[int, ...]
    status: StreetStatus
    reason: str
    changed_by: str = SYSTEM_ACTOR
    notice: NoticeSpec | None = None


class SubmitInput(Payload, frozen=True, kw_only=True):
    province: str
    year: int
    recommendations: CityRecommendations


class TargetInput(Payload, frozen=True, kw_only=True):
    province: str


class DesignateInput(Payload, frozen=True, kw_only=True):
    province: str
    year: int
    streets: tuple[Candidate, ...]
    designated_by: str
    target: int
    override_reason: str | None


class AnnounceInput(Payload, frozen=True, kw_only=True):
    province: str
    year: int
    designated: tuple[Candidate, ...]


class Moved(Payload, frozen=True, kw_only=True):
    """A street whose status an activity changed; the workflow posts the notice to the city's webhook."""

    tenant: str
    street_id: int
    name: str
    webhook: bool
    """Whether the city has a webhook (otherwise there is nothing to post)."""


class StatusResult(Payload, frozen=True, kw_only=True):
    now: tuple[int, ...]
    """The streets in the new status after the change (moved now or before)."""
    moved: tuple[Moved, ...]


class ReevaluationOpening(Payload, frozen=True, kw_only=True):
    street_ids: tuple[int, ...]
    rectification_days: int


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


class CycleActivities:
    """The cycle's activities over the process's database, tenant directory, rules engine and Temporal client."""

    def __init__(self, context: AppContext, client: Client) -> None:
        self.context = context
        self.client = client

    @contextlib.asynccontextmanager
    async def _city(self, tenant: str, username: str = SYSTEM_ACTOR) -> AsyncIterator[tuple[AsyncSession, Actor]]:
        """A transaction on one city as the system, or as the person whose request the workflow carries out."""
        with refusals():
            actor = self.context.directory.system_actor(tenant)
        actor = msgspec.structs.replace(actor, username=username)
        async with transaction(self.context, actor) as session:
            yield session, actor

    def _province_of(self, tenant: str) -> str:
        info = self.context.directory.get(tenant)
        if info is None or info.parent is None:
            raise refused(f"{tenant} 不是地市租户 / {tenant} is not a city tenant", "NotACity")
        return info.parent

    @activity.defn(name="cycle_opening")
    async def cycle_opening(self, params: OpeningInput) -> CycleOpening:
        """The city's settings, its tracked streets and the applications already recorded for the year."""
        province = self._province_of(params.tenant)
        async with self._city(params.tenant) as (session, actor):
            tenant = resolve(actor, params.tenant)
            # FOR SHARE: a configuration being saved is read once its transaction ends (services/tenancy).
            settings = await get_settings(session, tenant, lock=True)
            problem = window_problem(settings.application_window)
            if problem is not None:
                raise refused(str(settings_problem(problem)), INVALID_SETTINGS)
            tracked = await _streets_in(session, tenant, TRACKED_STATUSES)
            applied = await _applications(session, tenant, params.year)
        return CycleOpening(
            province=province,
            window=window_dates(settings.application_window, params.year),
            tracked=tracked,
            applications=applied,
            selection_designated=await self._closed_selection(province, params.tenant, params.year),
        )

    async def _closed_selection(self, province: str, tenant: str, year: int) -> tuple[int, ...] | None:
        """A cycle started after its province designated learns the outcome here rather than by signal."""
        try:
            view = await self.client.get_workflow_handle(selection_id(province, year)).query(
                VIEW, result_type=SelectionView
            )
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return None
            raise
        if view.phase != "closed":
            return None
        return tuple(c.street_id for c in view.designated if c.tenant == tenant)

    @activity.defn(name="cycle_record_application")
    async def record_application(self, params: ApplicationInput) -> AppliedStreet:
        """Record the street's application for the year (audited once); only a street in status applied may."""
        async with self._city(params.tenant, params.applied_by) as (session, actor):
            tenant = resolve(actor, params.tenant)
            with refusals():
                # The lock serialises two concurrent attempts, so the check below sees the other's row.
                street = await street_of(session, tenant, params.street_id, actor, lock=True)
            if street.status != "applied":
                raise refused(
                    f"街区 {params.street_id} 的状态为“{street.status}”，不能申报 / street {params.street_id} "
                    f"is '{street.status}' and cannot apply (only a street in status 'applied' may)",
                    "NotApplicable",
                )
            if params.street_id not in {s.street_id for s in await _applications(session, tenant, params.year)}:
                await record(
                    session,
                    actor,
                    tenant,
                    APPLY_ACTION,
                    "street",
                    params.street_id,
                    after={"year": params.year, "status": "applied"},
                )
        return AppliedStreet(street_id=params.street_id, name=street.name)

    @activity.defn(name="cycle_assess")
    @heartbeating
    async def assess(self, params: AssessInput) -> tuple[Candidate, ...]:
        """Assess the streets with the year's effective rules (screening, annual or rectification), once each."""
        if not params.street_ids:
            return ()
        async with self._city(params.tenant) as (session, actor):
            tenant = resolve(actor, params.tenant)
            with refusals():
                rows = await assess_streets(
                    session,
                    actor,
                    tenant,
                    list(params.street_ids),
                    params.year,
                    self.context.rules_engine,
                    kind=params.kind,
                    key_prefix=f"{params.kind}:{params.tenant}:{params.year}",
                )
            names = await _names(session, tenant, params.street_ids)
        return tuple(candidate(params.tenant, row, names[row.street_id]) for row in rows)

    @activity.defn(name="cycle_change_status")
    @heartbeating
    async def change_status(self, params: StatusInput) -> StatusResult:
        """Move the streets to `status` (audited) and notify the users of those that moved.

        A street whose status no longer allows the move (withdrawn meanwhile, say) is left as it is and
        left out of the result, so one withdrawal does not fail a whole city's re-evaluation.
        """
        async with self._city(params.tenant, params.changed_by) as (session, actor):
            tenant = resolve(actor, params.tenant)
            moved, now = await _move(session, actor, tenant, params.street_ids, params.status, params.reason)
            announced = await notify(session, tenant, moved, params.notice) if params.notice is not None else ()
        return StatusResult(now=now, moved=announced)

    @activity.defn(name="cycle_submit_recommendations")
    async def submit_recommendations(self, params: SubmitInput) -> None:
        """Hand the city's recommendations to the province's selection, starting it if it is not running.

        Signal-with-start is atomic, and the selection replaces a city's set, so a retry is harmless.
        """
        try:
            await self.client.start_workflow(
                SELECTION,
                SelectionInput(province=params.province, year=params.year),
                id=selection_id(params.province, params.year),
                task_queue=self.context.settings.task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                start_signal=RECOMMENDATIONS,
                start_signal_args=[params.recommendations],
            )
        except WorkflowAlreadyStartedError as exc:
            raise refused(
                f"{params.year} 年省级评选已结束 / the province's {params.year} selection has closed", "SelectionClosed"
            ) from exc

    @activity.defn(name="cycle_selection_target")
    async def selection_target(self, params: TargetInput) -> int:
        """The province's pilot target for the selection that is starting (POLICY.md 一(三), default 20)."""
        async with self._city(params.province) as (session, actor):
            return (await get_settings(session, resolve(actor, params.province))).pilot_target

    @activity.defn(name="cycle_designate")
    @heartbeating
    async def designate(self, params: DesignateInput) -> tuple[Moved, ...]:
        """Make the streets pilots, in one transaction across their cities, with the province's audit row.

        The province's row (with any override reason) is written only when some street changed, so a
        retry after a commit writes nothing. Returns the streets that changed.
        """
        directory = self.context.directory
        cities = sorted({c.tenant for c in params.streets})
        for city in cities:
            if self._province_of(city) != params.province:
                raise refused(f"{city} 不属于 {params.province} / {city} is not a city of {params.province}")
        with refusals():
            province_actor = msgspec.structs.replace(
                directory.system_actor(params.province), username=params.designated_by
            )
            city_actors = {
                city: msgspec.structs.replace(directory.system_actor(city), username=params.designated_by)
                for city in cities
            }
        reason = f"{params.year} 年省级试点认定 / designated a {params.year} pilot by the province"
        changed: list[Moved] = []
        async with transaction(self.context, province_actor, *city_actors.values()) as session:
            for city in cities:
                actor = city_actors[city]
                tenant = resolve(actor, city)
                ids = tuple(c.street_id for c in params.streets if c.tenant == city)
                moved, _ = await _move(session, actor, tenant, ids, "pilot", reason)
                changed += await notify(session, tenant, moved, NoticeSpec(kind="designated", year=params.year))
            if changed:
                province = resolve(province_actor, params.province)
                await record(
                    session,
                    province_actor,
                    province,
                    "selection.designate",
                    "selection",
                    f"{params.year}",
                    after={
                        "year": params.year,
                        "streets": [{"tenant": c.tenant, "streetId": c.street_id} for c in params.streets],
                        "target": params.target,
                        "overTarget": len(params.streets) > params.target,
                        "notPassing": [c.street_id for c in params.streets if c.outcome != "pass"],
                        "overrideReason": params.override_reason,
                    },
                )
        return tuple(changed)

    @activity.defn(name="cycle_announce_selection")
    async def announce_selection(self, params: AnnounceInput) -> None:
        """Tell every city's cycle which of its streets the province designated (a signal replaces, so a
        retry is harmless); each city then returns its other recommended streets to applied."""
        for city in self.context.directory.children(params.province):
            closed = SelectionClosed(designated=tuple(c.street_id for c in params.designated if c.tenant == city))
            handle = self.client.get_workflow_handle(cycle_id(city, params.year))
            try:
                await handle.signal(SELECTION_CLOSED, closed)
            except RPCError as exc:
                # A city without a running cycle this year has nothing to be told; it reads the outcome
                # from the selection if its cycle starts later (`cycle_opening`).
                if exc.status != RPCStatusCode.NOT_FOUND:
                    raise

    @activity.defn(name="cycle_start")
    async def start_cycle(self, params: CycleInput) -> bool:
        """Start a city's cycle of a year (the next one, from the closing year); False when it already ran."""
        return await start_cycle(self.client, params.tenant, params.year, self.context.settings.task_queue)

    @activity.defn(name="cycle_reevaluation_opening")
    async def reevaluation_opening(self, params: OpeningInput) -> ReevaluationOpening:
        """The city's pilots and designated streets, and its rectification period (default 90 days)."""
        async with self._city(params.tenant) as (session, actor):
            tenant = resolve(actor, params.tenant)
            settings = await get_settings(session, tenant)
            return ReevaluationOpening(
                street_ids=await _streets_in(session, tenant, REEVALUATED_STATUSES),
                rectification_days=settings.rectification_days,
            )


async def _applications(session: AsyncSession, tenant: TenantId, year: int) -> tuple[AppliedStreet, ...]:
    """The streets that applied in `year`, from their audit rows (the append-only record of applications)."""
    query = select(AuditLog.object_id).where(
        AuditLog.tenant_id == tenant,
        AuditLog.object_type == "street",
        AuditLog.action == APPLY_ACTION,
        AuditLog.after["year"].as_integer() == year,  # type: ignore[index]  # a JSONB column: SQL's ->
    )
    ids = sorted({int(object_id) for object_id in (await session.execute(query)).scalars()})
    names = await _names(session, tenant, ids)
    return tuple(AppliedStreet(street_id=street_id, name=names[street_id]) for street_id in ids if street_id in names)


async def _streets_in(session: AsyncSession, tenant: TenantId, statuses: Sequence[str]) -> tuple[int, ...]:
    query = select(Street.id).where(Street.tenant_id == tenant, col(Street.status).in_(statuses))
    ids = (await session.execute(query.order_by(col(Street.id)))).scalars()
    return tuple(street_id for street_id in ids if street_id is not None)


async def _names(session: AsyncSession, tenant: TenantId, street_ids: Sequence[int]) -> dict[int, str]:
    query = select(Street.id, Street.name).where(Street.tenant_id == tenant, col(Street.id).in_(list(street_ids)))
    return {street_id: name for street_id, name in await session.execute(query) if street_id is not None}


async def _move(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_ids: Sequence[int], status: StreetStatus, reason: str
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Move each street to `status` where its lifecycle allows: (those moved now, those in `status` after)."""
    moved: list[int] = []
    now: list[int] = []
    for street_id in street_ids:
        with refusals():
            street = await street_of(session, tenant, street_id, actor, lock=True)
        if street.status == status:
            now.append(street_id)
        elif status in ALLOWED_TRANSITIONS.get(street.status, frozenset()):
            await set_status(session, actor, tenant, street_id, status, reason)
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
    names = await _names(session, tenant, street_ids)
    moved = []
    for street_id in street_ids:
        message = notice(spec.kind, street_id, names[street_id], spec.year, spec.due_on)
        sent = await send(session, tenant, AUDIENCES, message, notice_key(spec.kind, street_id, spec.year))
        moved.append(
            Moved(tenant=str(tenant), street_id=street_id, name=names[street_id], webhook=sent.webhook is not None)
        )
    return tuple(moved)
