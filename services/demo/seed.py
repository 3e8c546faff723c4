"""The demo street data (演示数据) of ``jiequ seed --demo`` and ``jiequ up``, and the street generator that the
national data set (``services.demo.scale``) shares.

Each of Shandong's 16 cities gets 4–6 streets, each with an operator, a centre and its staff, entities,
internship positions, activities, monthly reports, survey responses and the support ledger with its visits,
for last year and for this year up to yesterday (monthly reports up to last month). A street follows a
`Profile`: exemplary streets meet every baseline criterion of POLICY.md, each other profile misses one, so
the demo shows real verdicts. Rows are made in memory with their ids and loaded with COPY as the owner.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import itertools
import json
import math
import random
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Protocol, cast

import msgspec
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.auth.passwords import hash_password
from services.demo.names import (
    THEME_WORDS,
    ActivityKind,
    EntityKind,
    Theme,
    activity_title,
    address,
    demo_rng,
    distinct,
    entity_name,
    entity_uscc,
    operator_name,
    person_name,
    staff_role,
    street_name,
)
from services.demo.places import CITIES, City
from services.facts.service import ONE_STOP_SERVICES
from tenants import calendar
from tenants.config import FollowupCadence
from tenants.context import Role

DEMO_SEED: Final = 2024
"""The seed of every demo generator: the same demo on every machine."""

BASELINE_THEMES: Final[tuple[Theme, ...]] = ("graduates", "returnees", "veterans", "industry_chain")
"""The themes the baseline accepts (POLICY.md 二(二), rules/baseline)."""


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    """The shape of a generated street's data. The defaults meet every baseline criterion with a margin.

    Entity shares and satisfaction are met exactly (counts are rounded, not drawn); follow-up visits are
    drawn with the on-time chance, over the hundreds of due dates of a street, so the share stays within a
    point or two of it. Yearly numbers (activities, responses) are scaled down for a part year.
    """

    name: str
    weight: float
    """The profile's share of the streets of the national data set."""
    entities: tuple[int, int] = (110, 180)
    operating: float = 0.92
    classified: float = 1.0
    on_ledger: float = 1.0
    on_time: float = 0.96
    """The chance that a due follow-up visit is made in its window."""
    staff: tuple[int, int] = (2, 6)
    one_stop: bool = True
    platform: bool = True
    themes: tuple[Theme, ...] = BASELINE_THEMES
    positions: tuple[int, int] = (1, 6)
    activities: tuple[int, int] = (12, 30)
    responses: tuple[int, int] = (40, 120)
    satisfied: float = 0.95
    practices: tuple[int, int] = (1, 3)


EXEMPLARY: Final = Profile(name="exemplary", weight=0.5)
LATE_FOLLOWUPS: Final = Profile(name="late_followups", weight=0.08, on_time=0.7, practices=(0, 0))
"""Meets every required criterion but neither advisory one (followup_on_time, replicable_practice)."""
FAILING: Final[tuple[Profile, ...]] = (
    Profile(name="few_entities", weight=0.04, entities=(60, 95)),
    Profile(name="low_satisfaction", weight=0.04, satisfied=0.78),
    Profile(name="few_activities", weight=0.04, activities=(4, 8)),
    Profile(name="short_staffed", weight=0.04, staff=(1, 1)),
    Profile(name="ledger_gaps", weight=0.04, on_ledger=0.85, on_time=0.85),
    Profile(name="unclassified", weight=0.04, classified=0.93),
    Profile(name="dormant", weight=0.04, operating=0.7),
    Profile(name="small_survey", weight=0.04, responses=(10, 25)),
    Profile(name="off_theme", weight=0.04, themes=("culture_tourism", "other")),
    Profile(name="no_internships", weight=0.04, positions=(0, 0)),
    Profile(name="no_platform", weight=0.04, platform=False),
)
"""One profile per baseline criterion it misses; small_survey has too few answers, so satisfaction is "no data"."""
PROFILES: Final = (EXEMPLARY, LATE_FOLLOWUPS, *FAILING)


class Period(msgspec.Struct, frozen=True):
    """A calendar year's span with records: 1 January to `through`, and how many months have a report."""

    first: date
    through: date
    report_months: int

    @property
    def days(self) -> int:
        return (self.through - self.first).days + 1

    @property
    def fraction(self) -> float:
        """How much of a whole year the span is: yearly numbers are scaled by it."""
        return self.days / 365

    def day(self, rng: random.Random) -> date:
        return self.first + timedelta(days=rng.randrange(self.days))


def periods(today: date, *, this_year: bool) -> tuple[Period, ...]:
    """Last year in full, and with `this_year` the current year up to yesterday (reports up to last month)."""
    last = Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), 12)
    current = Period(date(today.year, 1, 1), today - timedelta(days=1), today.month - 1)
    return (last, current) if this_year and current.days > 0 else (last,)


