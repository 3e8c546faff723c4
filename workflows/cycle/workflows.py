"""The annual cycle (DESIGN.md): the province's pilot selection, each city's year, and the re-evaluation.

- ``SelectionWorkflow`` (``selection:{province}:{year}``) gathers the cities' recommendations (a signal,
  sent with start by the first city), ranks them (query) and takes the province's designation (an Update
  validated against the target and the screening verdicts; an override needs a reason).
- ``CityCycleWorkflow`` (``cycle:{tenant}:{year}``) takes applications in the city's window (Update),
  takes a new window from the city's configuration while it can still apply (Update ``configure``,
  validated: a window that would already have closed, or would reopen applications already screened, is
  refused and the configuration is not saved), screens them, takes the city admin's recommendation
  (Update), waits for the province, tracks the designated streets (children of the tracking and
  follow-up processes), re-evaluates at year end and then starts the next year's cycle. An impossible
  stored setting met at the opening stops the cycle and tells the city's admins (no endless retries).
- ``ReevaluationWorkflow`` (``reeval:{tenant}:{year}``) judges the city's pilots and designated streets
  with the year's rules: a pass is retained, anything else opens rectification (整改) for the city's
  rectification period, then a re-assessment retains or revokes.
- ``ScheduledReevaluationWorkflow`` is what the yearly schedule starts: it starts the re-evaluation of the
  year that just closed under its deterministic id (a schedule can only give static ids and arguments).

Statuses: the province's designation makes a street a ``pilot`` (试点); a pilot that passes its year-end
re-evaluation becomes ``designated`` (retained as a provincial street), as does a street that passes its
re-assessment after rectification; a designated street that passes stays ``designated``. Recommended
streets the province does not designate go back to ``applied`` and may apply again next year.

A new year runs under its own id ``cycle:{tenant}:{year+1}``. ``workflow.continue_as_new`` keeps the
workflow id, so the next year would run as ``cycle:{tenant}:{year}`` and the deterministic per-year ids
would be lost; instead the closing year starts the next one through an activity (a new workflow with a
fresh history, like continue-as-new, and not a child: the years form a chain, not a tree). A year's
children (its streets' tracking, its follow-up sweep, its re-evaluation) are awaited before its run
completes, because their work ends after the year's phases do (December's report is due in January, a
rectification runs its full period); no child outlives its parent. Every start by id uses
ALLOW_DUPLICATE_FAILED_ONLY, so a second start of a running or completed year (by the schedule, the API
or a restarted parent) is refused, and only a failed or terminated one may run again.

All I/O is in activities (workflows/cycle/activities.py); workflow code reads only workflow time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Final, NoReturn

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, ApplicationError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from services.notifications.messages import NoticeKind, notice, notice_key
    from services.notifications.schemas import Message
    from services.streets.schemas import StreetStatus
    from tenants.calendar import china_today, day_end, year_start
    from workflows.cycle.activities import (
        INVALID_SETTINGS,
        AnnounceInput,
        ApplicationInput,
        AssessInput,
        CycleActivities,
        CycleOpening,
        DesignateInput,
        Moved,
        NoticeSpec,
        OpeningInput,
        ReevaluationOpening,
        StatusInput,
        StatusResult,
        SubmitInput,
        TargetInput,
    )
    from workflows.cycle.schemas import (
        APPLY,
        CITY_CYCLE,
        CONFIGURE,
        DESIGNATE,
        PHASE,
        RECOMMEND,
        RECOMMENDATIONS,
        REEVALUATED,
        REEVALUATION,
        SCHEDULED_REEVALUATION,
        SELECTION,
        SELECTION_CLOSED,
        TENANT,
        VIEW,
        YEAR,
        Application,
        AssessmentKind,
        Candidate,
        CityRecommendations,
        CycleInput,
        CycleSettings,
        CycleView,
        Designation,
        Due,
        Phase,
        Recommendation,
        Reevaluated,
        ReevaluationInput,
        ReevaluationPhase,
        ReevaluationView,
        ScheduledReevaluationInput,
        SelectionClosed,
        SelectionInput,
        SelectionPhase,
        SelectionView,
        cycle_id,
        ranked,
        reevaluation_id,
        window_dates,
    )
    from workflows.followups.schemas import FOLLOWUP_SWEEP, FollowupSweepInput, followups_id
    from workflows.heartbeats import HEARTBEAT_TIMEOUT, LONG_TIMEOUT, SHORT_TIMEOUT
    from workflows.notifications.activities import NotifyInput, WebhookInput
    from workflows.notifications.steps import notify_users, send_webhook
    from workflows.tracking.schemas import STREET_YEAR, StreetYearInput, street_year_id

LONG_ACTIVITIES: Final[frozenset[Callable[..., Any]]] = frozenset(
    {CycleActivities.assess, CycleActivities.change_status, CycleActivities.designate}
)
"""A city's assessments and the status changes of many streets: they heartbeat (workflows/heartbeats.py)."""
RETRY: Final = RetryPolicy(maximum_interval=timedelta(minutes=5))
REEVALUATION_GRACE: Final = timedelta(days=30)
"""How long a closing cycle waits for its re-evaluation's verdicts before it starts the next year anyway."""


