"""``GET /api/tenants/{tenant}/templates/{kind}.xlsx|.csv``: the import templates of a city."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from services.deps import Db, Tenant
from services.openapi import error_spec
from services.province_report.exports import MEDIA_TYPES
from services.templates import service


class TemplateController(Controller):
    path = "/api/tenants/{tenant:str}/templates"
    tags = ["imports"]

    @get(
        "/{filename:str}",
        summary="导入模板（XLSX/CSV）/ an import template (.xlsx or .csv)",
        description=(
            f"可用：{'、'.join(f'{kind}.xlsx、{kind}.csv' for kind in service.TEMPLATES)}。XLSX 含中文表头"
            "（* 为必填）、编码列的下拉列表、一行可直接导入的示例，以及列出各列和本市自定义字段的“填写说明”表；"
            "CSV 为 UTF-8（带 BOM），含表头和示例行。 / One of "
            f"{', '.join(f'{kind}.xlsx, {kind}.csv' for kind in service.TEMPLATES)}. The XLSX has Chinese "
            "headers (* = required), drop-down lists of the coded columns, an example row that imports as it is "
            "and an instructions sheet listing the columns and the city's custom fields; the CSV (UTF-8 with BOM) "
            "has the headers and the example row."
        ),
        responses={
            200: ResponseSpec(
                data_container=bytes,
                media_type=MEDIA_TYPES["xlsx"],
                description="模板文件 / the template file (text/csv for .csv)",
            ),
            404: error_spec("没有该模板，或租户不存在或无权访问 / no such template, or no such tenant"),
        },
    )
    async def template(
        self,
        db: Db,
        tenant_id: Tenant,
        filename: Annotated[str, Parameter(description="entities.xlsx, activities.csv, surveys.xlsx, …")],
    ) -> Response[bytes]:
        export = await service.template_file(db, tenant_id, filename)
        return Response(
            export.content, media_type=export.media_type, headers={"Content-Disposition": export.content_disposition}
        )
