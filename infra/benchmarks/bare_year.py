"""Benchmark: the time-skipped year of infra.benchmarks.cycle_year beside a bare imitation of it on the same
kind of test server, to tell what bounds the year: the project's code or Temporal's time-skipping test server.

    python -m infra.benchmarks.bare_year [--cities 16] [--streets 60] [--entities 100] [--applying 10]
        [--bare-only] [--skip-days 1]

One run, three fresh time-skipping test servers one after the other: the first times 60 skip steps with
nothing to fire (the server's own cost of a step), the second runs the bare year, the third the project's
year (cycle_year's code, with its PostgreSQL and generated data) at the same size. Each year gets a server
of its own so that both start from the same day on an empty server: the test server keeps every history in
memory, and a second year on the first one's server would run a year and more later beside the first's
leftovers. Printed: each year's stages and wall time, its skip steps (how many, their real time, and that
time by what the step's midnight sets off: a month's reminders, escalations, a weekly sweep), what it asked
of Temporal (read back from its workflows' histories), and the ratio project/bare (issue 16's goal: ≤ 2×).
``--skip-days`` changes the bare year's step (the project's stays cycle_year's one day), to show what the
number of steps costs.

What the bare year counts as equal. Its workflows (BareCity, BareSelection, BareStreet, BareSweep,
BareReevaluation) and activities, defined here, use no project code but the cycle's ``until``, the timer (or the
condition with a timeout) of every wait; the driver uses cycle_year's polling and workflows.timeskip's sleep, as the
project's year does. They follow the project's workflows step for step, so that the bare year starts as many
workflows and children, sets as many timers of the same lengths (the application window, the recommendation wait, a
street's reminders and escalations, the weekly sweep, the year's end, the 30 days' grace, the 90 days'
rectification), upserts the same search attributes, continues as new as often, and takes
the same Updates, signals and queries from the same driver (the stages and the one-day skip steps of cycle_year,
with workflows.timeskip's sleep). Its activities do nothing but return a payload of about the size the project's
return (measured from the project's histories); the long ones heartbeat once, a sweep once per street; those that
reach Temporal do what the project's do (start the selection with a signal, signal the cities, start the next
year's cycle, query the selection at opening). What the project's data decides, the bare year fixes: this year's
monthly reports are all in (a reminder timer and a check each month, no escalation) and next year's are missing
(reminder and escalation); every sweep opens follow-up tasks (a digest each week); one street in FAIL_EVERY fails
(at screening if it applies, at re-evaluation otherwise, and again at its re-assessment). So the counts match the
project's within the streets that fail; the two tallies printed side by side show it. The worker is the same: the
default sandbox, a cache of WORKFLOW_CACHE workflows. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import statistics
import time
import warnings
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Final

from temporalio import activity, workflow
from temporalio.api.enums.v1 import EventType, IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():  # the drivers and the wait: the sandbox reuses them, as the project's
    from infra.benchmarks import cycle_year
    from workflows import timeskip
    from workflows.cycle.steps import until

GOAL_RATIO: Final = 2.0
"""Issue 16: the project's year within twice the bare year's time."""
FAIL_EVERY: Final = 20
"""One street in this many fails its assessments (the project's generated data fails about one in 20)."""
TARGET: Final = 20
"""The province's pilot target (the project's default)."""
WORKFLOW_CACHE: Final = 5000
QUEUE: Final = "bare-year"
PROVINCE: Final = "bare-province"
CHINA: Final = timezone(timedelta(hours=8))
SHORT: Final = timedelta(minutes=1)
LONG: Final = timedelta(hours=1)
HEARTBEAT: Final = timedelta(seconds=30)
ESCALATION_DAYS: Final = 7
DEADLINE_DAY: Final = 10
RECTIFICATION_DAYS: Final = 90
GRACE: Final = timedelta(days=30)
SWEEP_DAYS: Final = 7
SWEEPS_PER_RUN: Final = 10
STREETS_PER_SWEEP: Final = 200

TENANT: Final = SearchAttributeKey.for_keyword("BareTenant")
YEAR: Final = SearchAttributeKey.for_int("BareYear")
PHASE: Final = SearchAttributeKey.for_keyword("BarePhase")

SIZES: Final = {
    "cycle_opening": 160,
    "cycle_record_application": 50,
    "cycle_assess": 200,  # per street
    "cycle_change_status": 40,  # per street
    "cycle_submit_recommendations": 0,
    "cycle_selection_target": 2,
    "cycle_designate": 80,  # per street
    "cycle_announce_selection": 0,
    "cycle_start": 4,
    "cycle_reevaluation_opening": 94,
    "cycle_propose_revocations": 29,
    "tracking_settings": 46,
    "report_notice": 45,
    "tracked_streets": 50,
    "sweep_streets": 235,
    "notify_overdue_followups": 1,
}
"""About the bytes each of the project's activities returns (its histories' averages at 2 cities × 20 streets)."""
LONG_ACTIVITIES: Final = frozenset({"cycle_assess", "cycle_change_status", "cycle_designate", "sweep_streets"})


# The year's calendar, in China time as the project's.
def year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=CHINA).astimezone(UTC)


