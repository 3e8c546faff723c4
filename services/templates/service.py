"""Import templates (导入模板): per kind of import, a workbook with Chinese headers, drop-down lists of the
coded columns and an example row that imports as it is; and the same as CSV."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any, Final

import msgspec
import xlsxwriter
from sqlmodel.ext.asyncio.session import AsyncSession

from services.activities.schemas import ACTIVITY_COLUMNS
from services.entities.schemas import ENTITY_COLUMNS
from services.errors import NotFoundError
from services.fields.schemas import CustomField
from services.fields.service import list_fields
from services.labels.labels import label
from services.province_report.exports import MEDIA_TYPES, Export
from services.shared.imports import MAX_ROWS, TYPE_NAMES
from services.shared.tabular.reading import Column
from services.shared.tabular.writing import write_csv
from services.shared.uscc import make_uscc
from services.streetreports.schemas import SURVEY_COLUMNS
from services.text import Text
from services.workload.schemas import SERVICE_COLUMNS
from tenants.ids import TenantId


class Template(msgspec.Struct, frozen=True, kw_only=True):
    """One kind of import: its columns (those the importer reads) and an example row that imports cleanly."""

    title: Text
    columns: Sequence[Column]
    example: Mapping[str, object]
    notes: Text


TEMPLATES: Final[dict[str, Template]] = {
    "entities": Template(
        title=Text("创业实体导入模板", "entities import template"),
        columns=ENTITY_COLUMNS,
        example={
            "name": "泉城青创科技有限公司",
            "uscc": make_uscc("9", "1", "370102", 20240305),
            "kind": "企业",
            "class": "初创企业",
            "founderGroup": "高校毕业生",
            "foundedOn": dt.date(2024, 3, 5),
            "employees": 6,
            "operating": "是",
            "joinedOn": dt.date(2024, 4, 1),
            "leftOn": None,
        },
        notes=Text(
            "统一社会信用代码在本市唯一，已登记的实体不能再次导入。",
            "A USCC is unique in the city: an entity already registered cannot be imported again.",
        ),
    ),
    "activities": Template(
        title=Text("创业活动导入模板", "activities import template"),
        columns=ACTIVITY_COLUMNS,
        example={
            "kind": "创业沙龙",
            "title": "高校毕业生创业政策宣讲沙龙",
            "heldOn": dt.date(2024, 6, 18),
            "participants": 45,
        },
        notes=Text("每行一次活动。", "One activity per row."),
    ),
    "surveys": Template(
        title=Text("满意度答卷导入模板", "survey answers import template"),
        columns=SURVEY_COLUMNS,
        example={"respondedOn": dt.date(2024, 6, 20), "rating": 5},
        notes=Text(
            "每行一份答卷。评分：5 非常满意，4 满意，3 一般，2 不满意，1 非常不满意；4、5 分计为满意。",
            "One answer per row. Rating: 5 very satisfied … 1 very dissatisfied; 4 and 5 count as satisfied.",
        ),
    ),
    "services": Template(
        title=Text("服务记录导入模板", "centre services import template"),
        columns=SERVICE_COLUMNS,
        example={
            "servedOn": dt.date(2024, 6, 20),
            "kind": "政策咨询",
            "people": 12,
            "staff": "王芳",
            "note": "创业担保贷款政策解读",
        },
        notes=Text(
            "每行一次服务：服务人数计为人次，按月汇总为服务工作量。",
            "One service per row: the people served count as visits and add up to the monthly workload.",
        ),
    ),
}
"""Every import there is, by the kind in its template's path."""

_BOOLEAN_OFFERED: Final = ("是", "否")
_DATE_FORMAT: Final = "yyyy-mm-dd"


def _header(column: Column) -> str:
    # "*" marks a required column, as Chinese government templates do; the importer ignores it.
    return f"*{column.label_zh}" if column.required else column.label_zh


def _offered(column: Column) -> tuple[str, ...]:
    return _BOOLEAN_OFFERED if column.type == "boolean" else column.offered


def _allowed(column: Column) -> str:
    """What a cell of `column` may hold, in Chinese, for the header's note and the instructions sheet."""
    if _offered(column):
        return "、".join(_offered(column))
    if column.min is not None and column.max is not None:
        return f"{column.min}–{column.max} 的整数"
    return TYPE_NAMES[column.type].zh


def _field_values(field: CustomField) -> str:
    if field.choices:
        return "、".join(field.choices)
    return label("fieldType", field.type).zh


def _lookup(kind: str, extension: str) -> Template:
    template = TEMPLATES.get(kind)
    if template is None or extension not in MEDIA_TYPES:
        available = "、".join(f"{name}.xlsx、{name}.csv" for name in TEMPLATES)
        raise NotFoundError(
            Text(
                f"没有导入模板“{kind}.{extension}”，可用：{available}",
                f"no import template '{kind}.{extension}'; available: {available.replace('、', ', ')}",
            )
        )
    return template