class Naming(Protocol):
    """How one city's names are made: Shandong's from services.demo.names, other provinces' in scale."""

    @property
    def tenant(self) -> str: ...

    @property
    def districts(self) -> tuple[str, ...]: ...

    def street_name(self, rng: random.Random, theme: Theme) -> str: ...

    def operator_name(self, rng: random.Random) -> str: ...

    def entity_name(self, rng: random.Random, kind: EntityKind) -> str: ...

    def address(self, rng: random.Random, district: str) -> str: ...


class ShandongNaming:
    """Names of a Shandong city: its landmarks, districts and nickname (services.demo.names)."""

    def __init__(self, city: City) -> None:
        self.city = city

    @property
    def tenant(self) -> str:
        return self.city.slug

    @property
    def districts(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.city.districts)

    def street_name(self, rng: random.Random, theme: Theme) -> str:
        return street_name(rng, self.city.slug, theme)

    def operator_name(self, rng: random.Random) -> str:
        return operator_name(rng, self.city.slug)

    def entity_name(self, rng: random.Random, kind: EntityKind) -> str:
        return entity_name(rng, self.city.slug, kind)

    def address(self, rng: random.Random, district: str) -> str:
        return address(rng, district)


class StreetPlan(msgspec.Struct, frozen=True, kw_only=True):
    """One street to generate: its name, district, theme, status, profile and who submits its reports."""

    name: str
    district: str
    theme: Theme
    status: str
    profile: Profile
    operator_user: str
    custom_fields: dict[str, Any] = msgspec.field(default_factory=dict)


def plan_streets(
    rng: random.Random, naming: Naming, profiles: Sequence[Profile], statuses: Sequence[str]
) -> list[StreetPlan]:
    """Streets of one city with these profiles and statuses; names are distinct within the city.

    Names are drawn per theme: the theme words differ between themes, so names of different themes never
    meet, and `distinct` needs only the count of each theme.
    """
    themes = [rng.choice(p.themes) for p in profiles]
    names = {
        theme: iter(distinct(functools.partial(naming.street_name, rng, theme), themes.count(theme)))
        for theme in THEME_WORDS
    }
    return [
        StreetPlan(
            name=next(names[theme]),
            district=rng.choice(naming.districts),
            theme=theme,
            status=status,
            profile=profile,
            operator_user=f"{naming.tenant}-op-{n}",
        )
        for n, (profile, theme, status) in enumerate(zip(profiles, themes, statuses, strict=True), start=1)
    ]


# fmt: off
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "operators": ("tenant_id", "id", "name", "uscc", "legal_person", "clean_record", "digital_platform_url"),
    "streets": ("tenant_id", "id", "name", "district", "theme", "status", "operator_id", "replicable_practices",
                "custom_fields", "created_at", "updated_at"),
    "centers": ("tenant_id", "street_id", "fixed_site", "address", "services"),
    "center_staff": ("tenant_id", "id", "street_id", "name", "role", "full_time"),
    "entities": ("tenant_id", "id", "street_id", "name", "uscc", "kind", "class", "founder_group", "founded_on",
                 "employees", "operating", "joined_on", "left_on"),
    "internship_positions": ("tenant_id", "id", "street_id", "entity_id", "title", "opened_on", "closed_on"),
    "activities": ("tenant_id", "id", "street_id", "kind", "title", "held_on", "participants"),
    "monthly_reports": ("tenant_id", "street_id", "month", "jobs_driven", "internship_positions", "notes",
                        "submitted_by", "submitted_at"),
    "survey_responses": ("tenant_id", "id", "street_id", "responded_on", "rating"),
    "ledger_entries": ("tenant_id", "id", "street_id", "entity_id", "need", "action", "status", "caseworker",
                       "opened_on", "updated_at"),
    "ledger_visits": ("tenant_id", "id", "entry_id", "entity_id", "street_id", "visited_on", "notes", "caseworker",
                      "created_at"),
}
# fmt: on
"""The tables a street's data goes to, parents before children, and the columns in the generated order."""

IDENTITY_TABLES: Final = tuple(table for table, columns in COLUMNS.items() if columns[1] == "id")


class Driver(Protocol):
    """The asyncpg connection under a session, as far as loading uses it (asyncpg ships no type hints)."""

    async def copy_records_to_table(
        self, table_name: str, *, records: Iterable[Sequence[object]], columns: Sequence[str]
    ) -> str: ...

    async def fetch(self, query: str, *args: object) -> list[Any]: ...

    async def fetchval(self, query: str, *args: object) -> Any: ...

    async def execute(self, query: str, *args: object) -> str: ...


