"""``/city/{tenant}/fields``: the city admin's custom fields — the city's own street data that rules can name
(``custom.<key>``). The API lets a field be defined, not changed or removed, and so does this page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, get_args

from litestar import Controller, get, post
from litestar.response import Redirect, Template

from services.deps import requires
from services.errors import DomainError
from services.fields import service
from services.fields.schemas import CustomFieldCreate, FieldType
from services.text import Text
from services.web.forms import FormBody
from services.web.refusals import attempt, converted, errors_of
from services.web.render import notice
from services.web.scope import CITY_SCOPE, AtCity, CityScope
from tenants.context import Role

TYPES: Final[tuple[str, ...]] = get_args(FieldType)
WORDING: Final = {
    "key": Text(
        "键名须以小写字母开头，只含小写字母、数字和下划线，最多 63 个字符",
        "A key starts with a lower-case letter and has lower-case letters, digits and underscores, 63 at most",
    ),
    "labelZh": Text("请填写中文名称（最多 100 个字符）", "Enter the Chinese name (100 characters at most)"),
    "labelEn": Text("请填写英文名称（最多 100 个字符）", "Enter the English name (100 characters at most)"),
    "type": Text("请选择字段类型", "Choose the field's type"),
    "choices": Text(
        "每个选项最多 100 个字符，最多 200 个选项", "Each choice has 100 characters at most, 200 choices at most"
    ),
}
SAVED: Final = {"field": Text("自定义字段已添加。", "The custom field was added.")}
_SPLIT: Final = re.compile(r"[\n,，、;；]+")


@dataclass
class NewField:
    key: str = ""
    labelZh: str = ""  # noqa: N815 - the API's own field names, so that its errors name the form's fields
    labelEn: str = ""  # noqa: N815
    type: str = ""
    choices: str = ""
    """One choice a line (commas also separate them)."""


def choice_list(typed: str) -> list[str]:
    """The choices as typed in the form's box: one a line or separated by commas, blanks dropped."""
    return [part.strip() for part in _SPLIT.split(typed) if part.strip()]


class FieldPages(Controller):
    path = "/city/{tenant:str}/fields"
    guards = [requires(Role.CITY_ADMIN)]
    dependencies = CITY_SCOPE

    @get("/")
    async def fields(self, at: AtCity) -> Template:
        return await _list(at, NewField(), {}, saved=notice(at.request, "saved", SAVED))

    @post("/", status_code=303)
    async def create(self, at: AtCity, data: FormBody[NewField]) -> Template | Redirect:
        fields: dict[str, Any] = {
            "key": data.key.strip(),
            "labelZh": data.labelZh.strip(),
            "labelEn": data.labelEn.strip(),
            "type": data.type,
            "choices": choice_list(data.choices),
        }

        async def run() -> Any:
            new = converted(fields, CustomFieldCreate, "key", WORDING)
            return await service.create_field(at.db, at.actor, at.tenant_id, new)

        created = await attempt(at.db, run)
        if isinstance(created, DomainError):
            return await _list(at, data, errors_of(at.request, created, conflict="key"))
        return Redirect(f"/city/{at.tenant_id}/fields?saved=field", status_code=303)


async def _list(at: CityScope, form: NewField, errors: dict[str, str], *, saved: str | None = None) -> Template:
    return at.page(
        "fields/list.html",
        status_code=422 if errors else 200,
        fields=await service.list_fields(at.db, at.tenant_id),
        types=TYPES,
        form=form,
        errors=errors,
        saved=saved,
    )
