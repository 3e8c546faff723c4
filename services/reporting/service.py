"""The province report (省级报表): each city's figures for a year from a per-street summary, and their totals."""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final, NamedTuple, get_args

import msgspec
from sqlalchemy import RowMapping, text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.entities.schemas import EntityClass, FounderGroup
from services.errors import NotFoundError
from services.facts.service import SATISFIED_RATING
from services.reporting.exports import Export, ExportFormat, render
from services.reporting.schemas import CityFigures, Figures, ProvinceReport, Target
from services.streets.schemas import StreetStatus
from tenants import calendar
from tenants.config import TenantSettings, settings_from_json
from tenants.context import Actor
from tenants.ids import TenantId
from tenants.registry import TenantInfo
from tenants.resolver import TenantDirectory, resolve

# Why a summary kept current rather than aggregates on request. Measured with bench.py on the national
# data set (31 provinces, 10,038 streets, 1.43 M entities, 10.8 M follow-up visits of 2025) on this
# machine's PostgreSQL 15 (2 CPUs, default settings, other work running alongside):
# - On request, Guangdong (598 streets, 86 k entities, 644 k visits) cannot answer in 200 ms: merely
#   counting its visits of the year takes ~365 ms warm, its entities' aggregate ~120 ms, and the
#   follow-up rule took 2.5-50 s depending on the plan (the RLS qual tenant_id = ANY(app_read_tenants())
#   is a function the planner cannot see into, so it underestimates a province 15-fold and probes an
#   index per entity). Indexes do not change that order of magnitude.
# - So each street's tally for a year is kept in report_street_years (migration 0006) and the report
#   reads one row per street; rows are stale when statement triggers on the street data bumped the
#   street's report_changes.version, when the city's follow-up cadence changed, or on a new day in a
#   running year (follow-ups are counted up to today). The report recomputes only the stale streets,
#   in the caller's transaction, with the per-street aggregate TALLIES, so it is never out of date and
#   needs no workflow to be right; `refresh_summary` lets a schedule recompute ahead of the readers.
# - Figures, p50/p95 per request: warm (summary current) 8/11 ms for the smallest province (Hainan,
#   121 streets) to 21/27 ms for the largest (Guangdong), at most 33/45 ms for any province; with 2 % of
#   the province's streets changed before each request 24/48 ms to 68/110 ms, at most 126 ms; with 10 %
#   changed the largest reach 180/215 ms (hence a schedule after busy hours). Cold (every street
#   recomputed, e.g. the first request of a day without a nightly refresh): 0.6 s (Hainan) to 2.5 s
#   (Sichuan, Guangdong). XLSX export of Guangdong, report included: 60 ms p50; CSV 35 ms.
# - Through RLS the plans use the (tenant_id, ...) indexes: every scan has the policy's qual in its
#   Index Cond next to the explicit tenant and street (bench.py --explain).

PILOT_TARGET: Final = 20
"""About 20 pilot streets province-wide in 2024–2025 (POLICY.md 一(三)): the default of the province's setting
``pilotTarget``, which the report's target reads."""
STREET_TARGET: Final = 60
"""About 60 provincial streets in total (POLICY.md 一(三))."""

STATUSES: Final[tuple[str, ...]] = get_args(StreetStatus)
PILOT_STATUSES: Final = frozenset({"pilot"})
DESIGNATED_STATUSES: Final = frozenset({"designated", "rectification"})
"""A street in rectification (整改) keeps its designation until it is revoked."""

ENTITY_CLASSES: Final[tuple[str, ...]] = get_args(EntityClass)
UNCLASSIFIED: Final = "unclassified"
FOUNDER_GROUPS: Final[tuple[str, ...]] = get_args(FounderGroup)
NO_FOUNDER_GROUP: Final = "unknown"

