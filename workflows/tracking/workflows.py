"""``StreetYearWorkflow`` (``street:{tenant}:{street}:{year}``): a street's monthly reports for one year.

Each month's report is due by the city's deadline day of the next month. At the end of that day a
missing report brings a reminder to the street's operators; ``escalation_days`` later, still missing,
an escalation to the city's caseworkers. A ``report_submitted(month)`` signal stops both; so does a
report the activity finds in the database (the signal is a shortcut, the database the truth). A
``reschedule`` Update brings the city's new deadline day and escalation delay: months not yet reminded
move to the new deadline, and the pending escalations follow the new delay.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.cycle.schemas import PHASE, TENANT, YEAR
    from workflows.notifications.steps import send_webhook
    from workflows.tracking.activities import (
        ReportNoticeInput,
        TrackingActivities,
        TrackingSettingsInput,
    )
    from workflows.tracking.schemas import (
        REPORT_SUBMITTED,
        RESCHEDULE,
        STATUS,
        STREET_YEAR,
        DueItem,
        ItemState,
        Phase,
        StreetYearInput,
        StreetYearResult,
        StreetYearStatus,
        TrackingSettings,
        escalation_at,
        reminder_at,
        report_due_on,
    )


@workflow.defn(name=STREET_YEAR)
class StreetYearWorkflow:
    def __init__(self) -> None:
        self._params: StreetYearInput | None = None
        self._phase: Phase = "starting"
        self._items: dict[int, DueItem] = {}
        self._submitted: set[int] = set()
        self._deliveries: list[asyncio.Task[bool]] = []
        self._settings: TrackingSettings | None = None
        """The settings in force: read at the start, unless a ``reschedule`` Update brought newer ones first."""
        self._revision = 0
        """Counts the applied ``reschedule`` Updates: a wait for the next event ends when it changes."""

    @workflow.run
    async def run(self, params: StreetYearInput) -> StreetYearResult:
        self._params = params
        workflow.upsert_search_attributes(
            [TENANT.value_set(params.tenant), YEAR.value_set(params.year), PHASE.value_set("tracking")]
        )
        # Read once and kept in the history, so a replay never depends on today's configuration; a city
        # changing its deadline mid-year sends the new settings in a `reschedule` Update instead.
        settings: TrackingSettings = await workflow.execute_activity_method(
            TrackingActivities.tracking_settings,
            TrackingSettingsInput(tenant=params.tenant),
            start_to_close_timeout=timedelta(seconds=30),
        )
        self._settings = self._settings or settings  # an Update that came first is the newer one
        for month in range(params.start_month, 13):
            due_on = report_due_on(params.year, month, self._settings.report_deadline_day)
            state: ItemState = "submitted" if month in self._submitted else "due"
            self._items[month] = DueItem(month=f"{params.year}-{month:02d}", due_on=due_on, state=state)
        self._phase = "tracking"

        # Every reminder and escalation in time order, one at a time: with a long escalation delay a
        # month's escalation may come after the next month's reminder, so months are not handled in turn.
        # The next event is chosen again after each one, and after a `reschedule` moved the dates.
        handled: set[tuple[int, int]] = set()
        reminders = escalations = 0
        while (event := self._next_event(handled)) is not None:
            at, stage, month = event
            revision = self._revision
            if not await self._still_missing_at(month, at, revision):
                continue
            if self._revision != revision:
                continue  # the dates moved while waiting: choose again
            handled.add((stage, month))
            notified = await self._notice(params, self._settings, month, "reminder" if stage == 0 else "escalation")
            if notified and stage == 0:
                reminders += 1
            elif notified:
                escalations += 1

        # A webhook being retried does not hold up the timeline, but the year ends only once it is done.
        await asyncio.gather(*self._deliveries)
        self._phase = "closed"
        workflow.upsert_search_attributes([PHASE.value_set("closed")])
        missing = tuple(item.month for item in self._items.values() if item.state in ("missing", "escalated"))
        return StreetYearResult(reminders=reminders, escalations=escalations, missing=missing)

    def _next_event(self, handled: set[tuple[int, int]]) -> tuple[datetime, int, int] | None:
        """The earliest reminder (stage 0) or escalation (stage 1) not yet handled, of a month still missing."""
        assert self._settings is not None
        days = self._settings.escalation_days
        events = [
            (reminder_at(item.due_on), 0, month) if stage == 0 else (escalation_at(item.due_on, days), 1, month)
            for month, item in self._items.items()
            for stage in (0, 1)
            if month not in self._submitted and (stage, month) not in handled
        ]
        return min(events, default=None)

    @workflow.signal(name=REPORT_SUBMITTED)
    def report_submitted(self, month: int) -> None:
        self._submitted.add(month)
        if month in self._items:
            self._items[month].state = "submitted"

    @workflow.update(name=RESCHEDULE)
    def reschedule(self, settings: TrackingSettings) -> StreetYearStatus:
        """Take the city's new deadline day and escalation delay.

        A month whose reminder has not gone out is due by the new day; one already reminded keeps its due
        date (the operator was told it), and its escalation, if still to come, follows the new delay.
        """
        self._settings = settings
        for month, item in self._items.items():  # none yet when the Update comes before the start
            if item.state == "due":
                assert self._params is not None
                item.due_on = report_due_on(self._params.year, month, settings.report_deadline_day)
        self._revision += 1
        return self.status()

    @reschedule.validator
    def _check_reschedule(self, settings: TrackingSettings) -> None:
        if self._phase == "closed":
            raise ValueError("本年度跟踪已结束 / this year's tracking has ended")
        if not 1 <= settings.report_deadline_day <= 28 or not 1 <= settings.escalation_days <= 366:
            raise ValueError("截止日须在 1–28，升级天数须在 1–366 / deadline day 1–28, escalation 1–366 days")

    @workflow.query(name=STATUS)
    def status(self) -> StreetYearStatus:
        params = self._params
        return StreetYearStatus(
            tenant=params.tenant if params else "",
            street_id=params.street_id if params else 0,
            year=params.year if params else 0,
            phase=self._phase,
            items=tuple(self._items[m] for m in sorted(self._items)),
        )

    async def _still_missing_at(self, month: int, at: datetime, revision: int) -> bool:
        """Wait until ``at`` unless the month's report is signalled or the dates move first; whether the
        report is still missing then."""
        delay = at - workflow.now()
        if month not in self._submitted and delay > timedelta(0):
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: month in self._submitted or self._revision != revision, timeout=delay
                )
        return month not in self._submitted

    async def _notice(self, params: StreetYearInput, settings: TrackingSettings, month: int, stage: str) -> bool:
        """Check the database and notify; False when the report turned out to be there."""
        item = self._items[month]
        result = await workflow.execute_activity_method(
            TrackingActivities.report_notice,
            ReportNoticeInput(
                tenant=params.tenant,
                street_id=params.street_id,
                month=date(params.year, month, 1),
                due_on=item.due_on,
                stage="reminder" if stage == "reminder" else "escalation",
                escalation_days=settings.escalation_days,
            ),
            start_to_close_timeout=timedelta(minutes=1),
        )
        if result.submitted:
            self.report_submitted(month)
            return False
        item.state = "missing" if stage == "reminder" else "escalated"
        if result.webhook is not None:
            self._deliveries.append(asyncio.create_task(send_webhook(result.webhook)))
        return True