def rejected(zh: str, en: str) -> ApplicationError:
    """An Update refused by its validator (the HTTP layer answers 422 with this message)."""
    return ApplicationError(f"{zh} / {en}", type="Rejected", non_retryable=True)


async def run_activity(method: Callable[..., Any], arg: Any) -> Any:
    """Run a cycle activity: a long one with a heartbeat timeout, a short one with a short timeout, so that
    a dead worker's attempt is retried elsewhere within a minute."""
    if method in LONG_ACTIVITIES:
        return await workflow.execute_activity_method(
            method, arg, start_to_close_timeout=LONG_TIMEOUT, heartbeat_timeout=HEARTBEAT_TIMEOUT, retry_policy=RETRY
        )
    return await workflow.execute_activity_method(method, arg, start_to_close_timeout=SHORT_TIMEOUT, retry_policy=RETRY)


def settings_notice(year: int, problem: str) -> Message:
    """What the city's admins are told when the city's configuration stops its cycle."""
    zh, _, en = problem.partition(" / ")
    return Message(
        kind="cycle_settings",
        title_zh=f"{year} 年度流程未能开始：配置有误",
        title_en=f"The {year} cycle could not start: the configuration is invalid",
        body_zh=f"{zh}。请在租户配置中改正后，重新启动 {year} 年度流程。",
        body_en=f"{en or zh}. Correct it in the tenant configuration, then start the {year} cycle again.",
    )


def upsert(tenant: str, year: int, phase: str) -> None:
    """Keep the search attributes current, so the Temporal UI and `temporal workflow list` filter by them."""
    workflow.upsert_search_attributes([TENANT.value_set(tenant), YEAR.value_set(year), PHASE.value_set(phase)])


async def start_child(workflow_type: str, arg: Any, workflow_id: str) -> workflow.ChildWorkflowHandle[Any, Any] | None:
    """Start a child by its deterministic id; None when that id already ran or runs (an idempotent start).

    ABANDON: an operator terminating a cycle must not take its streets' tracking with it.
    """
    try:
        return await workflow.start_child_workflow(
            workflow_type,
            arg,
            id=workflow_id,
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        )
    except WorkflowAlreadyStartedError:
        return None


async def all_done(children: list[workflow.ChildWorkflowHandle[Any, Any]]) -> None:
    """Wait for the children to end; a failed child is logged, not a failure of its parent's year."""
    for child, result in zip(children, await asyncio.gather(*children, return_exceptions=True), strict=True):
        if isinstance(result, BaseException):
            workflow.logger.warning("child %s ended with %s", child.id, result)


