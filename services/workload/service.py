"""A street centre's services (list, record, import all-or-nothing) and a city's monthly workload with its XLSX."""

from __future__ import annotations

from collections import defaultdict
from typing import Final, get_args

from sqlalchemy import and_, extract, func
from sqlalchemy import select as core_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.errors import NotFoundError
from services.labels.labels import LABELS
from services.province_report.exports import MEDIA_TYPES, Export
from services.shared.checks import FieldProblem, found, future_date
from services.shared.tabular.writing import Sheet, SheetColumn, write_xlsx
from services.streets.records import StreetRecords
from services.workload.schemas import (
    SERVICE_COLUMNS,
    CenterService,
    CenterServiceCreate,
    MonthlyWorkload,
    ServiceKind,
    Workload,
)
from tenants.calendar import today
from tenants.ids import TenantId

KINDS: Final[tuple[str, ...]] = get_args(ServiceKind)


def service_problems(data: CenterServiceCreate) -> list[FieldProblem]:
    # Workload is what was done: a service in the future is a mistake (it would be subsidised before it happens).
    return found(future_date("servedOn", data.served_on))


SERVICES = StreetRecords(
    models.CenterService,
    models.CenterService.served_on,
    CenterService,
    CenterServiceCreate,
    service_problems,
    SERVICE_COLUMNS,
    action="service",
    object_type="center_service",
)
"""A centre's services, newest first; each one is checked as a file's row is."""

list_services = SERVICES.list
create_service = SERVICES.create
import_services = SERVICES.import_file


async def city_workload(session: AsyncSession, tenant: TenantId, year: int) -> Workload:
    """The services of ``tenant``'s centres in ``year``: per centre and month (months without a service left
    out), and the city's twelve months. One grouped query."""
    service, street = models.CenterService, models.Street
    month = extract("month", col(service.served_on))
    query = (
        core_select(
            col(service.street_id),
            col(street.name),
            month.label("month"),
            col(service.kind),
            func.count().label("services"),
            func.sum(service.people).label("people"),
        )
        .join(street, and_(col(street.tenant_id) == col(service.tenant_id), col(street.id) == col(service.street_id)))
        .where(col(service.tenant_id) == tenant, extract("year", col(service.served_on)) == year)
        .group_by(col(service.street_id), col(street.name), month, col(service.kind))
    )
    centres: dict[tuple[int, int], MonthlyWorkload] = {}
    months: dict[int, MonthlyWorkload] = {}
    totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    for street_id, name, number, kind, services, people in await session.execute(query):
        key = (int(street_id), int(number))
        if key not in centres:
            centres[key] = _empty(int(street_id), name, year, int(number))
        centre = centres[key]
        centre.services += int(services)
        centre.people += int(people)
        centre.by_kind[kind] += int(people)
        totals[int(number)][kind] += int(people)
        city = months.setdefault(int(number), _empty(0, "", year, int(number)))
        city.services += int(services)
        city.people += int(people)
    city_months = []
    for number in range(1, 13):
        city = months.get(number, _empty(0, "", year, number))
        city.by_kind = totals[number]
        city_months.append(city)
    ordered = sorted(centres.values(), key=lambda c: (c.street_name, c.month))
    return Workload(tenant=str(tenant), year=year, centres=ordered, city=city_months)


def _empty(street_id: int, name: str, year: int, month: int) -> MonthlyWorkload:
    return MonthlyWorkload(
        street_id=street_id,
        street_name=name,
        month=f"{year}-{month:02d}",
        services=0,
        people=0,
        by_kind=dict.fromkeys(KINDS, 0),
    )


def workload_xlsx(workload: Workload, city_name: str) -> Export:
    """The workload as a workbook a finance department can use: the city's months, then each centre's."""
    kinds = [SheetColumn(f"{LABELS['serviceKind'][kind].zh}（人次）", "integer") for kind in KINDS]
    head = [SheetColumn("月份"), SheetColumn("服务次数", "integer"), SheetColumn("服务人次", "integer")]

    def cells(row: MonthlyWorkload) -> list[object]:
        return [row.month, row.services, row.people, *(row.by_kind[kind] for kind in KINDS)]

    city = Sheet(name="全市汇总", columns=[*head, *kinds], rows=[cells(row) for row in workload.city])
    centres = Sheet(
        name="各街区",
        columns=[SheetColumn("街区"), *head, *kinds],
        rows=[[row.street_name, *cells(row)] for row in workload.centres],
    )
    title = f"{city_name}{workload.year}年创业街区服务工作量"
    return Export(
        content=write_xlsx(title, [city, centres]),
        media_type=MEDIA_TYPES["xlsx"],
        filename=f"{workload.tenant}-workload-{workload.year}.xlsx",
        filename_zh=f"{title}.xlsx",
    )


def check_year(year: int) -> None:
    """Nothing is recorded for a year that has not begun (in China): such a workload is refused as not found."""
    if year > today().year:
        raise NotFoundError(f"{year} 年尚未开始 / {year} has not begun")