COUNTS: Final[tuple[str, ...]] = (
    "registered",
    "present",
    "operating",
    "jobs",
    "on_ledger",
    *(f"class.{c}" for c in ENTITY_CLASSES),
    *(f"group.{g}" for g in FOUNDER_GROUPS),
    "activities",
    "responses",
    "satisfied",
    "assessed",
    "passed",
    "due",
    "on_time",
    *(f"month.{m}" for m in range(1, 13)),
    *(f"reports.{m}" for m in range(1, 13)),
)
"""A street's tally as the summary stores it: one integer array in this order (sums are element-wise)."""
_DEFINITIONS: Final = 2
"""Raise it when a figure's SQL changes meaning: stored rows of the old definitions are then recomputed."""
COUNTS_FORMAT: Final = zlib.crc32(f"{_DEFINITIONS}:{','.join(COUNTS)}".encode()) & 0x7FFF
"""The layout and definitions a stored row was computed with (a smallint); another one is stale."""
_RESPONSES, _SATISFIED = COUNTS.index("responses"), COUNTS.index("satisfied")

StreetKey = tuple[str, int]
"""(tenant, street id): street ids are unique only within a tenant."""


class Tally(msgspec.Struct, kw_only=True):
    """The numerators and denominators behind the figures of a street, a city or the province.

    For a street of year Y, with compute_facts' definitions (services/facts/service.py):

    - streets, by_status: 1, and 1 under the street's status (whatever it is; read live, not summarised);
    - registered (fact ``entity_count``): entities registered at any time in Y;
    - present: entities present at the end of Y (not left by 31 December), the denominator of the shares;
    - operating, jobs (fact ``jobs_driven``): present entities in normal operation, and their employees
      (founders included);
    - on_ledger (fact ``ledger_coverage``): present entities with a support-ledger entry opened by 31 December;
    - by_class, by_group: present entities by class and by founder group ("unclassified"/"unknown" when
      not recorded);
    - activities: activities held in Y;
    - responses, satisfied (fact ``satisfaction``): Y's survey responses and those rated 4 or 5; a street's
      survey counts in a report only when it reaches its city's ``survey_min_sample`` (a smaller one is
      "no data" in the facts, so it adds nothing to the report either);
    - assessed, passed: 1 when the street has an assessment of Y, and 1 when its latest one passed;
    - due, on_time (fact ``followup_on_time``): follow-up visits due in Y up to today with the city's
      cadence, and those made on time;
    - monthly_jobs: the jobs newly driven in each month of Y, January to December, as the operators'
      monthly reports (月报) give them (a report's ``jobsDriven`` is the people who started work in that
      month, not a headcount): months add up, and their sum is ``jobs_reported``, the jobs newly driven in Y.
      A month that few operators have reported yet is small because it is incomplete, never a fall in
      employment: ``monthly_reports`` says how many streets reported each month;
    - monthly_reports: the number of the streets' reports of each month of Y.

    ``jobs`` (the fact ``jobs_driven``) is a headcount at year end taken from the entities themselves,
    so no monthly report, on time or late, changes it; ``jobs_reported`` is the year's inflow as reported.
    """

    streets: int = 0
    by_status: dict[str, int] = msgspec.field(default_factory=dict)
    registered: int = 0
    present: int = 0
    operating: int = 0
    jobs: int = 0
    on_ledger: int = 0
    by_class: dict[str, int] = msgspec.field(default_factory=dict)
    by_group: dict[str, int] = msgspec.field(default_factory=dict)
    activities: int = 0
    responses: int = 0
    satisfied: int = 0
    assessed: int = 0
    passed: int = 0
    due: int = 0
    on_time: int = 0
    monthly_jobs: list[int] = msgspec.field(default_factory=lambda: [0] * 12)
    monthly_reports: list[int] = msgspec.field(default_factory=lambda: [0] * 12)

    def add(self, other: Tally) -> None:
        for name in self.__struct_fields__:
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, dict):
                setattr(self, name, {k: mine.get(k, 0) + theirs.get(k, 0) for k in {*mine, *theirs}})
            elif isinstance(mine, list):
                setattr(self, name, [a + b for a, b in zip(mine, theirs, strict=True)])
            else:
                setattr(self, name, mine + theirs)

    def counts(self) -> list[int]:
        """The tally in the order of `COUNTS` (streets and statuses are not stored)."""
        values: list[int] = []
        for name in COUNTS:
            field, _, key = name.partition(".")
            if field == "class":
                values.append(self.by_class.get(key, 0))
            elif field == "group":
                values.append(self.by_group.get(key, 0))
            elif field == "month":
                values.append(self.monthly_jobs[int(key) - 1])
            elif field == "reports":
                values.append(self.monthly_reports[int(key) - 1])
            else:
                values.append(getattr(self, field))
        return values

    @classmethod
    def of_counts(cls, counts: Sequence[int], by_status: Mapping[str, int]) -> Tally:
        """The tally of streets with these summed `counts` (`COUNTS` order) and statuses."""
        tally = cls(streets=sum(by_status.values()), by_status=dict(by_status))
        for name, value in zip(COUNTS, counts, strict=True):
            field, _, key = name.partition(".")
            if field == "class":
                tally.by_class[key] = value
            elif field == "group":
                tally.by_group[key] = value
            elif field == "month":
                tally.monthly_jobs[int(key) - 1] = value
            elif field == "reports":
                tally.monthly_reports[int(key) - 1] = value
            else:
                setattr(tally, field, value)
        tally.by_class[UNCLASSIFIED] = tally.present - sum(tally.by_class.values())
        tally.by_group[NO_FOUNDER_GROUP] = tally.present - sum(tally.by_group.values())
        return tally

    def figures(self) -> dict[str, Any]:
        """The report's figures (the fields of `Figures`); every ratio from the summed parts."""
        return {
            "streets": self.streets,
            "streets_by_status": _keyed(self.by_status, STATUSES),
            "pilots": sum(self.by_status.get(status, 0) for status in PILOT_STATUSES),
            "designated": sum(self.by_status.get(status, 0) for status in DESIGNATED_STATUSES),
            "entities": self.registered,
            "entities_present": self.present,
            "entities_by_class": _keyed(self.by_class, (*ENTITY_CLASSES, UNCLASSIFIED)),
            "entities_by_founder_group": _keyed(self.by_group, (*FOUNDER_GROUPS, NO_FOUNDER_GROUP)),
            "ledger_coverage": _share(self.on_ledger, self.present),
            "jobs_driven": self.jobs,
            "activities": self.activities,
            "activity_rate": _share(self.operating, self.present),
            "satisfaction": _share(self.satisfied, self.responses),
            "survey_responses": self.responses,
            "pass_rate": _share(self.passed, self.assessed),
            "assessed_streets": self.assessed,
            "followup_on_time": _share(self.on_time, self.due),
            "followups_due": self.due,
            "monthly_jobs": list(self.monthly_jobs),
            "jobs_reported": sum(self.monthly_jobs),
            "monthly_reports": list(self.monthly_reports),
        }


