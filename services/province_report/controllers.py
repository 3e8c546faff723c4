"""``GET /api/province/{province}/reports/{year}`` and its ``.xlsx`` and ``.csv`` exports."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from services.deps import PROVINCE_READERS, Caller, Db, Province, app_context
from services.errors import NotFoundError
from services.province_report import service
from services.province_report.schemas import ProvinceReport

# Litestar matches whole path segments only, so "2025", "2025.xlsx" and "2025.csv" are one parameter
# that the handler splits; the three stay the paths API.md gives.
_REPORT: Final = re.compile(r"(?P<year>\d{4})(?:\.(?P<format>xlsx|csv))?")


class ReportingController(Controller):
    path = "/api/province/{province:str}/reports"
    tags = ["reporting"]
    guards = [PROVINCE_READERS]

    @get(
        "/{report:str}",
        summary="省级报表 / the province report across cities (JSON, .xlsx or .csv)",
        responses={
            200: ResponseSpec(
                data_container=ProvinceReport,
                description="JSON for /{year}; the XLSX workbook for /{year}.xlsx and the CSV (UTF-8 with BOM) "
                "for /{year}.csv, both with Chinese headers",
            )
        },
    )
    async def report(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        province: Province,
        report: Annotated[str, Parameter(description="the year, e.g. 2025, or 2025.xlsx / 2025.csv")],
    ) -> Response[ProvinceReport | bytes]:
        match = _REPORT.fullmatch(report)
        if match is None:
            raise NotFoundError(f"报表 {report} 不存在 / report {report} not found")
        year, fmt = int(match["year"]), match["format"]
        directory = app_context(request).directory
        if fmt is None:
            return Response(await service.province_report(db, actor, directory, province, year))
        export = await service.province_export(db, actor, directory, province, year, "xlsx" if fmt == "xlsx" else "csv")
        return Response(
            export.content, media_type=export.media_type, headers={"Content-Disposition": export.content_disposition}
        )
