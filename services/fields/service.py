"""Custom field definitions of a city, and the check of a street's values against them."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

import msgspec
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.facts import CustomField as CustomFieldFact
from services import models
from services.errors import ConflictError
from services.fields.schemas import CustomField, CustomFieldCreate
from services.shared.bounds import TEXT_PATTERN
from services.shared.checks import FieldProblem
from services.shared.writes import save_recorded
from tenants.context import Actor
from tenants.ids import TenantId

_TEXT_MAX: Final = 2000


def _out(row: models.CustomField) -> CustomField:
    return CustomField(
        key=row.key,
        label_zh=row.label_zh,
        label_en=row.label_en,
        type=row.type,  # type: ignore[arg-type]
        choices=list(row.choices),
    )


async def _rows(session: AsyncSession, tenant: TenantId) -> list[models.CustomField]:
    query = select(models.CustomField).where(models.CustomField.tenant_id == tenant)
    return list((await session.execute(query.order_by(models.CustomField.key))).scalars())


async def list_fields(session: AsyncSession, tenant: TenantId) -> list[CustomField]:
    return [_out(row) for row in await _rows(session, tenant)]


async def load_custom_fields(session: AsyncSession, tenant: TenantId) -> list[CustomFieldFact]:
    """The city's fields as the rules engine takes them (facts ``custom.<key>``)."""
    return [
        CustomFieldFact(
            key=row.key,
            type=row.type,  # type: ignore[arg-type]  # the table's check constraint keeps it a FieldType
            label_zh=row.label_zh,
            label_en=row.label_en,
            choices=tuple(row.choices),
        )
        for row in await _rows(session, tenant)
    ]


async def create_field(session: AsyncSession, actor: Actor, tenant: TenantId, data: CustomFieldCreate) -> CustomField:
    if (data.type == "choice") != bool(data.choices):
        # The rules engine refuses the same mismatch; catching it here names the field to the admin.
        raise FieldProblem(
            "choices",
            "选项类型（choice）必须列出选项，其他类型不能有选项",
            "choices are required for, and only for, the type 'choice'",
        ).error()
    if len(set(data.choices)) != len(data.choices):
        raise FieldProblem("choices", "选项不能重复", "choices must not repeat").error()
    if await session.get(models.CustomField, (tenant, data.key)) is not None:
        raise ConflictError(f"自定义字段“{data.key}”已存在 / custom field '{data.key}' already exists")
    row = models.CustomField(
        tenant_id=tenant,
        key=data.key,
        label_zh=data.label_zh,
        label_en=data.label_en,
        type=data.type,
        choices=list(data.choices),
    )
    return await save_recorded(
        session, actor, tenant, "field.create", row, _out, object_type="custom_field", object_id=data.key
    )


def _is_integer(value: Any, _: models.CustomField) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_decimal(value: Any, _: models.CustomField) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_text(value: Any, _: models.CustomField) -> bool:
    return isinstance(value, str) and len(value) <= _TEXT_MAX and re.match(TEXT_PATTERN, value) is not None


def _is_date(value: Any, _: models.CustomField) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


_TYPE_CHECKS: Final[dict[str, tuple[Callable[[Any, models.CustomField], bool], str, str]]] = {
    "integer": (_is_integer, "整数", "a whole number"),
    "decimal": (_is_decimal, "数值", "a number"),
    "boolean": (lambda value, _: isinstance(value, bool), "是/否（true/false）", "true or false"),
    "text": (
        _is_text,
        f"不超过 {_TEXT_MAX} 字、不含控制字符的文本",
        f"text of at most {_TEXT_MAX} characters, no control codes",
    ),
    "date": (_is_date, "日期（YYYY-MM-DD）", "a date written YYYY-MM-DD"),
    "choice": (lambda value, field: value in field.choices, "可选值之一", "one of the choices"),
}


async def check_values(session: AsyncSession, tenant: TenantId, values: Mapping[str, Any]) -> None:
    """Refuse (422 naming the field) a value for an undefined field or of the wrong type; None is no value."""
    if not values:
        return
    fields = {row.key: row for row in await _rows(session, tenant)}
    for key, value in values.items():
        name = f"customFields.{key}"
        field = fields.get(key)
        if field is None:
            defined = ", ".join(fields) or "—"
            raise FieldProblem(
                name,
                f"未定义的自定义字段“{key}”（已定义：{defined}）",
                f"unknown custom field '{key}' (defined: {defined})",
            ).error()
        if value is None:
            continue
        check, zh, en = _TYPE_CHECKS[field.type]
        if not check(value, field):
            if field.type == "choice":
                zh, en = f"可选值之一：{'、'.join(field.choices)}", f"one of: {', '.join(field.choices)}"
            raise FieldProblem(
                name,
                f"自定义字段“{field.label_zh}”（{key}）应为{zh}，收到 {msgspec.json.encode(value).decode()}",
                f"custom field '{key}' must be {en}, got {msgspec.json.encode(value).decode()}",
            ).error()
