"""The province dashboard: the province report of a year as pages, with its charts, its downloads, and a
city's streets.

The figures are the report's (:func:`services.province_report.service.province_report`), read in the request's
transaction under row-level security, so the page, the API and the exports show the same numbers. The
charts' data is embedded in the page as JSON and drawn by ``static/dashboard.js`` with ECharts.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from services.deps import PROVINCE_READERS, Caller, Db, app_context
from services.errors import NotFoundError
from services.province_report import service, summary, tally
from services.province_report.exports import MEDIA_TYPES, ExportFormat
from services.province_report.schemas import CityFigures, ProvinceReport
from services.streets.service import list_streets
from services.text import Language
from services.web.labels import label
from services.web.render import language, page
from services.web.scope import ALL
from services.web.session import CITY_ROLES
from tenants import calendar
from tenants.context import Actor
from tenants.resolver import resolve

YEARS_SHOWN: Final = 5
"""The years the selector offers: this one and the four before it (any other is reachable by its URL)."""
ENTITY_CLASSES: Final = (*tally.ENTITY_CLASSES, tally.UNCLASSIFIED)

Year = Annotated[int | None, QueryParameter(ge=service.FIRST_YEAR, le=9999)]


class ProvinceDashboard(Controller):
    """``/province/{tenant}/dashboard``: the province's readers only (its admin, viewers, departments)."""

    path = "/province/{tenant:str}/dashboard"
    guards = [PROVINCE_READERS]

    @get("/")
    async def dashboard(
        self, request: Request[Any, Any, Any], db: Db, actor: Caller, tenant: FromPath[str], year: Year = None
    ) -> Template:
        shown = _year(year)
        report = await service.province_report(db, actor, app_context(request).directory, tenant, shown)
        lang = language(request)
        return page(
            request,
            "province/dashboard.html",
            actor=actor,
            report=report,
            year=shown,
            years=_years(shown),
            passed={city.tenant: _passed(city) for city in report.cities},
            charts=charts(report, lang),
        )

    @get("/cities/{city:str}")
    async def city(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        tenant: FromPath[str],
        city: FromPath[str],
        year: Year = None,
    ) -> Template:
        shown = _year(year)
        province_id = service.own_province(actor, tenant)
        service.check_year(shown)
        directory = app_context(request).directory
        info = next((c for c in service.province_cities(actor, directory, province_id) if c.slug == city), None)
        if info is None:
            raise NotFoundError(f"城市 {city} 不存在 / city {city} not found")
        city_id = resolve(actor, info.slug)
        settings = await summary.city_settings(db, [city_id])
        counted = await summary.street_counts(db, [city_id], shown, until=service.count_until(shown), settings=settings)
        names = {s.id: s.name for s in (await list_streets(db, actor, city_id, status=None, limit=ALL, offset=0)).items}
        minimum = settings[city_id].survey_min_sample
        streets = sorted(
            (_street_row(s, names.get(s.street_id, str(s.street_id)), minimum) for s in counted),
            key=lambda row: (tally.STATUSES.index(row["status"]), row["name"]),
        )
        return page(
            request,
            "province/city.html",
            actor=actor,
            province=directory.get(province_id),
            city=info,
            year=shown,
            years=_years(shown),
            streets=streets,
            by_status=Counter(row["status"] for row in streets),
            statuses=tally.STATUSES,
            street_links=actor.role in CITY_ROLES,
        )

    @get("/{year:int}/report.xlsx", media_type=MEDIA_TYPES["xlsx"])
    async def xlsx(
        self, request: Request[Any, Any, Any], db: Db, actor: Caller, tenant: FromPath[str], year: FromPath[int]
    ) -> Response[bytes]:
        return await _export(request, db, actor, tenant, year, "xlsx")

    @get("/{year:int}/report.csv", media_type=MEDIA_TYPES["csv"])
    async def csv(
        self, request: Request[Any, Any, Any], db: Db, actor: Caller, tenant: FromPath[str], year: FromPath[int]
    ) -> Response[bytes]:
        return await _export(request, db, actor, tenant, year, "csv")


async def _export(
    request: Request[Any, Any, Any], db: Db, actor: Actor, tenant: str, year: int, fmt: ExportFormat
) -> Response[bytes]:
    export = await service.province_export(db, actor, app_context(request).directory, tenant, year, fmt)
    return Response(
        export.content, media_type=export.media_type, headers={"Content-Disposition": export.content_disposition}
    )


def _year(year: int | None) -> int:
    return calendar.today().year if year is None else year


def _years(shown: int) -> list[int]:
    current = calendar.today().year
    return sorted({*range(current, current - YEARS_SHOWN, -1), shown}, reverse=True)


def _passed(city: CityFigures) -> int:
    """The city's streets whose latest assessment of the year passed (the report gives their share)."""
    return round((city.pass_rate or 0) * city.assessed_streets)


def _street_row(street: summary.StreetCounts, name: str, survey_min_sample: int) -> dict[str, Any]:
    """A street's key figures for the year, defined as the report's (a survey below the city's minimum
    sample is "no data")."""
    counts = street.counts
    if counts[tally.COUNTS.index("responses")] < survey_min_sample:
        counts = [0 if key in ("responses", "satisfied") else n for key, n in zip(tally.COUNTS, counts, strict=True)]
    figures = tally.Tally.of_counts(counts, {street.status: 1}).figures()
    return {"id": street.street_id, "name": name, "status": street.status, **figures}


def charts(report: ProvinceReport, lang: Language) -> dict[str, Any]:
    """What ``dashboard.js`` draws, in the page's language: each chart's categories and series."""

    def name(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    cities = [name(c.name_zh, c.name_en) for c in report.cities]
    passed = [_passed(c) for c in report.cities]
    months = [name(f"{m}月", f"{m:02d}") for m in range(1, 13)]
    return {
        "status": {
            "categories": cities,
            "stacked": True,
            "series": [
                {"name": label("streetStatus", s, lang), "data": [c.streets_by_status.get(s, 0) for c in report.cities]}
                for s in tally.STATUSES
            ],
        },
        "target": {
            "categories": [
                name("试点街区", "Pilots"),
                name("省级创业街区（含整改）", "Designated (incl. rectification)"),
            ],
            "stacked": True,
            "target": name("省定目标", "Province target"),
            "targets": [report.target.pilots, report.target.streets],
            "series": [{"name": name(c.name_zh, c.name_en), "data": [c.pilots, c.designated]} for c in report.cities],
        },
        "jobs": {
            "categories": months,
            "line": True,
            "series": [
                {"name": name("全省", "Province"), "data": report.totals.monthly_jobs},
                *({"name": name(c.name_zh, c.name_en), "data": c.monthly_jobs} for c in report.cities),
            ],
            "reports": report.totals.monthly_reports,
            "reportsName": name("报送月报的街区数", "Streets that reported"),
        },
        "classes": {
            "categories": cities,
            "stacked": True,
            "series": [
                {
                    "name": name("未分类", "unclassified")
                    if k == tally.UNCLASSIFIED
                    else label("entityClass", k, lang),
                    "data": [c.entities_by_class.get(k, 0) for c in report.cities],
                }
                for k in ENTITY_CLASSES
            ],
        },
        "outcomes": {
            "categories": cities,
            "stacked": True,
            "series": [
                {"name": name("评估通过", "Passed"), "data": passed},
                {
                    "name": name("评估未通过", "Not passed"),
                    "data": [c.assessed_streets - _passed(c) for c in report.cities],
                },
                {
                    "name": name("未评估", "Not assessed"),
                    "data": [c.streets - c.assessed_streets for c in report.cities],
                },
            ],
        },
    }