async def until(deadline: datetime, done: Callable[[], bool] | None = None) -> None:
    """Wait until `deadline` (workflow time), or until `done()` holds if given."""
    remaining = deadline - workflow.now()
    if remaining <= timedelta(0):
        return
    if done is None:
        await workflow.sleep(remaining)
        return
    try:
        await workflow.wait_condition(done, timeout=remaining)
    except TimeoutError:
        return


async def post_notices(moved: tuple[Moved, ...], kind: NoticeKind, year: int, due: date | None = None) -> None:
    """Post the notices just written to each city's WeCom webhook (the in-app ones are in the database)."""
    posts = []
    for street in moved:
        if street.webhook:
            message = notice(kind, street.street_id, street.name, year, due)
            posts.append(
                send_webhook(
                    WebhookInput(
                        tenant=street.tenant,
                        dedupe_key=notice_key(kind, street.street_id, year),
                        title=message.title_zh,
                        body=message.body_zh,
                    )
                )
            )
    await asyncio.gather(*posts)


@workflow.defn(name=SELECTION)
class SelectionWorkflow:
    """The province's selection of a year's pilots from the cities' recommendations."""

    @workflow.init
    def __init__(self, params: SelectionInput) -> None:
        self.province = params.province
        self.year = params.year
        self.phase: SelectionPhase = "recommendation"
        self.target: int | None = None
        self.candidates: dict[str, tuple[Candidate, ...]] = {}
        self.designated: tuple[Candidate, ...] = ()
        self.override_reason: str | None = None
        self.lock = asyncio.Lock()

    @workflow.run
    async def run(self, _params: SelectionInput) -> SelectionView:
        upsert(self.province, self.year, self.phase)
        self.target = await run_activity(CycleActivities.selection_target, TargetInput(province=self.province))
        # Without a designation by the end of the year, the selection closes with none.
        await until(year_start(self.year + 1), lambda: self.phase == "closed")
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self.phase != "closed":
            await self._close(())
        return self.view()

    @workflow.signal(name=RECOMMENDATIONS)
    def recommendations(self, city: CityRecommendations) -> None:
        if self.phase == "recommendation":
            self.candidates[city.tenant] = city.candidates

    @workflow.query(name=VIEW)
    def view(self) -> SelectionView:
        return SelectionView(
            workflow_id=workflow.info().workflow_id,
            province=self.province,
            year=self.year,
            phase=self.phase,
            target=self.target,
            ranking=tuple(ranked([c for city in self.candidates.values() for c in city])),
            designated=self.designated,
            override_reason=self.override_reason,
        )

    @workflow.update(name=DESIGNATE)
    async def designate(self, designation: Designation) -> SelectionView:
        # The target comes from an activity at the start; a designation that arrives first waits for it.
        await workflow.wait_condition(lambda: self.target is not None)
        async with self.lock:
            chosen = self._checked(designation)  # again: the validator may have run before the target was known
            moved: tuple[Moved, ...] = await run_activity(
                CycleActivities.designate,
                DesignateInput(
                    province=self.province,
                    year=self.year,
                    streets=chosen,
                    designated_by=designation.designated_by,
                    target=self.target or 0,
                    override_reason=designation.override_reason,
                ),
            )
            await self._close(chosen, designation.override_reason)
        await post_notices(moved, "designated", self.year)
        return self.view()

    @designate.validator
    def check_designation(self, designation: Designation) -> None:
        self._checked(designation)

    def _checked(self, designation: Designation) -> tuple[Candidate, ...]:
        """The designated candidates, if the designation is admissible: an override needs a reason."""
        if self.phase == "closed":
            raise rejected(f"{self.year} 年评选已结束", f"the {self.year} selection has closed")
        chosen = self._chosen(designation)
        if (designation.override_reason or "").strip() or self.target is None:
            return chosen
        if len(chosen) > self.target:
            raise rejected(
                f"认定 {len(chosen)} 个超过年度目标 {self.target} 个，须填写 overrideReason 说明理由",
                f"designating {len(chosen)} exceeds the year's target of {self.target}: an overrideReason is required",
            )
        not_passing = [c for c in chosen if c.outcome != "pass"]
        if not_passing:
            names = ", ".join(f"{c.street_id} ({c.outcome})" for c in not_passing)
            raise rejected(
                f"街区 {names} 初审未通过，认定须填写 overrideReason 说明理由",
                f"streets {names} did not pass screening: designating them requires an overrideReason",
            )
        return chosen

    def _chosen(self, designation: Designation) -> tuple[Candidate, ...]:
        """The recommended candidates the designation names; an unknown or repeated id is refused."""
        if not designation.street_ids:
            raise rejected("请至少认定一个街区", "designate at least one street")
        if len(set(designation.street_ids)) != len(designation.street_ids):
            raise rejected("街区重复", "a street is named twice")
        # Street ids come from one identity sequence, so an id names one street across all cities.
        by_id = {c.street_id: c for city in self.candidates.values() for c in city}
        unknown = [street_id for street_id in designation.street_ids if street_id not in by_id]
        if unknown:
            ids = ", ".join(map(str, unknown))
            raise rejected(
                f"街区 {ids} 不在各市的推荐名单中", f"streets {ids} are not among the cities' recommendations"
            )
        return tuple(by_id[street_id] for street_id in designation.street_ids)

    async def _close(self, chosen: tuple[Candidate, ...], override_reason: str | None = None) -> None:
        await run_activity(
            CycleActivities.announce_selection,
            AnnounceInput(province=self.province, year=self.year, designated=chosen),
        )
        self.designated = chosen
        self.override_reason = override_reason
        self.phase = "closed"
        upsert(self.province, self.year, self.phase)