def _keyed(counts: Mapping[str, int], keys: Iterable[str]) -> dict[str, int]:
    """`counts` with every one of `keys`, 0 where absent, in their order."""
    return {key: counts.get(key, 0) for key in keys}


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# One row per street asked for: each figure a LATERAL aggregate over that street's rows, through the
# (tenant_id, street_id[, date]) indexes. Per street rather than one set-based join per figure, because
# under RLS the planner underestimates a province's rows (the policy's tenant_id = ANY(app_read_tenants())
# is a stable function it cannot see into) and chose nested loops probing an index per entity, which
# took seconds to minutes for a large province; per street, the cost is linear in the streets
# recomputed whatever plan is chosen (bench.py --explain shows the plan). The definitions are
# compute_facts' (see `Tally`); its follow-up rule, for a visit on day d, counts the due window
# (d - start - 1) / days, and the on-time due dates of an entity are the distinct windows its visits
# fall in. A ledger entry and a visit carry their entity's street, so a street's own rows suffice.
_BY_CLASS: Final = ", ".join(f"count(*) FILTER (WHERE present AND class = '{c}') AS class_{c}" for c in ENTITY_CLASSES)
_BY_GROUP: Final = ", ".join(
    f"count(*) FILTER (WHERE present AND founder_group = '{g}') AS group_{g}" for g in FOUNDER_GROUPS
)
TALLIES = text(f"""
WITH cadence AS (  -- each city's follow-up days, in the order of :classes
    SELECT tenant_id, CAST(days AS integer[]) AS days
    FROM unnest(CAST(:cadence_tenants AS text[]), CAST(:cadences AS text[])) AS c(tenant_id, days)
)
SELECT s.tenant_id, s.street_id, e.*, a.activities, v.responses, v.satisfied, m.months, m.month_jobs,
       x.passed IS NOT NULL AS assessed, coalesce(x.passed, false) AS passed, d.due, f.on_time
FROM unnest(CAST(:tenants AS text[]), CAST(:street_ids AS bigint[])) AS s(tenant_id, street_id)
JOIN cadence c ON c.tenant_id = s.tenant_id
CROSS JOIN LATERAL (
    SELECT count(*) AS registered,
           count(*) FILTER (WHERE present) AS present,
           count(*) FILTER (WHERE present AND operating) AS operating,
           coalesce(sum(employees) FILTER (WHERE present AND operating), 0) AS jobs,
           count(*) FILTER (WHERE present AND on_ledger) AS on_ledger,
           {_BY_CLASS},
           {_BY_GROUP}
    FROM (
        SELECT operating, employees, class, founder_group, left_on IS NULL OR left_on > :last AS present,
               id = ANY(ARRAY(
                   SELECT l.entity_id FROM ledger_entries l
                   WHERE l.tenant_id = s.tenant_id AND l.street_id = s.street_id AND l.opened_on <= :last
               )) AS on_ledger
        FROM entities
        WHERE tenant_id = s.tenant_id AND street_id = s.street_id
          AND (joined_on IS NULL OR joined_on <= :last) AND (left_on IS NULL OR left_on >= :first)
    ) registered
) e
CROSS JOIN LATERAL (
    SELECT count(*) AS activities FROM activities
    WHERE tenant_id = s.tenant_id AND street_id = s.street_id AND held_on BETWEEN :first AND :last
) a
CROSS JOIN LATERAL (
    SELECT count(*) AS responses, count(*) FILTER (WHERE rating >= :satisfied) AS satisfied
    FROM survey_responses
    WHERE tenant_id = s.tenant_id AND street_id = s.street_id AND responded_on BETWEEN :first AND :last
) v
CROSS JOIN LATERAL (
    SELECT array_agg(CAST(extract(month FROM month) AS integer) ORDER BY month) AS months,
           array_agg(jobs_driven ORDER BY month) AS month_jobs
    FROM monthly_reports
    WHERE tenant_id = s.tenant_id AND street_id = s.street_id AND month BETWEEN :first AND :last
) m
LEFT JOIN LATERAL (  -- the latest assessment of the year not voided decides
    SELECT outcome = 'pass' AS passed FROM assessments
    WHERE tenant_id = s.tenant_id AND street_id = s.street_id AND year = :year AND voided_at IS NULL
    ORDER BY created_at DESC, id DESC
    LIMIT 1
) x ON true
CROSS JOIN LATERAL (  -- entities due follow-ups: present at year end, classified, on the ledger
    SELECT coalesce(sum(due), 0) AS due, array_agg(id) AS ids, array_agg(start) AS starts,
           array_agg(days) AS days, array_agg(due) AS dues
    FROM (
        SELECT e.id, k.start, k.days, greatest(0, (CAST(:until AS date) - k.start) / k.days) AS due
        FROM entities e
        CROSS JOIN LATERAL (
            SELECT greatest(e.joined_on, CAST(:first AS date)) AS start,
                   c.days[array_position(CAST(:classes AS text[]), e.class)] AS days
        ) k
        WHERE e.tenant_id = s.tenant_id AND e.street_id = s.street_id AND e.class IS NOT NULL
          AND (e.joined_on IS NULL OR e.joined_on <= :last) AND (e.left_on IS NULL OR e.left_on > :last)
          AND e.id = ANY(ARRAY(
              SELECT l.entity_id FROM ledger_entries l
              WHERE l.tenant_id = s.tenant_id AND l.street_id = s.street_id AND l.opened_on <= :last
          ))
    ) scheduled
) d
CROSS JOIN LATERAL (  -- their visits, read once per street and matched by position in d's arrays
    SELECT coalesce(sum((
               SELECT count(DISTINCT (day - d.starts[i] - 1) / d.days[i]) FROM unnest(v.days) AS day
               WHERE day > d.starts[i] AND day <= d.starts[i] + d.dues[i] * d.days[i]
           )), 0) AS on_time
    FROM (
        SELECT entity_id, array_agg(visited_on) AS days FROM ledger_visits
        WHERE tenant_id = s.tenant_id AND street_id = s.street_id AND visited_on > :first AND visited_on <= :until
        GROUP BY entity_id
    ) v
    CROSS JOIN LATERAL array_position(d.ids, v.entity_id) AS i
    WHERE i IS NOT NULL
) f
WHERE s.tenant_id = ANY(:cities)
""")  # noqa: S608 - the interpolated names are the module's constants, never input