class Ids:
    """Ids of new rows, drawn ahead from each table's identity sequence and handed out in memory.

    Safe because `start_load` locks the tables against other writers until the transaction ends, and
    `release` then moves each sequence past the ids handed out.
    """

    def __init__(self, starts: dict[str, int]) -> None:
        self._next = {table: itertools.count(start) for table, start in starts.items()}

    def take(self, table: str) -> int:
        return next(self._next[table])

    async def release(self, connection: Driver) -> None:
        for table, ids in self._next.items():
            await connection.execute("SELECT setval(pg_get_serial_sequence($1, 'id'), $2, false)", table, next(ids))


async def start_load(session: AsyncSession) -> tuple[Driver, Ids]:
    """Begin a bulk load in the session's transaction: the asyncpg connection to COPY through, and the ids.

    SHARE ROW EXCLUSIVE keeps other writers, and another seed, off the tables until the transaction ends.
    The lock goes through SQLAlchemy, which begins the transaction on the connection (asyncpg runs
    statements of its own outside it).
    """
    connection = await session.connection()
    await connection.execute(text(f"LOCK TABLE {', '.join(COLUMNS)} IN SHARE ROW EXCLUSIVE MODE"))
    raw = await connection.get_raw_connection()
    driver = cast(Driver, raw.driver_connection)
    starts = {
        table: await driver.fetchval("SELECT nextval(pg_get_serial_sequence($1, 'id'))", table)
        for table in IDENTITY_TABLES
    }
    return driver, Ids(starts)


class Rows:
    """Generated rows by table, loaded with COPY in `COLUMNS` order (parents first)."""

    def __init__(self) -> None:
        self.tables: dict[str, list[tuple[object, ...]]] = {table: [] for table in COLUMNS}

    def counts(self) -> dict[str, int]:
        return {table: len(records) for table, records in self.tables.items()}

    async def copy(self, connection: Driver) -> None:
        for table, records in self.tables.items():
            if records:
                await connection.copy_records_to_table(table, records=records, columns=COLUMNS[table])


