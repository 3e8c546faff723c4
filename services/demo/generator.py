"""The street generator the demo and the national data set share: a street's operator, centre and staff,
entities, internship positions, activities, monthly reports, survey responses and support ledger, for the
spans of its plan, as rows in memory with their ids."""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import math
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

import msgspec

from services.demo.cases import street_cases
from services.demo.loading import Ids, Rows
from services.demo.names import ActivityKind, EntityKind, Theme, activity_title, entity_uscc, person_name, staff_role
from services.demo.outcomes import Helped, support_outcomes
from services.demo.plans import Naming, Period, StreetPlan
from services.facts.service import ONE_STOP_SERVICES
from tenants.config import FollowupCadence

_KINDS: Final[tuple[EntityKind, ...]] = ("enterprise", "individual", "cooperative", "other")
_KIND_WEIGHTS: Final = tuple(itertools.accumulate((45, 40, 8, 7)))
_CLASSES: Final = ("startup", "growth", "brand")
_CLASS_WEIGHTS: Final = tuple(itertools.accumulate((50, 35, 15)))
_EMPLOYEES: Final = {"startup": (1, 6), "growth": (3, 15), "brand": (8, 40), None: (1, 6)}
_GROUPS: Final = ("graduate", "returnee", "veteran", "other")
# Founder groups by theme: a theme street draws mostly its own group.
_GROUP_WEIGHTS: Final[dict[Theme, tuple[int, ...]]] = {
    "graduates": tuple(itertools.accumulate((55, 10, 5, 30))),
    "returnees": tuple(itertools.accumulate((10, 55, 5, 30))),
    "veterans": tuple(itertools.accumulate((10, 10, 50, 30))),
    "industry_chain": tuple(itertools.accumulate((25, 20, 8, 47))),
    "culture_tourism": tuple(itertools.accumulate((25, 20, 8, 47))),
    "other": tuple(itertools.accumulate((25, 20, 8, 47))),
}
_ACTIVITY_KINDS: Final[tuple[ActivityKind, ...]] = ("guidance", "salon", "training", "other")
_ACTIVITY_WEIGHTS: Final = tuple(itertools.accumulate((30, 25, 30, 15)))
_SERVICE_KINDS: Final = ("policy", "mentoring", "training", "employment", "social_security", "talent", "financing")
_SERVICE_WEIGHTS: Final = tuple(itertools.accumulate((30, 20, 15, 15, 8, 6, 6)))
_EXTRA_SERVICES: Final = ("employment", "social_security", "talent", "financing")
_POSITIONS: Final = (
    "运营助理见习岗",
    "直播运营见习岗",
    "电商客服见习岗",
    "平面设计见习岗",
    "财务助理见习岗",
    "市场推广见习岗",
    "短视频剪辑见习岗",
    "行政助理见习岗",
)
# Support needs (POLICY.md, 帮扶台账) with the action taken and what a visit notes.
_NEEDS: Final = {
    "loans_financing": ("协助申请创业担保贷款", "了解贷款进度"),
    "talent": ("对接高校毕业生招聘", "跟进人才引进情况"),
    "hr": ("提供人力资源代理服务", "了解用工情况"),
    "policy": ("解读一次性创业补贴政策", "宣讲最新扶持政策"),
    "premises": ("协调场地租金减免", "查看经营场所"),
    "other": ("提供工商注册指导", "走访了解经营情况"),
}
_NEED_NAMES: Final = tuple(_NEEDS)
_LEDGER_STATUSES: Final = ("resolved", "in_progress", "open")
_LEDGER_STATUS_WEIGHTS: Final = tuple(itertools.accumulate((50, 30, 20)))
_CADENCE: Final = FollowupCadence()
_CADENCE_DAYS: Final = {"startup": _CADENCE.startup, "growth": _CADENCE.growth, "brand": _CADENCE.brand}


def _exactly(rng: random.Random, count: int, share: float) -> set[int]:
    """Indexes of `round(count * share)` of `count` items, so a share is met exactly rather than by chance."""
    return set(rng.sample(range(count), round(count * share)))


@functools.cache  # a few hundred days recur over millions of rows
def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


