"""The annual cycle's vocabulary: workflow ids and names, search attributes, and the Structs its workflows,
activities and the thin client exchange. No activity or database code, so the HTTP layer may import it.

These Structs are Temporal payloads written into workflow histories: a field may be added with a default,
never renamed or removed, or recorded histories stop replaying (tests/workflows/test_replay.py). The HTTP
layer has its own camelCase schemas (services/cycles/schemas.py) so the API can change without that risk.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Final, Literal

import msgspec
from temporalio.common import SearchAttributeKey

TIME_ZONE: Final = "Asia/Shanghai"
"""The schedules' time zone (Temporal's own tz database)."""

TENANT: Final = SearchAttributeKey.for_keyword("JiequTenant")
YEAR: Final = SearchAttributeKey.for_int("JiequYear")
PHASE: Final = SearchAttributeKey.for_keyword("JiequPhase")
SEARCH_ATTRIBUTES: Final = (TENANT, YEAR, PHASE)
"""Registered on the server (infra/local/temporal_server.py, `ensure_search_attributes`) so that
`temporal workflow list` filters by them."""

# Workflow type names: the client starts and updates by name so that it never imports the workflow modules
# (and through them the activities).
SELECTION: Final = "Selection"
CITY_CYCLE: Final = "CityCycle"
REEVALUATION: Final = "Reevaluation"
SCHEDULED_REEVALUATION: Final = "ScheduledReevaluation"
# Their updates, signals and queries.
APPLY: Final = "apply"
RECOMMEND: Final = "recommend"
CONFIGURE: Final = "configure"
DESIGNATE: Final = "designate"
RECOMMENDATIONS: Final = "recommendations"
SELECTION_CLOSED: Final = "selection_closed"
REEVALUATED: Final = "reevaluated"
VIEW: Final = "view"


def selection_id(province: str, year: int) -> str:
    """The province's pilot selection of a year (省级试点评选)."""
    return f"selection:{province}:{year}"


def cycle_id(tenant: str, year: int) -> str:
    """A city's annual cycle."""
    return f"cycle:{tenant}:{year}"


def reevaluation_id(tenant: str, year: int) -> str:
    """A city's re-evaluation (年度复评) of the designated streets for the year that closed."""
    return f"reeval:{tenant}:{year}"


def reevaluation_schedule_id(tenant: str) -> str:
    """The yearly schedule that re-evaluates a city; its runs get the schedule's timestamp appended."""
    return f"reeval:{tenant}"


def window_dates(window: tuple[str, str], year: int) -> tuple[date, date]:
    """A city's month-day window ("01-01", "03-31") as dates of `year`; 29 February falls back to the 28th.

    The window must have passed ``tenants.config.window_problem``; a month-day that is no day raises ValueError.
    """

    def day(month_day: str) -> date:
        month, day_of_month = (int(part) for part in month_day.split("-"))
        if (month, day_of_month) == (2, 29) and not calendar.isleap(year):
            return date(year, 2, 28)
        return date(year, month, day_of_month)

    return day(window[0]), day(window[1])


Phase = Literal["application", "screening", "recommendation", "tracking", "reevaluation", "closed"]
"""A city's cycle, in order: operators apply in the city's window; the city screens each application with
its effective rules; the city admin recommends; the province designates; the year's designated streets are
tracked; at year end they are re-evaluated; then the next year's cycle starts."""
SelectionPhase = Literal["recommendation", "closed"]
ReevaluationPhase = Literal["assessing", "rectification", "closed"]
Outcome = Literal["pass", "fail", "incomplete"]
AssessmentKind = Literal["screening", "annual", "rectification"]
DueKind = Literal["applications", "reevaluation", "rectification"]


class Payload(msgspec.Struct, frozen=True, kw_only=True):
    """A value carried by Temporal (msgspec JSON through infra.temporal's converter)."""


class Candidate(Payload, frozen=True, kw_only=True):
    """A street as assessed for the cycle: its verdict and the figures the province's ranking orders by."""

    tenant: str
    street_id: int
    name: str
    outcome: Outcome
    assessment_id: int
    passed: int
    """Criteria passed, required and advisory: the score within an outcome."""
    criteria: int
    failed_required: tuple[str, ...] = ()
    missing_required: tuple[str, ...] = ()
    """Required criteria with no data: the outcome is then "incomplete", never a pass."""