_SETTINGS = text("SELECT tenant_id, settings FROM tenant_configs WHERE tenant_id = ANY(:cities)")

# Every street of the cities with its status, its change version, and its summary row for the year.
_SUMMARY = text("""
SELECT s.tenant_id, s.id AS street_id, s.status, coalesce(c.version, 0) AS version,
       r.version AS summary_version, r.until, r.cadence, r.format, r.counts
FROM streets s
LEFT JOIN report_changes c ON c.tenant_id = s.tenant_id AND c.street_id = s.id
LEFT JOIN report_street_years r ON r.tenant_id = s.tenant_id AND r.year = :year AND r.street_id = s.id
WHERE s.tenant_id = ANY(:cities)
""")

_STORE = text("""
INSERT INTO report_street_years AS r (tenant_id, year, street_id, version, until, cadence, format, counts)
SELECT u.tenant_id, :year, u.street_id, u.version, :until, CAST(u.cadence AS integer[]), :format,
       CAST(u.counts AS bigint[])
FROM unnest(CAST(:tenants AS text[]), CAST(:street_ids AS bigint[]), CAST(:versions AS bigint[]),
            CAST(:cadences AS text[]), CAST(:counts AS text[])) AS u(tenant_id, street_id, version, cadence, counts)
ORDER BY u.tenant_id, u.street_id
ON CONFLICT (tenant_id, year, street_id) DO UPDATE
SET version = excluded.version, until = excluded.until, cadence = excluded.cadence, format = excluded.format,
    counts = excluded.counts, computed_at = now()
""")