def day_end(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(UTC) + timedelta(days=1)


def china_today(now: datetime) -> date:
    return now.astimezone(CHINA).date()


def fails(street: int) -> bool:
    return street % FAIL_EVERY == 0


def upsert(tenant: str, year: int, phase: str) -> None:
    workflow.upsert_search_attributes([TENANT.value_set(tenant), YEAR.value_set(year), PHASE.value_set(phase)])


@dataclasses.dataclass(frozen=True)
class Call:
    """An activity's input: whom it is for and how many streets it covers (its payload grows with them)."""

    tenant: str
    streets: int = 1
    detail: str = ""


async def call(name: str, tenant: str, streets: int = 1, detail: str = "") -> str:
    """Run a bare activity as the project runs its own: a long one heartbeats, a short one has a short timeout."""
    if name in LONG_ACTIVITIES:
        result: str = await workflow.execute_activity(
            name, Call(tenant, streets, detail), start_to_close_timeout=LONG, heartbeat_timeout=HEARTBEAT
        )
    else:
        result = await workflow.execute_activity(name, Call(tenant, streets, detail), start_to_close_timeout=SHORT)
    return result


async def start_child(
    workflow_type: str, arg: Any, workflow_id: str, children: list[workflow.ChildWorkflowHandle[Any, Any]]
) -> None:
    children.append(
        await workflow.start_child_workflow(
            workflow_type, arg, id=workflow_id, parent_close_policy=workflow.ParentClosePolicy.ABANDON
        )
    )


@dataclasses.dataclass(frozen=True)
class CityInput:
    tenant: str
    year: int
    tracked: tuple[int, ...]
    """The city's streets that owe monthly reports this year (the project's opening reads them)."""
    reports_in: int
    """The year whose monthly reports are all in (the data's year); other years' are missing."""


@dataclasses.dataclass(frozen=True)
class StreetInput:
    tenant: str
    street: int
    year: int
    start_month: int
    reported: bool


@dataclasses.dataclass(frozen=True)
class SweepInput:
    tenant: str
    year: int
    streets: int
    sweeps: int = 0


@dataclasses.dataclass(frozen=True)
class ReevaluationInput:
    tenant: str
    year: int
    streets: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class CityView:
    phase: str
    window: bool
    applications: tuple[int, ...]
    passing: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class SelectionView:
    target: int | None
    ranking: tuple[int, ...]
    closed: bool


def cycle_id(tenant: str, year: int) -> str:
    return f"bare-cycle:{tenant}:{year}"


def selection_id(year: int) -> str:
    return f"bare-selection:{PROVINCE}:{year}"


def reevaluation_id(tenant: str, year: int) -> str:
    return f"bare-reeval:{tenant}:{year}"


@workflow.defn(name="BareCity")
class BareCity:
    """CityCycleWorkflow's steps: opening, applications until the window's end, screening, recommendation,
    the province's answer, tracking to the year's end, re-evaluation, the next year's cycle."""

    @workflow.init
    def __init__(self, params: CityInput) -> None:
        self.params = params
        self.phase = "application"
        self.opened = False
        self.applications: list[int] = []
        self.passing: tuple[int, ...] = ()
        self.recommended: list[int] = []
        self.designated: tuple[int, ...] = ()
        self.selection_closed = False
        self.reevaluated = False
        self.tracked: list[int] = []
        self.children: list[workflow.ChildWorkflowHandle[Any, Any]] = []
        self.lock = asyncio.Lock()

    @workflow.run
    async def run(self, params: CityInput) -> str:
        tenant, year = params.tenant, params.year
        upsert(tenant, year, self.phase)
        await call("cycle_opening", tenant, detail=str(year))
        self.opened = True
        sweep = SweepInput(tenant=tenant, year=year, streets=len(params.tracked))
        await start_child("BareSweep", sweep, f"bare-followups:{tenant}:{year}", self.children)
        await self._track(params.tracked)
        await until(day_end(date(year, 3, 31)), lambda: self.selection_closed)
        await workflow.wait_condition(workflow.all_handlers_finished)
        if not self.selection_closed:
            self._enter("screening")
            if self.applications:
                await call("cycle_assess", tenant, len(self.applications))
                self.passing = tuple(s for s in self.applications if not fails(s))
            self._enter("recommendation")
            await until(year_start(year + 1), lambda: self.selection_closed)
            await workflow.wait_condition(workflow.all_handlers_finished)
        self._enter("tracking")
        if others := [s for s in self.recommended if s not in self.designated]:
            await call("cycle_change_status", tenant, len(others))
        await self._track(self.designated)
        await until(year_start(year + 1))
        self._enter("reevaluation")
        reevaluation = ReevaluationInput(tenant=tenant, year=year, streets=tuple(self.tracked))
        await start_child("BareReevaluation", reevaluation, reevaluation_id(tenant, year), self.children)
        await until(year_start(year + 1) + GRACE, lambda: self.reevaluated)
        self._enter("closed")
        next_year = CityInput(tenant=tenant, year=year + 1, tracked=tuple(self.tracked), reports_in=params.reports_in)
        await workflow.execute_activity("cycle_start", next_year, start_to_close_timeout=SHORT)
        await asyncio.gather(*self.children, return_exceptions=True)
        return self.phase

    def _enter(self, phase: str) -> None:
        self.phase = phase
        upsert(self.params.tenant, self.params.year, phase)

    async def _track(self, streets: Iterable[int]) -> None:
        now = china_today(workflow.now())
        first = now.month if now.year == self.params.year else 1
        new = [s for s in streets if s not in self.tracked]
        self.tracked += new
        year = self.params.year
        await asyncio.gather(
            *(
                start_child(
                    "BareStreet",
                    StreetInput(self.params.tenant, street, year, first, reported=year == self.params.reports_in),
                    f"bare-street:{self.params.tenant}:{street}:{year}",
                    self.children,
                )
                for street in new
            )
        )

    @workflow.query(name="view")
    def view(self) -> CityView:
        return CityView(self.phase, self.opened, tuple(self.applications), self.passing)

    @workflow.update(name="apply")
    async def apply(self, street: int) -> CityView:
        async with self.lock:
            if street not in self.applications:
                await call("cycle_record_application", self.params.tenant, detail=str(street))
                self.applications.append(street)
        return self.view()

    @workflow.update(name="recommend")
    async def recommend(self, streets: tuple[int, ...]) -> CityView:
        async with self.lock:
            new = [s for s in streets if s not in self.recommended]
            if new:
                await call("cycle_change_status", self.params.tenant, len(new))
                self.recommended += new
                await workflow.execute_activity(
                    "cycle_submit_recommendations",
                    args=[self.params.tenant, self.params.year, tuple(self.recommended)],
                    start_to_close_timeout=SHORT,
                )
        return self.view()

    @workflow.signal(name="selection_closed")
    def selection_closed_signal(self, designated: tuple[int, ...]) -> None:
        self.designated = designated
        self.selection_closed = True

    @workflow.signal(name="reevaluated")
    def reevaluated_signal(self, _rectification: tuple[int, ...]) -> None:
        self.reevaluated = True


@workflow.defn(name="BareSelection")
class BareSelection:
    """SelectionWorkflow's steps: the target, the cities' recommendations (signals), one designation (Update)."""

    @workflow.init
    def __init__(self, year: int) -> None:
        self.year = year
        self.target: int | None = None
        self.candidates: dict[str, tuple[int, ...]] = {}
        self.closed = False
        self.lock = asyncio.Lock()

    @workflow.run
    async def run(self, year: int) -> int:
        upsert(PROVINCE, year, "recommendation")
        await call("cycle_selection_target", PROVINCE)
        self.target = TARGET
        await until(year_start(year + 1), lambda: self.closed)
        await workflow.wait_condition(workflow.all_handlers_finished)
        if not self.closed:
            await self._close({})
        return len(self.candidates)

    @workflow.signal(name="recommendations")
    def recommendations(self, tenant: str, streets: tuple[int, ...]) -> None:
        if not self.closed:
            self.candidates[tenant] = streets

    @workflow.query(name="view")
    def view(self) -> SelectionView:
        return SelectionView(self.target, tuple(s for c in self.candidates.values() for s in c), self.closed)

    @workflow.update(name="designate")
    async def designate(self, streets: tuple[int, ...]) -> SelectionView:
        await workflow.wait_condition(lambda: self.target is not None)
        async with self.lock:
            await call("cycle_designate", PROVINCE, len(streets))
            chosen = {tenant: tuple(s for s in c if s in streets) for tenant, c in self.candidates.items()}
            await self._close(chosen)
        return self.view()

    async def _close(self, chosen: dict[str, tuple[int, ...]]) -> None:
        await workflow.execute_activity(
            "cycle_announce_selection", args=[self.year, chosen], start_to_close_timeout=SHORT
        )
        self.closed = True
        upsert(PROVINCE, self.year, "closed")


@workflow.defn(name="BareStreet")
class BareStreet:
    """StreetYearWorkflow's steps: the settings, then each month's reminder and escalation in time order,
    each a timer that a report's signal would end early, then a check (an activity)."""

    def __init__(self) -> None:
        self.submitted: set[int] = set()

    @workflow.run
    async def run(self, params: StreetInput) -> int:
        workflow.upsert_search_attributes(
            [TENANT.value_set(params.tenant), YEAR.value_set(params.year), PHASE.value_set("tracking")]
        )
        await workflow.execute_activity(
            "tracking_settings", Call(params.tenant), start_to_close_timeout=timedelta(seconds=30)
        )
        due = {
            month: date(params.year + 1, 1, DEADLINE_DAY) if month == 12 else date(params.year, month + 1, DEADLINE_DAY)
            for month in range(params.start_month, 13)
        }
        events = sorted(
            (day_end(due_on) + timedelta(days=ESCALATION_DAYS * stage), stage, month)
            for month, due_on in due.items()
            for stage in (0, 1)
        )
        notices = 0
        for at, _stage, month in events:
            if month in self.submitted:
                continue
            delay = at - workflow.now()
            if delay > timedelta(0):
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(lambda m=month: m in self.submitted, timeout=delay)  # type: ignore[misc]
            if month in self.submitted:
                continue
            await workflow.execute_activity(
                "report_notice", Call(params.tenant, detail=f"{params.street}:{month}"), start_to_close_timeout=SHORT
            )
            if params.reported:
                self.submitted.add(month)
            else:
                notices += 1
        workflow.upsert_search_attributes([PHASE.value_set("closed")])
        return notices

    @workflow.signal(name="report_submitted")
    def report_submitted(self, month: int) -> None:
        self.submitted.add(month)


@workflow.defn(name="BareSweep")
class BareSweep:
    """FollowupSweepWorkflow's steps: a sweep a week (the tracked streets, batches of them, the digest),
    continuing as new every SWEEPS_PER_RUN sweeps."""

    @workflow.run
    async def run(self, params: SweepInput) -> int:
        upsert(params.tenant, params.year, "followups")
        start, end = year_start(params.year), year_start(params.year + 1)
        if workflow.now() < start:
            await workflow.sleep(start - workflow.now())
        sweeps = 0
        while workflow.now() < end:
            if sweeps == SWEEPS_PER_RUN:
                workflow.continue_as_new(dataclasses.replace(params, sweeps=params.sweeps + sweeps))
            await call("tracked_streets", params.tenant, params.streets)
            batches = [min(STREETS_PER_SWEEP, params.streets - i) for i in range(0, params.streets, STREETS_PER_SWEEP)]
            for i in range(0, len(batches), 4):
                await asyncio.gather(*(call("sweep_streets", params.tenant, n) for n in batches[i : i + 4]))
            await call("notify_overdue_followups", params.tenant)
            sweeps += 1
            await workflow.sleep(min(timedelta(days=SWEEP_DAYS), end - workflow.now()))
        workflow.upsert_search_attributes([PHASE.value_set("closed")])
        return params.sweeps + sweeps


@workflow.defn(name="BareReevaluation")
class BareReevaluation:
    """ReevaluationWorkflow's steps: assess, propose, move the passing and the failing, tell the cycle, and after
    the rectification period re-assess the failing and revoke those still failing."""

    def __init__(self) -> None:
        self.phase = "assessing"

    @workflow.run
    async def run(self, params: ReevaluationInput) -> int:
        tenant, year = params.tenant, params.year
        upsert(tenant, year, self.phase)
        await call("cycle_reevaluation_opening", tenant)
        await call("cycle_assess", tenant, len(params.streets))
        if params.streets and workflow.patched("revocation-proposals"):
            await call("cycle_propose_revocations", tenant)
        failing = tuple(s for s in params.streets if fails(s))
        passing = len(params.streets) - len(failing)
        if passing:
            await call("cycle_change_status", tenant, passing)
        if failing:
            await call("cycle_change_status", tenant, len(failing))
        await workflow.get_external_workflow_handle(cycle_id(tenant, year)).signal("reevaluated", failing)
        if failing:
            self.phase = "rectification"
            upsert(tenant, year, self.phase)
            await workflow.sleep(timedelta(days=RECTIFICATION_DAYS))
            await call("cycle_assess", tenant, len(failing))
            await call("cycle_change_status", tenant, len(failing))
        self.phase = "closed"
        upsert(tenant, year, self.phase)
        return len(failing)


class BareActivities:
    """Activities that return a payload of the project's size; those that reach Temporal do as the project's."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def plain(self) -> list[Callable[..., Awaitable[str]]]:
        """An activity for each of the project's that touches only the database: it returns the payload."""

        def make(name: str) -> Callable[..., Awaitable[str]]:
            @activity.defn(name=name)
            async def run(params: Call) -> str:
                if name == "sweep_streets":
                    for street in range(params.streets):
                        activity.heartbeat(street + 1, [])
                elif name in LONG_ACTIVITIES:
                    activity.heartbeat()
                per_street = name in ("cycle_assess", "cycle_change_status", "cycle_designate")
                return "x" * (SIZES[name] * (params.streets if per_street else 1))

            return run

        touching = {"cycle_opening", "cycle_submit_recommendations", "cycle_announce_selection", "cycle_start"}
        return [make(name) for name in SIZES if name not in touching]

    @activity.defn(name="cycle_opening")
    async def opening(self, params: Call) -> str:
        """The project's opening also asks the province's selection whether it has closed."""
        try:
            await self.client.get_workflow_handle(selection_id(int(params.detail))).query("view")
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
        return "x" * SIZES["cycle_opening"]

    @activity.defn(name="cycle_submit_recommendations")
    async def submit(self, tenant: str, year: int, streets: tuple[int, ...]) -> None:
        await self.client.start_workflow(
            "BareSelection",
            year,
            id=selection_id(year),
            task_queue=QUEUE,
            start_signal="recommendations",
            start_signal_args=[tenant, streets],
        )

    @activity.defn(name="cycle_announce_selection")
    async def announce(self, year: int, chosen: dict[str, tuple[int, ...]]) -> None:
        for tenant, streets in chosen.items():
            await self.client.get_workflow_handle(cycle_id(tenant, year)).signal("selection_closed", streets)

    @activity.defn(name="cycle_start")
    async def start(self, params: CityInput) -> str:
        with contextlib.suppress(WorkflowAlreadyStartedError):
            await self.client.start_workflow(
                "BareCity", params, id=cycle_id(params.tenant, params.year), task_queue=QUEUE
            )
        return "x" * SIZES["cycle_start"]

    def all(self) -> list[Callable[..., Awaitable[Any]]]:
        return [*self.plain(), self.opening, self.submit, self.announce, self.start]


# The driver: cycle_year's stages, against the bare workflows.
@dataclasses.dataclass
class Skips:
    """The skip steps a year took: the clock each reached and the real time each took."""

    steps: list[tuple[datetime, float]] = dataclasses.field(default_factory=list)

    async def to(self, env: WorkflowEnvironment, when: datetime, step: timedelta) -> None:
        """workflows.timeskip.skip_to, timing each step."""
        while (remaining := when - (now := await env.get_current_time())) > timedelta(0):
            started = time.monotonic()
            await timeskip.sleep(env, min(remaining, step))
            self.steps.append((now + min(remaining, step), time.monotonic() - started))

    def __str__(self) -> str:
        if not self.steps:
            return "no steps"
        seconds = sorted(s for _, s in self.steps)
        return (
            f"{len(seconds)} steps, {sum(seconds):.1f} s in all, median {statistics.median(seconds) * 1000:.0f} ms, "
            f"p90 {seconds[int(len(seconds) * 0.9)] * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms"
        )

    def by_day(self) -> str:
        """The steps by what their China midnight sets off: a month's reminders (the 11th), escalations (the
        18th), a weekly sweep (every 7th day of the year), both, or neither."""
        kinds: dict[str, list[float]] = collections.defaultdict(list)
        for reached, seconds in self.steps:
            day = china_today(reached)
            monthly = {11: "reminders", 18: "escalations"}.get(day.day)
            sweep = (day - date(day.year, 1, 1)).days % SWEEP_DAYS == 0
            kind = " + ".join(k for k in (monthly, "sweep" if sweep else None) if k) or "neither"
            kinds[kind].append(seconds)
        return ", ".join(
            f"{kind} {len(values)} steps {sum(values):.1f} s"
            for kind, values in sorted(kinds.items(), key=lambda item: -sum(item[1]))
        )


async def poll(probe: Callable[[], Awaitable[Any]], done: Callable[[Any], bool]) -> Any:
    """cycle_year's wait: poll once a second of real time until `done` holds."""
    return await cycle_year.until(probe, done)


@contextlib.contextmanager
def stage(name: str, times: dict[str, float]) -> Iterator[None]:
    started = time.monotonic()
    yield
    times[name] = time.monotonic() - started
    print(f"  {name:<38} {times[name]:7.1f} s", flush=True)


async def city_view(client: Client, tenant: str, year: int) -> CityView | None:
    try:
        view: CityView = await client.get_workflow_handle(cycle_id(tenant, year)).query("view", result_type=CityView)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return view


async def all_cities(client: Client, cities: Sequence[str], year: int, done: Callable[[CityView], bool]) -> None:
    for tenant in cities:
        await poll(lambda t=tenant: city_view(client, t, year), done)  # type: ignore[misc]


async def all_reevaluations(client: Client, cities: Sequence[str], year: int, phases: set[str]) -> None:
    await cycle_year.all_in_phase(client, [reevaluation_id(tenant, year) for tenant in cities], PHASE, phases)


async def register_search_attributes(client: Client) -> None:
    """Add the bare year's search attributes one by one (the test server does not list them)."""
    indexed = {TENANT: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, YEAR: IndexedValueType.INDEXED_VALUE_TYPE_INT}
    for key in (TENANT, YEAR, PHASE):
        with contextlib.suppress(RPCError):
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(
                    namespace=client.namespace,
                    search_attributes={key.name: indexed.get(key, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)},
                )
            )


