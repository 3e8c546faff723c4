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
from collections.abc import AsyncIterator
from typing import Final

import msgspec
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from services.assessments.service import assess_streets
from services.audit.service import record
from services.context import AppContext
from services.cycles.service import propose_revocations
from services.shared.names import street_names
from services.streets.service import street_of
from services.tenancy.service import get_settings, settings_problem
from tenants.config import window_problem
from tenants.context import SYSTEM_ACTOR, Actor
from tenants.resolver import resolve
from workflows.client import start_cycle
from workflows.cycle.payloads import (
    INVALID_SETTINGS,
    AnnounceInput,
    ApplicationInput,
    AppliedStreet,
    AssessInput,
    CycleOpening,
    DesignateInput,
    Moved,
    NoticeSpec,
    OpeningInput,
    ProposalInput,
    ProposalResult,
    ReevaluationOpening,
    StatusInput,
    StatusResult,
    SubmitInput,
    TargetInput,
)
from workflows.cycle.schemas import (
    RECOMMENDATIONS,
    SELECTION,
    SELECTION_CLOSED,
    VIEW,
    Candidate,
    CycleInput,
    RevocationProposed,
    SelectionClosed,
    SelectionInput,
    SelectionView,
    cycle_id,
    selection_id,
    window_dates,
)
from workflows.cycle.streets import (
    APPLY_ACTION,
    applications,
    candidate,
    move,
    notify,
    refusals,
    refused,
    streets_in,
)
from workflows.heartbeats import heartbeating
from workflows.notifications.activities import WebhookInput
from workflows.tenancy import transaction
from workflows.tracking.schemas import TRACKED_STATUSES

REEVALUATED_STATUSES: Final = ("pilot", "designated")
"""Streets judged at year end; one already in rectification is judged by its own re-assessment."""


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
            tracked = await streets_in(session, tenant, TRACKED_STATUSES)
            applied = await applications(session, tenant, params.year)
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
            if params.street_id not in {s.street_id for s in await applications(session, tenant, params.year)}:
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
            names = await street_names(session, tenant, params.street_ids)
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
            moved, now = await move(session, actor, tenant, params.street_ids, params.status, params.reason)
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
                moved, _ = await move(session, actor, tenant, ids, "pilot", reason)
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
                street_ids=await streets_in(session, tenant, REEVALUATED_STATUSES),
                rectification_days=settings.rectification_days,
            )

    @activity.defn(name="cycle_propose_revocations")
    async def propose_revocations(self, params: ProposalInput) -> ProposalResult:
        """Of the streets just assessed, those graded D this year and last: the city's and the province's admins
        are told (once), and the province decides; nothing is revoked here."""
        province = self._province_of(params.tenant)
        info = self.context.directory.get(params.tenant)
        assert info is not None  # _province_of found it
        with refusals():
            city_actor = self.context.directory.system_actor(params.tenant)
            province_actor = self.context.directory.system_actor(province)
        async with transaction(self.context, city_actor, province_actor) as session:
            proposals = await propose_revocations(
                session,
                resolve(city_actor, params.tenant),
                resolve(province_actor, province),
                info,
                params.year,
                list(params.street_ids),
            )
        return ProposalResult(
            proposed=tuple(
                RevocationProposed(street_id=p.street_id, name=p.name, reason_zh=p.reason_zh, reason_en=p.reason_en)
                for p in proposals
            ),
            webhooks=tuple(WebhookInput.of(tenant, hook) for p in proposals for tenant, hook in p.webhooks),
        )