# The loaded tables' foreign keys and secondary indexes, as the statements that drop and restore them.
_CHECKS = """
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) AS drop,
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS restore
FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY($1::regclass[])
UNION ALL
SELECT format('DROP INDEX %s', indexrelid::regclass), pg_get_indexdef(indexrelid)
FROM pg_index i
WHERE indrelid = ANY($1::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


@asynccontextmanager
async def bulk_load(connection: Driver) -> AsyncIterator[None]:
    """Load without the foreign keys and secondary indexes of the street tables, and restore them after, in
    the same transaction (PostgreSQL manual, "Populating a Database"): checking and indexing once over the
    loaded rows is several times faster than row by row. Primary and unique keys stay, so a duplicate
    still fails the load; restoring the foreign keys validates every row. Then the tables are analyzed."""
    checks = await connection.fetch(_CHECKS, list(COLUMNS))
    for check in checks:
        await connection.execute(check["drop"])
    yield
    await connection.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory
    for check in checks:
        await connection.execute(check["restore"])
    # Fresh statistics, or the planner guesses at the new rows and probes the wrong indexes (the facts
    # queries picked the street index over the entity one and scanned a city's whole ledger per entity).
    await connection.execute(f"ANALYZE {', '.join(COLUMNS)}")


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
        self.add(
            "streets",
            self.id,
            plan.name,
            plan.district,
            plan.theme,
            plan.status,
            operator_id,
            rng.randint(*profile.practices),
            json.dumps(plan.custom_fields, ensure_ascii=False),
            created,
            created,
        )
        services = [*ONE_STOP_SERVICES, *rng.sample(_EXTRA_SERVICES, rng.randint(0, 3))]
        if not profile.one_stop:
            services.remove("mentoring")
        self.add("centers", self.id, True, self.naming.address(rng, plan.district), services)
        for n in range(rng.randint(*profile.staff)):
            self.add(
                "center_staff",
                self.ids.take("center_staff"),
                self.id,
                person_name(rng),
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
        for n, entity in enumerate(entities):
            if n in off:
                continue
            need = rng.choice(_NEED_NAMES)
            action, note = _NEEDS[need]
            entry_id = self.ids.take("ledger_entries")
            self.add(
                "ledger_entries",
                entry_id,
                street_id,
                entity.id,
                need,
                action,
                rng.choices(_LEDGER_STATUSES, cum_weights=_LEDGER_STATUS_WEIGHTS)[0],
                caseworker,
                entity.joined_on,
                _at(entity.joined_on, 10),
            )
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
        responses = round(rng.randint(*profile.responses) * span.fraction)
        satisfied = math.ceil(responses * profile.satisfied)
        for n in range(responses):
            rating = (5 if rng.random() < 0.6 else 4) if n < satisfied else rng.choice((1, 2, 3, 3))
            self.add("survey_responses", ids.take("survey_responses"), self.id, span.day(rng), rating)
        # A report's jobsDriven is the jobs newly driven in its month: the employees of the entities that
        # started operating in it (the running total's growth), not the headcount.
        earlier = bisect.bisect_left(joined, span.first)
        employed_before = employed[earlier - 1] if earlier else 0
        for month in range(1, span.report_months + 1):
            start = date(span.first.year, month, 1)
            end = date(start.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            working = bisect.bisect_right(joined, end)
            employed_now = employed[working - 1] if working else 0
            open_positions = sum(
                1 for opened, closed in positions if opened <= end and (closed is None or closed >= start)
            )
            self.add(
                "monthly_reports",
                self.id,
                start,
                employed_now - employed_before,
                open_positions,
                "",
                self.plan.operator_user,
                _at(end + timedelta(days=rng.randint(1, 9)), 9),
            )
            employed_before = employed_now


def demo_plans(city: City, index: int, failing: Iterator[Profile]) -> list[StreetPlan]:
    """The streets of the `index`-th city: 4–6 of them; the first exemplary, the second exemplary or short of
    the advisory criteria, the rest each missing one baseline criterion, taken in turn from `failing`.

    The first street of the first two cities is designated, of the next two a pilot, of the next four
    recommended; jinan's streets carry its custom field `stalls`.
    """
    count = 4 + index % 3
    profiles = [EXEMPLARY, EXEMPLARY if index % 2 == 0 else LATE_FOLLOWUPS, *itertools.islice(failing, count - 2)]
    lead = "designated" if index < 2 else "pilot" if index < 4 else "recommended" if index < 8 else "applied"
    rng = demo_rng(DEMO_SEED, city.slug, "streets")
    plans = plan_streets(rng, ShandongNaming(city), profiles, [lead, *["applied"] * (count - 1)])
    if city.slug == "jinan":
        plans = [msgspec.structs.replace(p, custom_fields={"stalls": rng.randint(12, 60)}) for p in plans]
    return plans


async def seed_demo(session: AsyncSession, password: str, *, today: date | None = None) -> dict[str, int]:
    """Load the demo streets of every Shandong city that has no street yet, with an operator user per street
    (``{city}-op-{n}``). A city with any street is left alone, so a second run adds nothing."""
    connection, ids = await start_load(session)
    seeded = {row[0] for row in await connection.fetch("SELECT DISTINCT tenant_id FROM streets")}
    spans = periods(today or calendar.today(), this_year=True)
    failing = itertools.cycle(FAILING)
    rows, operators = Rows(), []
    for index, city in enumerate(CITIES):
        plans = demo_plans(city, index, failing)  # even for a city skipped, to keep the rotation of profiles
        if city.slug in seeded:
            continue
        streets = CityStreets(rows, ids, demo_rng(DEMO_SEED, city.slug, "data"), ShandongNaming(city), spans)
        operators += [(plan.operator_user, city.slug, plan.name, streets.add(plan)) for plan in plans]
    if operators:
        async with bulk_load(connection):
            await rows.copy(connection)
    await ids.release(connection)
    if any(tenant == "jinan" for _, tenant, _, _ in operators):
        await connection.execute(
            "INSERT INTO custom_fields (tenant_id, key, label_zh, label_en, type, choices, created_at)"
            " VALUES ('jinan', 'stalls', '摊位数', 'market stalls', 'integer', '[]', now()) ON CONFLICT DO NOTHING"
        )
    created = {table: count for table, count in rows.counts().items() if count}
    created["operator_users"] = await _operator_users(connection, operators, password)
    return created


async def _operator_users(connection: Driver, operators: list[tuple[str, str, str, int]], password: str) -> int:
    """Create the users (username, tenant, display name, street id) that do not exist yet, as operators of
    their streets. They share the demo password, so they share one hash of it: argon2 takes about 0.1 s a
    hash by design, which for a user per street would be most of the demo's load time."""
    if not operators:
        return 0
    usernames, tenants, names, streets = (list(column) for column in zip(*operators, strict=True))
    password_hash = await asyncio.to_thread(hash_password, password)
    created = await connection.fetch(
        "INSERT INTO users (tenant_id, username, password_hash, role, display_name, street_id, created_at)"
        " SELECT tenant, username, $5, $6, name, street, now()"
        " FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(username, tenant, name, street)"
        " ON CONFLICT (username) DO NOTHING RETURNING username",
        usernames,
        tenants,
        names,
        streets,
        password_hash,
        Role.OPERATOR.value,
    )
    return len(created)