@dataclasses.dataclass
class BareYear:
    year: int
    cities: tuple[str, ...]
    wall: float
    skips: Skips

    def roots(self) -> tuple[str, ...]:
        return (*(cycle_id(c, y) for y in (self.year, self.year + 1) for c in self.cities), selection_id(self.year))


async def bare_year(env: WorkflowEnvironment, cities: int, streets: int, applying: int, step: timedelta) -> BareYear:
    """The bare year on `env`: cities of `streets` streets each, `applying` of them applying, the rest designated."""
    client, times, skips = env.client, dict[str, float](), Skips()
    await register_search_attributes(client)
    year = (await env.get_current_time()).year + 1
    names = tuple(f"city{n:02d}" for n in range(1, cities + 1))
    ids = {name: range(n * streets + 1, (n + 1) * streets + 1) for n, name in enumerate(names)}
    print(f"Bare year: {cities} cities × {streets} streets, {applying} applying, year {year}, skip step {step}")
    started = time.monotonic()
    async with Worker(
        client,
        task_queue=QUEUE,
        workflows=[BareCity, BareSelection, BareStreet, BareSweep, BareReevaluation],
        activities=BareActivities(client).all(),
        max_cached_workflows=WORKFLOW_CACHE,
    ):
        with stage("start cycles, open applications", times):
            for name in names:
                tracked = tuple(ids[name][applying:])
                params = CityInput(tenant=name, year=year, tracked=tracked, reports_in=year)
                await client.start_workflow("BareCity", params, id=cycle_id(name, year), task_queue=QUEUE)
            await all_cities(client, names, year, lambda v: v.window)
            await skips.to(env, year_start(year) + timedelta(hours=1), step)
        with stage(f"apply ({applying} per city, Updates)", times):
            await asyncio.gather(
                *(
                    client.get_workflow_handle(cycle_id(name, year)).execute_update("apply", street)
                    for name in names
                    for street in ids[name][:applying]
                )
            )
        with stage("screen, recommend (Updates)", times):
            await skips.to(env, day_end(date(year, 3, 31)) + timedelta(hours=1), step)
            await all_cities(client, names, year, lambda v: v.phase == "recommendation")
            for name in names:
                view = await city_view(client, name, year)
                if view is not None and view.passing:
                    await client.get_workflow_handle(cycle_id(name, year)).execute_update("recommend", view.passing)
        with stage("rank, designate target + 1 (Update)", times):
            handle = client.get_workflow_handle(selection_id(year))

            async def selection() -> SelectionView | None:
                with contextlib.suppress(RPCError):
                    result: SelectionView = await handle.query("view", result_type=SelectionView)
                    return result
                return None

            chosen = await poll(selection, lambda s: s.target is not None)
            await handle.execute_update("designate", chosen.ranking[: chosen.target + 1])
            await all_cities(client, names, year, lambda v: v.phase == "tracking")
        with stage("tracking and follow-ups to year end", times):
            await skips.to(env, year_start(year + 1) - timedelta(minutes=1), step)
        with stage("re-evaluate every designated street", times):
            await skips.to(env, year_start(year + 1) + timedelta(hours=1), step)
            await all_reevaluations(client, names, year, {"rectification", "closed"})
        with stage("90 days' rectification, re-assess", times):
            await skips.to(env, year_start(year + 1) + timedelta(days=91), step)
            await all_reevaluations(client, names, year, {"closed"})
            await all_cities(client, names, year + 1, lambda v: v.window)
    wall = time.monotonic() - started
    print(f"  {'the bare year, in all':<38} {wall:7.1f} s   skips: {skips}")
    print(f"    steps by day: {skips.by_day()}")
    return BareYear(year=year, cities=names, wall=wall, skips=skips)


