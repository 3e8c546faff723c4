"""The province report (省级报表): each city's figures for a year from a per-street summary, and their totals."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Final

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.errors import NotFoundError
from services.province_report.exports import Export, ExportFormat, render
from services.province_report.schemas import CaseCounts, CityFigures, Figures, GradeCounts, ProvinceReport, Target
from services.province_report.summary import city_settings, street_counts
from services.province_report.tally import COUNTS, Tally
from tenants import calendar
from tenants.context import Actor
from tenants.ids import TenantId
from tenants.registry import TenantInfo
from tenants.resolver import TenantDirectory, resolve

PILOT_TARGET: Final = 20
"""About 20 pilot streets province-wide in 2024–2025 (POLICY.md 一(三)): the default of the province's setting
``pilotTarget``, which the report's target reads."""
STREET_TARGET: Final = 60
"""About 60 provincial streets in total (POLICY.md 一(三))."""

_RESPONSES, _SATISFIED = COUNTS.index("responses"), COUNTS.index("satisfied")

_CASES: Final = text("""
SELECT tenant_id, count(*) AS accepted, count(*) FILTER (WHERE status = 'published') AS published
FROM cases WHERE tenant_id = ANY(:tenants) AND year = :year AND status IN ('accepted', 'published')
GROUP BY tenant_id
""")


async def case_counts(session: AsyncSession, cities: list[TenantId], year: int) -> dict[str, CaseCounts]:
    """Each city's typical cases of `year` accepted (published or not) and published; cities without any are left
    out."""
    rows = await session.execute(_CASES, {"tenants": list(cities), "year": year})
    return {row.tenant_id: CaseCounts(accepted=row.accepted, published=row.published) for row in rows}


_GRADES: Final = text("""
SELECT tenant_id, grade, count(*) AS streets FROM (
    SELECT DISTINCT ON (tenant_id, street_id) tenant_id, grade  -- the latest assessment of the year not voided
    FROM assessments WHERE tenant_id = ANY(:tenants) AND year = :year AND voided_at IS NULL
    ORDER BY tenant_id, street_id, created_at DESC, id DESC
) latest
WHERE grade IS NOT NULL
GROUP BY tenant_id, grade
""")


async def grade_counts(session: AsyncSession, cities: list[TenantId], year: int) -> dict[str, GradeCounts]:
    """Each city's streets by the grade of their latest assessment of `year` not voided; cities without any are
    left out."""
    counts: dict[str, dict[str, int]] = {}
    for row in await session.execute(_GRADES, {"tenants": list(cities), "year": year}):
        counts.setdefault(row.tenant_id, {})[row.grade] = row.streets
    return {tenant: GradeCounts(**by_grade) for tenant, by_grade in counts.items()}


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
    """The report of the caller's own `province` for `year`: a row per city, the totals, the target.

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
    cases = await case_counts(session, city_ids, year)
    all_cases = CaseCounts(
        accepted=sum(c.accepted for c in cases.values()), published=sum(c.published for c in cases.values())
    )
    grades = await grade_counts(session, city_ids, year)
    all_grades = GradeCounts(**{g: sum(getattr(c, g) for c in grades.values()) for g in ("A", "B", "C", "D")})
    return ProvinceReport(
        province=str(province_id),
        name_zh=info.name_zh,
        name_en=info.name_en,
        year=year,
        cities=[
            CityFigures(
                tenant=c.slug,
                name_zh=c.name_zh,
                name_en=c.name_en,
                cases=cases.get(c.slug, CaseCounts()),
                grades=grades.get(c.slug, GradeCounts()),
                **by_city[c.slug].figures(),
            )
            for c in cities
        ],
        totals=Figures(cases=all_cases, grades=all_grades, **totals.figures()),
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
