"""``CityCycleWorkflow`` (``cycle:{tenant}:{year}``) takes applications in the city's window (Update), and a new
window from the city's configuration while it can still apply (Update ``configure``, refused if the window would
already have closed or would reopen applications already screened), screens them, takes the city admin's
recommendation (Update), waits for the province, tracks the designated streets (tracking and follow-up children),
re-evaluates at year end and starts the next year's cycle. An impossible stored setting met at the opening stops
the cycle and tells the city's admins (no endless retries).
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any, NoReturn

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from services.notifications.messages import settings_key, settings_notice
    from tenants.calendar import china_today, day_end, year_start
    from workflows.cycle.activities import CycleActivities
    from workflows.cycle.payloads import (
        INVALID_SETTINGS,
        ApplicationInput,
        AssessInput,
        CycleOpening,
        OpeningInput,
        StatusInput,
        StatusResult,
        SubmitInput,
    )
    from workflows.cycle.schemas import (
        APPLY,
        CITY_CYCLE,
        CONFIGURE,
        RECOMMEND,
        REEVALUATED,
        REEVALUATION,
        SELECTION_CLOSED,
        VIEW,
        Application,
        Candidate,
        CityRecommendations,
        CycleInput,
        CycleSettings,
        CycleView,
        Due,
        Phase,
        Recommendation,
        Reevaluated,
        ReevaluationInput,
        SelectionClosed,
        reevaluation_id,
        window_dates,
    )
    from workflows.cycle.steps import (
        REEVALUATION_GRACE,
        all_done,
        rejected,
        run_activity,
        start_child,
        until,
        upsert,
    )
    from workflows.followups.schemas import FOLLOWUP_SWEEP, FollowupSweepInput, followups_id
    from workflows.notifications.activities import NotifyInput
    from workflows.notifications.steps import notify_users
    from workflows.tracking.schemas import STREET_YEAR, StreetYearInput, street_year_id


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
                    dedupe_key=settings_key(self.tenant, self.year),
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