async def empty_steps(env: WorkflowEnvironment, steps: int, step: timedelta) -> Skips:
    """The cost of a skip step with nothing to fire: the test server's floor per step."""
    skips = Skips()
    await skips.to(env, await env.get_current_time() + steps * step, step)
    return skips


# What each year asked of Temporal, from its histories.
TALLIED: Final = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: "workflow tasks",
    EventType.EVENT_TYPE_TIMER_STARTED: "timers",
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: "activities",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: "updates",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: "signals",
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: "children",
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: "signals sent",
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: "upserts",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: "continued as new",
}


@dataclasses.dataclass
class Tally:
    """A year's history events counted in all and per workflow type, and its activities by name."""

    events: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    by_type: dict[str, collections.Counter[str]] = dataclasses.field(default_factory=dict)
    activities: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    result_bytes: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    """The bytes of the activities' results, by activity name."""
    latency: dict[str, float] = dataclasses.field(default_factory=lambda: collections.defaultdict(float))
    """The activities' seconds from scheduled to completed, summed by name (calls in flight together each count
    their wait): real time, as the test server skips only while no activity is outstanding."""

    def lines(self) -> list[str]:
        kinds = ("runs", "events", *TALLIED.values())
        out = ["    in all: " + ", ".join(f"{kind} {self.events[kind]}" for kind in kinds if self.events[kind])]
        for workflow_type in sorted(self.by_type):
            counts = self.by_type[workflow_type]
            out.append(f"    {workflow_type:<17} " + ", ".join(f"{k} {counts[k]}" for k in kinds if counts[k]))
        activities = ", ".join(
            f"{name} {count} (~{self.result_bytes[name] // count} B, Σ latency {self.latency[name]:.1f} s)"
            for name, count in sorted(self.activities.items())
        )
        out.append(f"    activities: {activities}")
        return out