def own_province(actor: Actor, province: str) -> TenantId:
    """The caller's own province: any other slug, a city's included, answers 404 like an unknown one."""
    if not actor.province or actor.tenant != province:
        raise NotFoundError(f"省份 {province} 不存在 / province {province} not found")
    return actor.tenant


FIRST_YEAR: Final = 2000
"""The earliest year a report is made for; each report year keeps a summary row per street."""


def check_year(year: int, today: date | None = None) -> None:
    """A report exists for the years from `FIRST_YEAR` to the current one (none for the future)."""
    if not FIRST_YEAR <= year <= (today or calendar.today()).year:
        raise NotFoundError(f"没有 {year} 年的报表 / there is no report for {year}")


def province_cities(actor: Actor, directory: TenantDirectory, province: TenantId) -> list[TenantInfo]:
    """The cities of `province` that the caller may read, by division code."""
    cities = [directory.get(slug) for slug in directory.children(province)]
    return sorted((c for c in cities if c is not None and actor.can_read(c.slug)), key=lambda c: c.code)


def count_until(year: int, today: date | None = None) -> date:
    """The last day follow-ups of `year` are counted to: 31 December, or today in a running year."""
    return min(date(year, 12, 31), today or calendar.today())


async def city_settings(session: AsyncSession, cities: Sequence[TenantId]) -> dict[str, TenantSettings]:
    """Each city's configuration in one query (defaults where a city has none)."""
    stored = {row["tenant_id"]: row["settings"] for row in await _rows(session, _SETTINGS, {"cities": list(cities)})}
    return {city: settings_from_json(stored.get(city, {})) for city in cities}


def tally_params(
    cities: Sequence[TenantId],
    year: int,
    streets: Sequence[StreetKey],
    *,
    until: date,
    settings: Mapping[str, TenantSettings],
) -> dict[str, Any]:
    """The parameters of the per-street aggregate (`street_tallies`; bench.py explains it with them)."""
    return {
        "cities": list(cities),
        "tenants": [tenant for tenant, _ in streets],
        "street_ids": [street for _, street in streets],
        "first": date(year, 1, 1),
        "last": date(year, 12, 31),
        "until": until,
        "year": year,
        "satisfied": SATISFIED_RATING,
        **_cadences(settings),
    }