class _Entity(msgspec.Struct):
    id: int
    entity_class: str | None
    joined_on: date
    left_on: date | None
    operating: bool
    employees: int


class CityStreets:
    """Generates the rows of one city's streets into `rows`: one random generator and one USCC numbering
    per city, so its operators' and entities' codes are distinct within the tenant."""

    def __init__(self, rows: Rows, ids: Ids, rng: random.Random, naming: Naming, spans: Sequence[Period]) -> None:
        self.rows, self.ids, self.rng, self.naming, self.spans = rows, ids, rng, naming, spans
        self.serials = itertools.count(1)

    def add(self, plan: StreetPlan) -> int:
        """Add the rows of one street and all its data for the spans; returns the street id."""
        return _Street(self, plan).generate()


class _Street:
    """One street being generated: its city's generator and its plan."""

    def __init__(self, city: CityStreets, plan: StreetPlan) -> None:
        self.rows, self.ids, self.rng, self.naming, self.spans = city.rows, city.ids, city.rng, city.naming, city.spans
        self.serials, self.plan, self.profile, self.tenant = city.serials, plan, plan.profile, city.naming.tenant
        self.admin = f"{self.tenant}-admin"
        self.id = city.ids.take("streets")

    def add(self, table: str, *values: object) -> None:
        self.rows.tables[table].append((self.tenant, *values))

    def generate(self) -> int:
        rng, plan, profile = self.rng, self.plan, self.profile
        created = _at(self.spans[0].first, 9)
        operator_id = self.ids.take("operators")
        platform = f"https://{self.tenant}-{self.id}.jiequ-demo.cn" if profile.platform else None
        self.add(
            "operators",
            operator_id,
            self.naming.operator_name(rng),
            entity_uscc("enterprise", plan.district, next(self.serials)),
            True,
            True,
            platform,
        )
        self.practices = rng.randint(*profile.practices)  # drawn where it always was: the demo stays the same
        self.add(
            "streets",
            self.id,
            plan.name,
            plan.district,
            plan.theme,
            plan.status,
            operator_id,
            self.practices,
            json.dumps(plan.custom_fields, ensure_ascii=False),
            created,
            created,
        )
        # The city has verified what each operator claims (services/attestations), so the claims count.
        for claim, value in (("legal_person", True), ("clean_record", True), ("digital_platform_url", platform)):
            if value is not None:
                self.add("attestations", self.id, claim, json.dumps(value), "verified", "", self.admin, created)
        services = [*ONE_STOP_SERVICES, *rng.sample(_EXTRA_SERVICES, rng.randint(0, 3))]
        if not profile.one_stop:
            services.remove("mentoring")
        self.add("centers", self.id, True, self.naming.address(rng, plan.district), services)
        self.staff: list[str] = []
        for n in range(rng.randint(*profile.staff)):
            self.staff.append(person_name(rng))
            self.add(
                "center_staff",
                self.ids.take("center_staff"),
                self.id,
                self.staff[-1],
                staff_role(rng),
                n == 0 or rng.random() < 0.5,
            )
        entities = self.entities()
        self.ledger(entities)
        positions = self.positions(entities)
        # Leavers never operate, so the people employed by a month's end are those of the operating entities
        # joined by then: a running sum over the joining dates.
        working = sorted((e.joined_on, e.employees) for e in entities if e.operating)
        staffing = ([joined for joined, _ in working], list(itertools.accumulate(n for _, n in working)))
        for span in self.spans:
            self.year(span, staffing, positions)
        return self.id

    def entities(self) -> list[_Entity]:
        """The street's entities: most joined before the first year, some during it, a few this year; a
        few of the earlier ones left during the first year (registered that year, not present at its end)."""
        rng, plan, profile = self.rng, self.plan, self.profile
        first, last = self.spans[0], self.spans[-1]
        count = rng.randint(*profile.entities)
        newcomers = round(count * 0.04) if len(self.spans) > 1 else 0
        joined_in_first = round(count * 0.1)
        earlier = count - newcomers - joined_in_first
        leavers = set(rng.sample(range(earlier), max(1, round(count * 0.02))))
        joined: list[date] = [
            *(first.first - timedelta(days=rng.randint(1, 6 * 365)) for _ in range(earlier)),
            *(first.day(rng) for _ in range(joined_in_first)),
            *(last.day(rng) for _ in range(newcomers)),
        ]
        stay = [n for n in range(count) if n not in leavers]
        dormant = {stay[n] for n in _exactly(rng, len(stay), 1 - profile.operating)}
        unclassified = {stay[n] for n in _exactly(rng, len(stay), 1 - profile.classified)}
        groups = _GROUP_WEIGHTS[plan.theme]
        made = []
        for n, joined_on in enumerate(joined):
            kind = rng.choices(_KINDS, cum_weights=_KIND_WEIGHTS)[0]
            entity_class = None if n in unclassified else rng.choices(_CLASSES, cum_weights=_CLASS_WEIGHTS)[0]
            left_on = first.day(rng) if n in leavers else None  # leavers joined before the first year
            entity = _Entity(
                self.ids.take("entities"),
                entity_class,
                joined_on,
                left_on,
                n not in dormant and left_on is None,
                rng.randint(*_EMPLOYEES[entity_class]),
            )
            self.add(
                "entities",
                entity.id,
                self.id,
                self.naming.entity_name(rng, kind),
                entity_uscc(kind, plan.district, next(self.serials)),
                kind,
                entity_class,
                rng.choices(_GROUPS, cum_weights=groups)[0],
                joined_on - timedelta(days=rng.randint(0, 3 * 365)),
                entity.employees,
                entity.operating,
                joined_on,
                left_on,
            )
            made.append(entity)
        return made

    def ledger(self, entities: list[_Entity]) -> None:
        """A ledger entry for each entity on the ledger, opened when it joined, and its visits: one in the
        window before each due date (services.facts.service defines them) with the profile's on-time chance."""
        rng, tenant, street_id, on_time = self.rng, self.tenant, self.id, self.profile.on_time
        off = {n for n in _exactly(rng, len(entities), 1 - self.profile.on_ledger) if entities[n].left_on is None}
        caseworker = f"{tenant}-case"
        visits, visit_ids = self.rows.tables["ledger_visits"].append, self.ids.take  # the hot loop below
        helped: list[Helped] = []
        for n, entity in enumerate(entities):
            if n in off:
                continue
            need = rng.choice(_NEED_NAMES)
            action, note = _NEEDS[need]
            entry_id = self.ids.take("ledger_entries")
            status = rng.choices(_LEDGER_STATUSES, cum_weights=_LEDGER_STATUS_WEIGHTS)[0]
            self.add(
                "ledger_entries",
                entry_id,
                street_id,
                entity.id,
                need,
                action,
                status,
                caseworker,
                entity.joined_on,
                _at(entity.joined_on, 10),
            )
            if status == "resolved":
                helped.append(Helped(entry_id, entity.id, entity.joined_on, need))
            if entity.entity_class is None:
                continue
            days = _CADENCE_DAYS[entity.entity_class]
            for span in self.spans:
                start = max(entity.joined_on, span.first)
                end = min(span.through, entity.left_on or span.through)
                for k in range(1, (end - start).days // days + 1):
                    if rng.random() < on_time:
                        visited = start + timedelta(days=k * days - int(rng.random() * days))
                        visits(
                            (
                                tenant,
                                visit_ids("ledger_visits"),
                                entry_id,
                                entity.id,
                                street_id,
                                visited,
                                note,
                                caseworker,
                                _at(visited, 17),
                            )
                        )

        self.rows.tables["ledger_outcomes"].extend(
            support_outcomes(self.tenant, self.id, self.spans, helped, lambda: self.ids.take("ledger_outcomes"))
        )

    def positions(self, entities: list[_Entity]) -> list[tuple[date, date | None]]:
        """Internship positions: the first opened before the first year and still open, the others opened
        around it and some closed again. Returns (opened, closed) of each for the monthly reports."""
        rng, first, last = self.rng, self.spans[0], self.spans[-1]
        made: list[tuple[date, date | None]] = []
        for n in range(rng.randint(*self.profile.positions)):
            opened = (
                first.first - timedelta(days=30) if n == 0 else first.day(rng) - timedelta(days=rng.randint(0, 200))
            )
            closed = opened + timedelta(days=rng.randint(90, 300)) if n and rng.random() < 0.4 else None
            if closed is not None and closed > last.through:
                closed = None
            self.add(
                "internship_positions",
                self.ids.take("internship_positions"),
                self.id,
                rng.choice(entities).id,
                rng.choice(_POSITIONS),
                opened,
                closed,
            )
            made.append((opened, closed))
        return made

    def services(self, span: Period) -> None:
        """The centre's services of a year (三(三)), by its staff. A generator of their own, seeded by the street
        and the year, so that adding them left every other figure of the data set as it was."""
        rng = random.Random(f"center-services:{self.tenant}:{self.id}:{span.first.year}")  # noqa: S311 - demo data
        for _ in range(round(rng.randint(24, 60) * span.fraction)):
            kind = rng.choices(_SERVICE_KINDS, cum_weights=_SERVICE_WEIGHTS)[0]
            staff = rng.choice(self.staff) if self.staff else "中心工作人员"
            self.add(
                "center_services",
                self.ids.take("center_services"),
                self.id,
                span.day(rng),
                kind,
                rng.randint(1, 30),
                staff,
                None,
            )

    def year(
        self, span: Period, staffing: tuple[list[date], list[int]], positions: list[tuple[date, date | None]]
    ) -> None:
        """One year's activities, survey responses and monthly reports; `staffing` is the joining dates of
        the operating entities and the running total of their employees."""
        rng, profile, ids = self.rng, self.profile, self.ids
        joined, employed = staffing
        for _ in range(round(rng.randint(*profile.activities) * span.fraction)):
            kind = rng.choices(_ACTIVITY_KINDS, cum_weights=_ACTIVITY_WEIGHTS)[0]
            self.add(
                "activities",
                ids.take("activities"),
                self.id,
                kind,
                activity_title(rng, kind, self.plan.theme),
                span.day(rng),
                rng.randint(8, 80),
            )
        self.services(span)
        # The designated and pilot streets' practices of last year are on the province's public page.
        publish = self.plan.status in ("designated", "pilot") and span is not self.spans[-1]
        for case in street_cases(
            self.tenant,
            self.id,
            self.plan.name,
            self.practices,
            span.first.year,
            span.through,
            author=self.plan.operator_user,
            publish=publish,
        ):
            self.add("cases", ids.take("cases"), *case)
        responses = round(rng.randint(*profile.responses) * span.fraction)
        satisfied = math.ceil(responses * profile.satisfied)
        for n in range(responses):
            rating = (5 if rng.random() < 0.6 else 4) if n < satisfied else rng.choice((1, 2, 3, 3))
            self.add("survey_responses", ids.take("survey_responses"), self.id, span.day(rng), rating)
        # A report's jobsDriven is the jobs newly driven in its month: the employees of the entities that
        # started operating in it (the running total's growth), not the headcount.
        earlier = bisect.bisect_left(joined, span.first)
        employed_before = employed[earlier - 1] if earlier else 0
        # Who the positions took on (招用), by a generator of its own (see `services`): at most one per position.
        interns = random.Random(f"interns:{self.tenant}:{self.id}:{span.first.year}")  # noqa: S311 - demo data
        for month in range(1, span.report_months + 1):
            start = date(span.first.year, month, 1)
            end = date(start.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            working = bisect.bisect_right(joined, end)
            employed_now = employed[working - 1] if working else 0
            open_positions = sum(
                1 for opened, closed in positions if opened <= end and (closed is None or closed >= start)
            )
            taken = min(open_positions, interns.choice((0, 0, 1, 1, 2)))
            graduates = sum(interns.random() < 0.7 for _ in range(taken))
            self.add(
                "monthly_reports",
                self.id,
                start,
                employed_now - employed_before,
                open_positions,
                "",
                self.plan.operator_user,
                _at(end + timedelta(days=rng.randint(1, 9)), 9),
                graduates,
                taken - graduates,
            )
            employed_before = employed_now