async def tally(client: Client, roots: Iterable[str]) -> Tally:
    """Walk the workflows from `roots` through the children they started and every run each continued as."""
    result, seen, queue = Tally(), set[str](), list(roots)
    while queue:
        workflow_id = queue.pop()
        if workflow_id in seen:
            continue
        seen.add(workflow_id)
        run_id: str | None = None
        while True:
            try:
                history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
            except RPCError:
                break
            started = history.events[0].workflow_execution_started_event_attributes
            counts = result.by_type.setdefault(started.workflow_type.name, collections.Counter())
            counts["runs"] += 1
            result.events["runs"] += 1
            scheduled: dict[int, tuple[str, datetime]] = {}
            for event in history.events:
                result.events["events"] += 1
                counts["events"] += 1
                if (kind := TALLIED.get(event.event_type)) is not None:
                    result.events[kind] += 1
                    counts[kind] += 1
                if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                    name = event.activity_task_scheduled_event_attributes.activity_type.name
                    scheduled[event.event_id] = name, event.event_time.ToDatetime()
                    result.activities[name] += 1
                elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
                    attributes = event.activity_task_completed_event_attributes
                    size = sum(len(p.data) for p in attributes.result.payloads)
                    name, at = scheduled[attributes.scheduled_event_id]
                    result.result_bytes[name] += size
                    result.latency[name] += (event.event_time.ToDatetime() - at).total_seconds()
                elif event.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
                    queue.append(event.start_child_workflow_execution_initiated_event_attributes.workflow_id)
            run_id = started.continued_execution_run_id or None
            if run_id is None:
                break
    return result