async def street_tallies(
    session: AsyncSession,
    cities: Sequence[TenantId],
    year: int,
    streets: Sequence[StreetKey],
    *,
    until: date,
    settings: Mapping[str, TenantSettings],
) -> dict[StreetKey, Tally]:
    """The tallies of year `year` of `streets` (those of `cities`), from the street data itself.

    Survey counts are the street's own, whatever its city's minimum sample (the report applies it);
    `streets` and `by_status` are left empty (the summary keeps what changes only with street data).
    """
    tallies: dict[StreetKey, Tally] = {}
    for row in await _rows(session, TALLIES, tally_params(cities, year, streets, until=until, settings=settings)):
        present = row["present"]
        by_class = {c: row[f"class_{c}"] for c in ENTITY_CLASSES}
        by_group = {g: row[f"group_{g}"] for g in FOUNDER_GROUPS}
        monthly, reported = [0] * 12, [0] * 12
        for month, jobs in zip(row["months"] or (), row["month_jobs"] or (), strict=True):
            monthly[month - 1] += jobs
            reported[month - 1] += 1
        tallies[(row["tenant_id"], row["street_id"])] = Tally(
            registered=row["registered"],
            present=present,
            operating=row["operating"],
            jobs=row["jobs"],
            on_ledger=row["on_ledger"],
            by_class={**by_class, UNCLASSIFIED: present - sum(by_class.values())},
            by_group={**by_group, NO_FOUNDER_GROUP: present - sum(by_group.values())},
            activities=row["activities"],
            responses=row["responses"],
            satisfied=row["satisfied"],
            assessed=int(row["assessed"]),
            passed=int(row["passed"]),
            due=int(row["due"]),
            on_time=int(row["on_time"]),
            monthly_jobs=monthly,
            monthly_reports=reported,
        )
    return tallies


class StreetCounts(NamedTuple):
    """A street's status and its tally for the year in the order of `COUNTS`."""

    tenant: str
    street_id: int
    status: str
    counts: list[int]
    recomputed: bool


async def street_counts(
    session: AsyncSession,
    cities: Sequence[TenantId],
    year: int,
    *,
    until: date,
    settings: Mapping[str, TenantSettings],
) -> list[StreetCounts]:
    """Every street's tally for `year` from the summary, recomputing (and storing) the stale ones first.

    A stored row is current when it reflects the street's latest change (its version), the city's
    cadence, the same `until` and `COUNTS_FORMAT`. The version is read before the data it is stored
    with, so a change committed meanwhile leaves the row stale rather than wrongly current.
    """
    rows = await _rows(session, _SUMMARY, {"cities": list(cities), "year": year})
    stale = {
        (row["tenant_id"], row["street_id"]): row["version"]
        for row in rows
        if not (
            row["summary_version"] == row["version"]
            and row["until"] == until
            and row["format"] == COUNTS_FORMAT
            and row["cadence"] == _cadence(settings[row["tenant_id"]])
        )
    }
    computed: dict[StreetKey, list[int]] = {}
    if stale:
        tallies = await street_tallies(session, cities, year, sorted(stale), until=until, settings=settings)
        computed = {key: tally.counts() for key, tally in tallies.items()}
        await _store(session, year, until, settings, computed, stale)
    return [
        StreetCounts(
            tenant=row["tenant_id"],
            street_id=row["street_id"],
            status=row["status"],
            counts=computed.get((row["tenant_id"], row["street_id"])) or row["counts"],
            recomputed=(row["tenant_id"], row["street_id"]) in computed,
        )
        for row in rows
    ]