@workflow.defn(name=CITY_CYCLE)
class CityCycleWorkflow:
    """A city's year: applications, screening, recommendation, tracking, re-evaluation, then the next year."""

    @workflow.init
    def __init__(self, params: CycleInput) -> None:
        self.tenant = params.tenant
        self.year = params.year
        self.phase: Phase = "application"
        self.opening: CycleOpening | None = None
        self.window: tuple[date, date] | None = None
        """The application window in force: the opening's, or the last one a `configure` Update set."""
        self.applications: dict[int, str] = {}
        self.screening: dict[int, Candidate] = {}
        self.recommended: list[int] = []
        self.designated: tuple[int, ...] = ()
        self.selection_closed = False
        self.tracked: list[int] = []
        self.reevaluated: Reevaluated | None = None
        self.children: list[workflow.ChildWorkflowHandle[Any, Any]] = []
        self.lock = asyncio.Lock()

    @workflow.run
    async def run(self, _params: CycleInput) -> CycleView:
        upsert(self.tenant, self.year, self.phase)
        opening = await self._open()
        self.opening = opening
        self.window = opening.window
        self.applications = {a.street_id: a.name for a in opening.applications}
        await self._child(
            FOLLOWUP_SWEEP, FollowupSweepInput(tenant=self.tenant, year=self.year), followups_id(self.tenant, self.year)
        )
        await self._track(opening.tracked, start_month=china_today(workflow.now()).month)
        if opening.selection_designated is not None:
            self.selection_closed_signal(SelectionClosed(designated=opening.selection_designated))
        else:
            await self._until_applications_close()
            await workflow.wait_condition(workflow.all_handlers_finished)
            if not self.selection_closed:
                await self._screen()
                self._enter("recommendation")
                await until(year_start(self.year + 1), lambda: self.selection_closed)
                await workflow.wait_condition(workflow.all_handlers_finished)
        self._enter("tracking")
        await self._return_not_selected()
        await self._track(self.designated, start_month=china_today(workflow.now()).month)
        await until(year_start(self.year + 1))
        self._enter("reevaluation")
        await self._child(
            REEVALUATION, ReevaluationInput(tenant=self.tenant, year=self.year), reevaluation_id(self.tenant, self.year)
        )
        await until(year_start(self.year + 1) + REEVALUATION_GRACE, lambda: self.reevaluated is not None)
        self._enter("closed")
        await run_activity(CycleActivities.start_cycle, CycleInput(tenant=self.tenant, year=self.year + 1))
        await all_done(self.children)
        return self.view()

    async def _open(self) -> CycleOpening:
        """Read the city's settings and streets; a setting the cycle cannot work with ends the cycle.

        The opening refuses such a setting (an impossible application window saved before saves were
        checked) without retrying; the city's admins are told what to fix, and once it is fixed the cycle
        can be started again (a failed cycle's id may run again). Without this the opening would be
        retried for ever while nobody knew.
        """
        try:
            opening: CycleOpening = await run_activity(
                CycleActivities.cycle_opening, OpeningInput(tenant=self.tenant, year=self.year)
            )
        except ActivityError as exc:
            cause = exc.cause
            if not isinstance(cause, ApplicationError) or cause.type != INVALID_SETTINGS:
                raise
            await notify_users(
                NotifyInput(
                    tenant=self.tenant,
                    audiences=("city_admins",),
                    message=settings_notice(self.year, cause.message),
                    dedupe_key=f"cycle-settings:{self.tenant}:{self.year}",
                )
            )
            raise ApplicationError(cause.message, type=INVALID_SETTINGS, non_retryable=True) from exc
        return opening

    async def _until_applications_close(self) -> None:
        """Wait for the end of the application window, as a `configure` Update may move it meanwhile.

        Histories from before the Update replay the same commands: one timer to the window's end (a
        condition that only an Update can change adds none), so no version marker is needed.
        """
        while True:
            window = self.window
            assert window is not None  # set by the opening
            await until(day_end(window[1]), lambda w=window: self.selection_closed or self.window != w)  # type: ignore[misc]
            # An Update accepted as the window closed is applied before the applications close.
            await workflow.wait_condition(workflow.all_handlers_finished)
            if self.selection_closed or self.window == window:
                return

    async def _child(self, workflow_type: str, arg: Any, workflow_id: str) -> None:
        child = await start_child(workflow_type, arg, workflow_id)
        if child is not None:
            self.children.append(child)

    def _enter(self, phase: Phase) -> None:
        self.phase = phase
        upsert(self.tenant, self.year, phase)

    async def _return_not_selected(self) -> None:
        """The city's recommended streets the province did not designate may apply again next year.

        The city does this, not the province: it knows what it recommended even when its recommendation
        reached the selection as it closed (and was then ignored there).
        """
        others = tuple(street_id for street_id in self.recommended if street_id not in self.designated)
        if others:
            reason = f"{self.year} 年省级评选未入选 / not selected in the province's {self.year} selection"
            await run_activity(
                CycleActivities.change_status,
                StatusInput(tenant=self.tenant, street_ids=others, status="applied", reason=reason),
            )

    async def _screen(self) -> None:
        self._enter("screening")
        if self.applications:
            screened: tuple[Candidate, ...] = await run_activity(
                CycleActivities.assess,
                AssessInput(
                    tenant=self.tenant, year=self.year, street_ids=tuple(sorted(self.applications)), kind="screening"
                ),
            )
            self.screening = {c.street_id: c for c in screened}

    async def _track(self, street_ids: tuple[int, ...], start_month: int) -> None:
        """Start each street's monthly-report tracking for the year, once per street.

        A cycle started before its year tracks from January; one started (or designating) later, from
        the current month. December's report is due in January: the run waits for these after its year.
        """
        first = start_month if china_today(workflow.now()).year == self.year else 1
        new = [street_id for street_id in street_ids if street_id not in self.tracked]
        self.tracked += new
        # Started together: one workflow task for a city's streets rather than one per street.
        await asyncio.gather(
            *(
                self._child(
                    STREET_YEAR,
                    StreetYearInput(tenant=self.tenant, street_id=street_id, year=self.year, start_month=first),
                    street_year_id(self.tenant, street_id, self.year),
                )
                for street_id in new
            )
        )

    @workflow.query(name=VIEW)
    def view(self) -> CycleView:
        due: list[Due] = []
        opening = self.opening
        if self.window is not None and self.phase == "application":
            due.append(Due(kind="applications", due_on=self.window[1]))
        if self.phase not in ("reevaluation", "closed"):
            due.append(Due(kind="reevaluation", due_on=date(self.year, 12, 31)))
        if self.reevaluated is not None and self.reevaluated.rectification_due is not None:
            due += [
                Due(kind="rectification", due_on=self.reevaluated.rectification_due, street_id=street_id)
                for street_id in self.reevaluated.rectification
            ]
        return CycleView(
            workflow_id=workflow.info().workflow_id,
            tenant=self.tenant,
            year=self.year,
            phase=self.phase,
            province=opening.province if opening else None,
            application_window=self.window,
            applications=tuple(sorted(self.applications)),
            screening=tuple(self.screening[s] for s in sorted(self.screening)),
            recommendations=tuple(self.recommended),
            designated=self.designated,
            tracked=tuple(self.tracked),
            due=tuple(due),
            reevaluation=self.reevaluated,
        )

    @workflow.update(name=APPLY)
    async def apply(self, application: Application) -> CycleView:
        async with self.lock:
            if application.street_id not in self.applications:
                applied = await run_activity(
                    CycleActivities.record_application,
                    ApplicationInput(
                        tenant=self.tenant,
                        year=self.year,
                        street_id=application.street_id,
                        applied_by=application.applied_by,
                    ),
                )
                self.applications[applied.street_id] = applied.name
        return self.view()

    @apply.validator
    def check_application(self, application: Application) -> None:
        if application.street_id in self.applications:
            return  # a repeated application changes nothing, whenever it comes
        if self.window is None:
            raise rejected("年度流程正在启动，请稍后重试", "the cycle is starting; try again shortly")
        start, end = self.window
        today = china_today(workflow.now())
        if self.phase != "application" or today > end:
            raise rejected(f"{self.year} 年申报已于 {end} 截止", f"applications for {self.year} closed on {end}")
        if today < start:
            raise rejected(f"{self.year} 年申报自 {start} 开始", f"applications for {self.year} open on {start}")

    @workflow.update(name=CONFIGURE)
    async def configure(self, change: CycleSettings) -> CycleView:
        """A new application window from the city's configuration (services/tenancy), in force at once."""
        async with self.lock:
            window = self._new_window(change)  # again: an application may have been recorded meanwhile
            if window is not None:
                self.window = window
        return self.view()

    @configure.validator
    def check_settings(self, change: CycleSettings) -> None:
        self._new_window(change)

    def _new_window(self, change: CycleSettings) -> tuple[date, date] | None:
        """The window this cycle takes from `change`, None when the change leaves this year as it is, or a
        refusal saying why this year cannot take it."""
        if self.window is None:
            raise rejected("年度流程正在启动，请稍后重试", "the cycle is starting; try again shortly")
        start, end = window_dates(change.application_window, self.year)
        if (start, end) == self.window:
            return None
        today = china_today(workflow.now())
        if self.phase == "application":
            if end < today:
                raise rejected(
                    f"{self.year} 年申报进行中，新的截止日 {end} 已过（今天是 {today}）",
                    f"applications for {self.year} are open and the new closing day {end} has passed "
                    f"(today is {today})",
                )
            return start, end
        if end >= today:
            raise rejected(
                f"{self.year} 年申报已于 {self.window[1]} 截止并已进入初审，不能按新窗口（{start} 至 {end}）重新开放；"
                f"新窗口可在 {end} 之后保存",
                f"applications for {self.year} closed on {self.window[1]} and screening has begun: they cannot "
                f"reopen for the new window ({start} to {end}); save it after {end}",
            )
        # Both windows lie in this year's past: the change is for the years to come, which read it at opening.
        return None

    @workflow.update(name=RECOMMEND)
    async def recommend(self, recommendation: Recommendation) -> CycleView:
        async with self.lock:
            if self.phase != "recommendation":
                raise rejected("推荐阶段已结束", "the recommendation phase has ended")
            new = tuple(street_id for street_id in recommendation.street_ids if street_id not in self.recommended)
            if new:
                await self._recommend(new, recommendation.recommended_by)
        return self.view()

    async def _recommend(self, street_ids: tuple[int, ...], by: str) -> None:
        reason = f"{self.year} 年市级推荐 / recommended by the city for {self.year}"
        changed: StatusResult = await run_activity(
            CycleActivities.change_status,
            StatusInput(tenant=self.tenant, street_ids=street_ids, status="recommended", reason=reason, changed_by=by),
        )
        self.recommended += [street_id for street_id in street_ids if street_id in changed.now]
        assert self.opening is not None  # recommendation comes after the opening
        try:
            await run_activity(
                CycleActivities.submit_recommendations,
                SubmitInput(
                    province=self.opening.province,
                    year=self.year,
                    recommendations=CityRecommendations(
                        tenant=self.tenant, candidates=tuple(self.screening[s] for s in self.recommended)
                    ),
                ),
            )
        except ActivityError as exc:
            # The province closed its selection meanwhile: the streets go back to applied.
            await run_activity(
                CycleActivities.change_status,
                StatusInput(
                    tenant=self.tenant,
                    street_ids=street_ids,
                    status="applied",
                    reason=f"{self.year} 年省级评选已结束 / the {self.year} selection had closed",
                ),
            )
            self.recommended = [s for s in self.recommended if s not in street_ids]
            raise rejected(f"{self.year} 年省级评选已结束", f"the province's {self.year} selection has closed") from exc

    @recommend.validator
    def check_recommendation(self, recommendation: Recommendation) -> None:
        if self.phase in ("application", "screening"):
            raise rejected("初审尚未完成，暂不能推荐", "screening has not finished: nothing can be recommended yet")
        if self.phase != "recommendation":
            raise rejected("推荐阶段已结束", "the recommendation phase has ended")
        if not recommendation.street_ids:
            raise rejected("请至少推荐一个街区", "recommend at least one street")
        for street_id in recommendation.street_ids:
            screened = self.screening.get(street_id)
            if screened is None:
                self._not_screened(street_id)
            if screened.outcome == "fail":
                failed = ", ".join(screened.failed_required)
                raise rejected(
                    f"街区 {street_id} 初审未达到必备条件：{failed}",
                    f"street {street_id} failed required criteria at screening: {failed}",
                )

    def _not_screened(self, street_id: int) -> NoReturn:
        raise rejected(
            f"街区 {street_id} 不是本市 {self.year} 年经初审的申报街区（未知、属于其他城市或未申报）",
            f"street {street_id} is not a screened {self.year} application of {self.tenant} "
            "(unknown, another city's street, or it did not apply)",
        )

    @workflow.signal(name=SELECTION_CLOSED)
    def selection_closed_signal(self, closed: SelectionClosed) -> None:
        self.designated = closed.designated
        self.selection_closed = True

    @workflow.signal(name=REEVALUATED)
    def reevaluated_signal(self, result: Reevaluated) -> None:
        self.reevaluated = result