async def main(cities: int, streets: int, entities: int, applying: int, bare_only: bool, skip_days: float) -> None:
    step = timedelta(days=skip_days) if skip_days else cycle_year.SKIP_STEP
    env = await cycle_year.start_test_server()  # a server of its own, so that the years start on the same day
    try:
        print(f"  {'skip steps with nothing to fire':<38} {await empty_steps(env, 60, step)}")
    finally:
        await env.shutdown()
    env = await cycle_year.start_test_server()
    try:
        bare = await bare_year(env, cities, streets, applying, step)
        bare_tally = await tally(env.client, bare.roots())
    finally:
        await env.shutdown()
    print("\n".join(bare_tally.lines()))
    if bare_only:
        return
    env = await cycle_year.start_test_server()
    project_skips = Skips()
    try:
        project = await cycle_year.project_year(env, cities, streets, entities, applying, project_skips.to)
        project_tally = await tally(env.client, project.roots())
    finally:
        await env.shutdown()
    print(f"  {'the project year, in all':<38} {project.wall:7.1f} s   skips: {project_skips}")
    print(f"    steps by day: {project_skips.by_day()}")
    print("\n".join(project_tally.lines()))
    ratio = project.wall / bare.wall
    verdict = "ok" if ratio <= GOAL_RATIO else "OVER"
    print(
        f"Year of {cities} cities × {streets} streets: bare {bare.wall:.1f} s, project {project.wall:.1f} s, "
        f"ratio {ratio:.2f} (goal ≤ {GOAL_RATIO:.0f}) {verdict}"
    )


def cli(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cities", type=int, default=16)
    parser.add_argument("--streets", type=int, default=60)
    parser.add_argument("--entities", type=int, default=100, help="the project's part only")
    parser.add_argument("--applying", type=int, default=10, help="streets per city that apply this year")
    parser.add_argument("--bare-only", action="store_true", help="run the bare year alone")
    parser.add_argument("--skip-days", type=float, default=0, help="the bare year's skip step (default: cycle_year's)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # SQLModel's advice on session.execute
    asyncio.run(main(args.cities, args.streets, args.entities, args.applying, args.bare_only, args.skip_days))


if __name__ == "__main__":
    cli()