async def province_report(
    session: AsyncSession,
    actor: Actor,
    directory: TenantDirectory,
    province: str,
    year: int,
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> ProvinceReport:
    """The report of the caller's own `province` for `year`: a row per city, the totals, the target (its pilots
    the province's own setting ``pilotTarget``).

    Runs in the caller's transaction, so row-level security bounds it to the province and its cities
    as well as the explicit city filter. A city's tally is the sum of its streets' (a street's survey
    only when it reaches the city's minimum sample); the totals are the sum of the cities'.
    """
    province_id = own_province(actor, province)
    check_year(year, today)
    info = directory.get(province_id)
    assert info is not None  # the actor was made from the directory
    cities = province_cities(actor, directory, province_id)
    city_ids = [resolve(actor, c.slug) for c in cities]
    settings = await city_settings(session, [*city_ids, province_id])
    pilot_target = settings.pop(province_id).pilot_target
    streets = await street_counts(session, city_ids, year, until=count_until(year, today), settings=settings)
    sums = {city.slug: [0] * len(COUNTS) for city in cities}
    statuses: dict[str, Counter[str]] = {city.slug: Counter() for city in cities}
    for street in streets:
        counts = street.counts
        if counts[_RESPONSES] < settings[street.tenant].survey_min_sample:
            counts = [0 if i in (_RESPONSES, _SATISFIED) else n for i, n in enumerate(counts)]
        sums[street.tenant] = [a + b for a, b in zip(sums[street.tenant], counts, strict=True)]
        statuses[street.tenant][street.status] += 1
    by_city = {slug: Tally.of_counts(sums[slug], statuses[slug]) for slug in sums}
    totals = Tally()
    for city in by_city.values():
        totals.add(city)
    return ProvinceReport(
        province=str(province_id),
        name_zh=info.name_zh,
        name_en=info.name_en,
        year=year,
        cities=[
            CityFigures(tenant=c.slug, name_zh=c.name_zh, name_en=c.name_en, **by_city[c.slug].figures())
            for c in cities
        ],
        totals=Figures(**totals.figures()),
        target=Target(pilots=pilot_target, streets=STREET_TARGET),
        generated_at=now or datetime.now(UTC),
    )


async def refresh_summary(
    session: AsyncSession,
    actor: Actor,
    directory: TenantDirectory,
    province: str,
    year: int,
    *,
    today: date | None = None,
) -> int:
    """Bring the summary of `province`'s streets for `year` up to date; returns how many were recomputed.

    Run ahead of the readers by the daily housekeeping schedule (03:00 China time, as the province's
    system actor, for the running year), so that a report seldom has many stale streets to recompute itself.
    """
    province_id = own_province(actor, province)
    check_year(year, today)
    city_ids = [resolve(actor, c.slug) for c in province_cities(actor, directory, province_id)]
    settings = await city_settings(session, city_ids)
    streets = await street_counts(session, city_ids, year, until=count_until(year, today), settings=settings)
    return sum(street.recomputed for street in streets)


async def province_export(
    session: AsyncSession,
    actor: Actor,
    directory: TenantDirectory,
    province: str,
    year: int,
    fmt: ExportFormat,
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> Export:
    """The report of `province_report` as an XLSX workbook or a CSV file."""
    report = await province_report(session, actor, directory, province, year, now=now, today=today)
    return render(report, fmt)


async def _rows(session: AsyncSession, query: Any, params: dict[str, Any]) -> Sequence[RowMapping]:
    return (await session.execute(query, params)).mappings().all()


def _cadence(settings: TenantSettings) -> list[int]:
    """The city's follow-up days by class, in `ENTITY_CLASSES` order, as the summary stores them."""
    return [getattr(settings.followup_days, entity_class) for entity_class in ENTITY_CLASSES]


def _cadence_literal(settings: TenantSettings) -> str:
    """`_cadence` as an array literal such as {90,60,30}: unnest takes no array of arrays."""
    return "{" + ",".join(map(str, _cadence(settings))) + "}"


def _cadences(settings: Mapping[str, TenantSettings]) -> dict[str, list[str]]:
    """The cities' follow-up days as `TALLIES` takes them, in the order of `ENTITY_CLASSES`."""
    return {
        "classes": list(ENTITY_CLASSES),
        "cadence_tenants": list(settings),
        "cadences": [_cadence_literal(config) for config in settings.values()],
    }


async def _store(
    session: AsyncSession,
    year: int,
    until: date,
    settings: Mapping[str, TenantSettings],
    counts: Mapping[StreetKey, list[int]],
    versions: Mapping[StreetKey, int],
) -> None:
    """Write recomputed tallies to the summary, each with the version read before it was computed."""
    keys = sorted(counts)
    await session.execute(
        _STORE,
        {
            "year": year,
            "until": until,
            "format": COUNTS_FORMAT,
            "tenants": [tenant for tenant, _ in keys],
            "street_ids": [street for _, street in keys],
            "versions": [versions[key] for key in keys],
            "cadences": [_cadence_literal(settings[tenant]) for tenant, _ in keys],
            "counts": ["{" + ",".join(map(str, counts[key])) + "}" for key in keys],
        },
    )