OUTCOME_RANK: Final[dict[str, int]] = {"pass": 0, "incomplete": 1, "fail": 2}


def ranked(candidates: list[Candidate]) -> list[Candidate]:
    """The province's ranking: by outcome (pass, incomplete, fail), then criteria passed, then city and id."""
    return sorted(candidates, key=lambda c: (OUTCOME_RANK[c.outcome], -c.passed, c.tenant, c.street_id))


# Workflow inputs.
class SelectionInput(Payload, frozen=True, kw_only=True):
    province: str
    year: int


class CycleInput(Payload, frozen=True, kw_only=True):
    tenant: str
    year: int


class ReevaluationInput(Payload, frozen=True, kw_only=True):
    tenant: str
    year: int


class ScheduledReevaluationInput(Payload, frozen=True, kw_only=True):
    """What the yearly schedule passes: the year is the one that closed before the run's (China) date."""

    tenant: str


# Updates.
class Application(Payload, frozen=True, kw_only=True):
    """An operator's (or the city admin's) application of a street for the year's selection (申报)."""

    street_id: int
    applied_by: str


class CycleSettings(Payload, frozen=True, kw_only=True):
    """A change of the city's configuration that its running cycle holds: the application window (申报窗口)
    as month-days, already checked by ``tenants.config.window_problem``."""

    application_window: tuple[str, str]
    changed_by: str


class Recommendation(Payload, frozen=True, kw_only=True):
    """The city admin's recommendation of screened streets to the province (市级推荐)."""

    street_ids: tuple[int, ...]
    recommended_by: str


class Designation(Payload, frozen=True, kw_only=True):
    """The province's designation of pilots (省级认定); `override_reason` admits more than the target or a
    street whose screening did not pass."""

    street_ids: tuple[int, ...]
    designated_by: str
    override_reason: str | None = None


# Signals.
class CityRecommendations(Payload, frozen=True, kw_only=True):
    """A city's recommended streets with their screening verdicts; the latest set for a city replaces the last."""

    tenant: str
    candidates: tuple[Candidate, ...]


class SelectionClosed(Payload, frozen=True, kw_only=True):
    """The province has designated: these streets of the city are the year's new pilots."""

    designated: tuple[int, ...]


class Reevaluated(Payload, frozen=True, kw_only=True):
    """The year's re-evaluation has judged the city's designated streets."""

    retained: tuple[int, ...]
    rectification: tuple[int, ...]
    rectification_due: date | None = None


# Views (queries and results).
class Due(Payload, frozen=True, kw_only=True):
    """Something the city owes by a date: the applications' close, the re-evaluation, a rectification."""

    kind: DueKind
    due_on: date
    street_id: int | None = None


class CycleView(Payload, frozen=True, kw_only=True):
    workflow_id: str
    tenant: str
    year: int
    phase: Phase
    province: str | None
    application_window: tuple[date, date] | None
    applications: tuple[int, ...]
    screening: tuple[Candidate, ...]
    recommendations: tuple[int, ...]
    designated: tuple[int, ...]
    """The streets the province designated this year."""
    tracked: tuple[int, ...]
    """The streets whose monthly reports this cycle tracks: the city's pilots and designated streets."""
    due: tuple[Due, ...]
    reevaluation: Reevaluated | None


class SelectionView(Payload, frozen=True, kw_only=True):
    workflow_id: str
    province: str
    year: int
    phase: SelectionPhase
    target: int | None
    ranking: tuple[Candidate, ...]
    designated: tuple[Candidate, ...]
    override_reason: str | None


class RevocationProposed(Payload, frozen=True, kw_only=True):
    """A street graded D (不合格) in the year and the year before: its revocation is put to the province, whose
    decision it stays (the re-evaluation revokes only after a failed rectification, never for this)."""

    street_id: int
    name: str
    reason_zh: str
    reason_en: str
    revocation_proposed: bool = True


class ReevaluationView(Payload, frozen=True, kw_only=True):
    workflow_id: str
    tenant: str
    year: int
    phase: ReevaluationPhase
    assessed: tuple[Candidate, ...]
    retained: tuple[int, ...]
    rectification: tuple[int, ...]
    rectification_due: date | None
    reassessed: tuple[Candidate, ...]
    revoked: tuple[int, ...]
    revocation_proposed: tuple[RevocationProposed, ...] = ()
    """Streets graded D two years running, put to the province for a decision on revocation."""