async def template_file(session: AsyncSession, tenant: TenantId, filename: str) -> Export:
    """The template `filename` (``entities.xlsx``, ``surveys.csv``, …) for `tenant`; 404 for no such template."""
    kind, _, extension = filename.rpartition(".")
    template = _lookup(kind, extension)
    row = [template.example.get(column.key) for column in template.columns]
    if extension == "csv":
        content = write_csv([_header(column) for column in template.columns], [row])
    else:
        content = _workbook(template, row, await list_fields(session, tenant))
    return Export(
        content=content,
        media_type=MEDIA_TYPES["xlsx" if extension == "xlsx" else "csv"],
        filename=f"{tenant}-{kind}-template.{extension}",
        filename_zh=f"{template.title.zh}.{extension}",
    )


def _workbook(template: Template, example: Sequence[object], fields: Sequence[CustomField]) -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"title": template.title.zh})
    required = workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "align": "center"})
    optional = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center"})
    date = workbook.add_format({"num_format": _DATE_FORMAT})
    sheet = workbook.add_worksheet("导入数据")
    for index, column in enumerate(template.columns):
        sheet.write_string(0, index, _header(column), required if column.required else optional)
        requirement = "必填" if column.required else "选填"
        sheet.write_comment(0, index, f"{requirement}：{_allowed(column)}\n列名：{column.key}")
        sheet.set_column(index, index, max(12, len(column.label_zh) * 2 + 4), date if column.type == "date" else None)
        _validate(sheet, index, column)
        _write(sheet, 1, index, example[index], date)
    sheet.freeze_panes(1, 0)
    _instructions(workbook.add_worksheet("填写说明"), template, fields, workbook.add_format({"bold": True}))
    workbook.close()
    return output.getvalue()


def _validate(sheet: Any, index: int, column: Column) -> None:
    """A drop-down list for a coded column, a range for a bounded number, from the example row down."""
    message = f"{'必填' if column.required else '选填'}：{_allowed(column)}"
    common = {
        "input_title": column.label_zh[:32],
        "input_message": message[:255],
        "error_title": "输入无效",
        "error_message": f"{column.label_zh}：{_allowed(column)}"[:255],
    }
    if _offered(column):
        sheet.data_validation(
            1, index, MAX_ROWS, index, {"validate": "list", "source": list(_offered(column)), **common}
        )
    elif column.type == "integer" and column.min is not None and column.max is not None:
        sheet.data_validation(
            1,
            index,
            MAX_ROWS,
            index,
            {
                "validate": "integer",
                "criteria": "between",
                "minimum": column.min,
                "maximum": column.max,
                **common,
            },
        )


def _write(sheet: Any, row: int, index: int, value: object, date: Any) -> None:
    if value is None:
        return
    if isinstance(value, dt.date):
        sheet.write_datetime(row, index, dt.datetime.combine(value, dt.time()), date)
    elif isinstance(value, int) and not isinstance(value, bool):
        sheet.write_number(row, index, value)
    else:
        sheet.write_string(row, index, str(value))


def _instructions(sheet: Any, template: Template, fields: Sequence[CustomField], bold: Any) -> None:
    """How to fill the template in, column by column, and the city's custom fields (set on the street)."""
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 8)
    sheet.set_column(3, 3, 60)
    sheet.write_string(0, 0, template.title.zh, bold)
    sheet.write_string(
        1,
        0,
        (
            f"在“导入数据”表中填写，第 1 行为表头（* 为必填列），第 2 行为示例，请替换或删除；每次最多 {MAX_ROWS} 行；"
            f"任何一处错误则全部不导入，并按行列出错误。{template.notes.zh}"
        ),
    )
    sheet.write_row(3, 0, ["列名", "英文列名", "必填", "可填写的值"], bold)
    for number, column in enumerate(template.columns, start=4):
        sheet.write_row(number, 0, [column.label_zh, column.key, "是" if column.required else "否", _allowed(column)])
    start = 5 + len(template.columns)
    sheet.write_string(start, 0, "本市自定义字段（属于街区，在街区信息中填写，不随本表导入）", bold)
    if not fields:
        sheet.write_string(start + 1, 0, "本市尚未定义自定义字段")
        return
    sheet.write_row(start + 1, 0, ["字段", "字段键", "类型", "可填写的值"], bold)
    for number, field in enumerate(fields, start=start + 2):
        sheet.write_row(number, 0, [field.label_zh, field.key, label("fieldType", field.type).zh, _field_values(field)])