@workflow.defn(name=REEVALUATION)
class ReevaluationWorkflow:
    """A city's year-end re-evaluation of its pilots and designated streets, with rectification."""

    @workflow.init
    def __init__(self, params: ReevaluationInput) -> None:
        self.tenant = params.tenant
        self.year = params.year
        self.phase: ReevaluationPhase = "assessing"
        self.assessed: tuple[Candidate, ...] = ()
        self.retained: tuple[int, ...] = ()
        self.rectification: tuple[int, ...] = ()
        self.rectification_due: date | None = None
        self.reassessed: tuple[Candidate, ...] = ()
        self.revoked: tuple[int, ...] = ()

    @workflow.run
    async def run(self, _params: ReevaluationInput) -> ReevaluationView:
        upsert(self.tenant, self.year, self.phase)
        opening: ReevaluationOpening = await run_activity(
            CycleActivities.reevaluation_opening, OpeningInput(tenant=self.tenant, year=self.year)
        )
        self.assessed = await self._assess(opening.street_ids, "annual")
        passing = tuple(c.street_id for c in self.assessed if c.outcome == "pass")
        failing = tuple(c.street_id for c in self.assessed if c.outcome != "pass")
        # "No data" is never a pass (POLICY.md): an incomplete street is rectified like a failing one.
        passed = "年度评价通过 / passed the annual assessment"
        self.retained = await self._move(passing, "designated", "retained", passed)
        due = china_today(workflow.now()) + timedelta(days=opening.rectification_days)
        self.rectification = await self._move(
            failing, "rectification", "rectification", "年度复评未通过，限期整改 / failed the annual re-evaluation", due
        )
        self.rectification_due = due if self.rectification else None
        await self._report()
        if self.rectification:
            self.phase = "rectification"
            upsert(self.tenant, self.year, self.phase)
            await workflow.sleep(timedelta(days=opening.rectification_days))
            self.reassessed = await self._assess(self.rectification, "rectification")
            fixed = tuple(c.street_id for c in self.reassessed if c.outcome == "pass")
            still = tuple(c.street_id for c in self.reassessed if c.outcome != "pass")
            passed = "整改后通过 / passed after rectification"
            self.retained += await self._move(fixed, "designated", "retained", passed)
            failed = "整改后仍未通过 / failed after rectification"
            self.revoked = await self._move(still, "revoked", "revoked", failed)
        self.phase = "closed"
        upsert(self.tenant, self.year, self.phase)
        return self.view()

    async def _assess(self, street_ids: tuple[int, ...], kind: AssessmentKind) -> tuple[Candidate, ...]:
        if not street_ids:
            return ()
        result: tuple[Candidate, ...] = await run_activity(
            CycleActivities.assess, AssessInput(tenant=self.tenant, year=self.year, street_ids=street_ids, kind=kind)
        )
        return result

    async def _move(
        self,
        street_ids: tuple[int, ...],
        status: StreetStatus,
        kind: NoticeKind,
        reason: str,
        due: date | None = None,
    ) -> tuple[int, ...]:
        if not street_ids:
            return ()
        changed: StatusResult = await run_activity(
            CycleActivities.change_status,
            StatusInput(
                tenant=self.tenant,
                street_ids=street_ids,
                status=status,
                reason=reason,
                notice=NoticeSpec(kind=kind, year=self.year, due_on=due),
            ),
        )
        await post_notices(changed.moved, kind, self.year, due)
        return changed.now

    async def _report(self) -> None:
        """Tell the city's cycle the verdicts; a city re-evaluated by the schedule alone may have no cycle."""
        handle = workflow.get_external_workflow_handle(cycle_id(self.tenant, self.year))
        try:
            await handle.signal(
                REEVALUATED,
                Reevaluated(
                    retained=self.retained, rectification=self.rectification, rectification_due=self.rectification_due
                ),
            )
        except ApplicationError:
            workflow.logger.info("no running cycle %s to report to", cycle_id(self.tenant, self.year))

    @workflow.query(name=VIEW)
    def view(self) -> ReevaluationView:
        return ReevaluationView(
            workflow_id=workflow.info().workflow_id,
            tenant=self.tenant,
            year=self.year,
            phase=self.phase,
            assessed=self.assessed,
            retained=self.retained,
            rectification=self.rectification,
            rectification_due=self.rectification_due,
            reassessed=self.reassessed,
            revoked=self.revoked,
        )


@workflow.defn(name=SCHEDULED_REEVALUATION)
class ScheduledReevaluationWorkflow:
    """Started by a city's yearly schedule: re-evaluates the year that closed, unless its cycle already did."""

    @workflow.run
    async def run(self, params: ScheduledReevaluationInput) -> str:
        year = china_today(workflow.now()).year - 1
        workflow_id = reevaluation_id(params.tenant, year)
        child = await start_child(REEVALUATION, ReevaluationInput(tenant=params.tenant, year=year), workflow_id)
        if child is not None:
            await all_done([child])
        return workflow_id
