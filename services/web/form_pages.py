"""The data forms: the city admin's street form, and a street's monthly report, activity, survey answer,
internship position and entity, for the street's operator and the city admin.

Each post goes through :func:`services.web.forms.submit` into the same service function as the API, in the
request's transaction; a refused form comes back with the messages beside its fields and what was typed.
A saved one redirects (POST/redirect/GET) to the tab that lists it, with a message naming what was saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, get_args

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from services.activities.schemas import ActivityCreate, ActivityKind
from services.activities.service import create_activity
from services.deps import STREET_DATA_WRITERS, Caller, Db, Tenant, requires
from services.entities.schemas import EntityClass, EntityCreate, EntityKind, FounderGroup
from services.entities.service import create_entity, list_entities
from services.errors import DomainError
from services.shared.checks import checked_uscc
from services.streetreports.schemas import InternshipCreate, MonthlyReportCreate, SurveySubmission
from services.streetreports.service import create_internship, create_report, create_surveys
from services.streets.schemas import CenterService, Street, StreetCreate, StreetUpdate, Theme
from services.streets.service import create_street, update_street
from services.text import Text
from services.web.forms import Form, FormError, as_text, posted, shown, submit
from services.web.render import city_districts, language, page
from services.web.scope import ALL, STREET_SCOPE, AtStreet, StreetScope, known, tenant_of
from services.workload.schemas import CenterServiceCreate, ServiceKind
from services.workload.service import create_service
from tenants.calendar import today
from tenants.context import Actor, Role
from tenants.ids import TenantId

THEMES: Final[tuple[str, ...]] = get_args(Theme)
SERVICES: Final[tuple[str, ...]] = get_args(CenterService)
ACTIVITY_KINDS: Final[tuple[str, ...]] = get_args(ActivityKind)
SERVICE_KINDS: Final[tuple[str, ...]] = get_args(ServiceKind)
ENTITY_KINDS: Final[tuple[str, ...]] = get_args(EntityKind)
ENTITY_CLASSES: Final[tuple[str, ...]] = get_args(EntityClass)
FOUNDER_GROUPS: Final[tuple[str, ...]] = get_args(FounderGroup)
BLANK_STAFF_ROWS: Final = 2
"""Empty staff rows under the filled ones: more people are added by saving and editing again."""
CLEARABLE: Final = ("theme", "operator.digitalPlatformUrl")
"""The street's optional fields: emptied on the edit form, they are set to nothing (not left as they were)."""

SAVED: Final[dict[str, Text]] = {
    "street": Text("街区已保存。", "The street was saved."),
    "report": Text("月报已提交。", "The monthly report was submitted."),
    "activity": Text("活动已登记。", "The activity was recorded."),
    "survey": Text("满意度答卷已登记。", "The survey answer was recorded."),
    "internship": Text("见习岗位已登记。", "The internship position was recorded."),
    "entity": Text("创业实体已登记。", "The entity was registered."),
    "service": Text("服务记录已登记。", "The service was recorded."),
    "attestation": Text("核实结论已保存。", "The verification was saved."),
}
"""The message a tab shows after a form saved (``?saved=report``): only these, never text from the URL."""

USCC_OK: Final = Text("统一社会信用代码校验通过。", "The USCC checks out.")
DISTRICT_WRONG: Final = Text("请从列表中选择本市的区县。", "Choose one of the city's districts.")


# ----------------------------------------------------------------------------------------------- the street


def street_values(street: Street) -> dict[str, str | list[str]]:
    """A stored street as the values of its form (the inputs are named by the JSON paths of StreetUpdate)."""
    values: dict[str, str | list[str]] = {
        "name": street.name,
        "district": street.district,
        "theme": street.theme or "",
    }
    if street.operator is not None:
        values |= {
            "operator.name": street.operator.name,
            "operator.uscc": street.operator.uscc,
            "operator.legalPerson": _flag(street.operator.legal_person),
            "operator.cleanRecord": _flag(street.operator.clean_record),
            "operator.digitalPlatformUrl": street.operator.digital_platform_url or "",
        }
    if street.center is not None:
        values |= {
            "center.fixedSite": _flag(street.center.fixed_site),
            "center.address": street.center.address,
            "center.services[]": list(street.center.services),
        }
        for index, member in enumerate(street.center.staff):
            values |= {
                f"center.staff.{index}.name": member.name,
                f"center.staff.{index}.role": member.role,
                f"center.staff.{index}.fullTime": _flag(member.full_time),
            }
    return values


def _flag(value: bool | None) -> str:
    return "true" if value else "false"


class StreetForms(Controller):
    """``/city/{tenant}/streets/new`` and ``…/streets/{id}/edit``: the city admin registers and changes streets."""

    path = "/city/{tenant:str}/streets"
    guards = [requires(Role.CITY_ADMIN)]
    dependencies = STREET_SCOPE

    @get("/new")
    async def new(self, request: Request[Any, Any, Any], actor: Caller, tenant_id: Tenant) -> Template:
        form = Form(values={"center.fixedSite": "true"})
        return _street_page(request, actor, tenant_id, None, form)

    @post("/new", status_code=303)
    async def create(
        self, request: Request[Any, Any, Any], db: Db, actor: Caller, tenant_id: Tenant
    ) -> Template | Redirect:
        values = await posted(request)
        try:
            street = await submit(db, values, StreetCreate, lambda data: create_street(db, actor, tenant_id, data))
        except FormError as refused:
            form = shown(values, refused.problems, language(request))
            return _street_page(request, actor, tenant_id, None, form, status_code=422)
        return _saved(tenant_id, street.id, "", "street")

    @get("/{street_id:int}/edit")
    async def edit(self, at: AtStreet) -> Template:
        return _street_page(at.request, at.actor, at.tenant_id, at.street, Form(values=street_values(at.street)))

    @post("/{street_id:int}/edit", status_code=303)
    async def change(self, at: AtStreet) -> Template | Redirect:
        values = await posted(at.request)
        # Every box of the form is sent: no ticked service means none (StreetUpdate would read absent as unchanged).
        values.setdefault("center.services[]", [])
        try:
            await submit(
                at.db,
                values,
                StreetUpdate,
                lambda data: update_street(at.db, at.actor, at.tenant_id, at.street_id, data),
                cleared=CLEARABLE,
            )
        except FormError as refused:
            form = shown(values, refused.problems, language(at.request))
            return _street_page(at.request, at.actor, at.tenant_id, at.street, form, status_code=422)
        return _saved(at.tenant_id, at.street_id, "", "street")


def _street_page(
    request: Request[Any, Any, Any],
    actor: Caller,
    tenant_id: Tenant,
    street: Street | None,
    form: Form,
    *,
    status_code: int = 200,
) -> Template:
    tenant = tenant_of(request, tenant_id)
    return page(
        request,
        "forms/street.html",
        status_code=status_code,
        actor=actor,
        tenant=tenant,
        street=street,
        form=form,
        districts=city_districts(tenant.code),
        themes=THEMES,
        services=SERVICES,
        staff_rows=form.rows("center.staff", BLANK_STAFF_ROWS),
        section="streets",
    )


# ------------------------------------------------------------------------------------------ a street's data


Save = Callable[[AsyncSession, Actor, TenantId, int, Any], Awaitable[Any]]


@dataclass(frozen=True)
class DataForm:
    """One of a street's data forms: its template, the API's input Struct and service, the tab listing it."""

    template: str
    into: type[Any]
    save: Save
    tab: str
    defaults: Callable[[], dict[str, str | list[str]]]
    conflict: str = ""
    """The field a conflict with stored data is about (a month already reported, a USCC already registered)."""


def _last_month() -> dict[str, str | list[str]]:
    """The month a report is due for: the last whole month."""
    return {"month": (today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")}


def _today(name: str) -> Callable[[], dict[str, str | list[str]]]:
    return lambda: {name: today().isoformat()}


DATA_FORMS: Final[dict[str, DataForm]] = {
    "report": DataForm("forms/report.html", MonthlyReportCreate, create_report, "reports", _last_month, "month"),
    "activity": DataForm("forms/activity.html", ActivityCreate, create_activity, "activities", _today("heldOn")),
    "survey": DataForm("forms/survey.html", SurveySubmission, create_surveys, "surveys", _today("respondedOn")),
    "internship": DataForm(
        "forms/internship.html", InternshipCreate, create_internship, "internships", _today("openedOn")
    ),
    "service": DataForm("forms/service.html", CenterServiceCreate, create_service, "services", _today("servedOn")),
    "entity": DataForm(
        "forms/entity.html", EntityCreate, create_entity, "entities", lambda: {"operating": "true"}, "uscc"
    ),
}
"""``/city/{tenant}/streets/{id}/new/{kind}`` for each kind."""


class StreetDataForms(Controller):
    """A street's data forms, for its operator (its own street only) and the city admin."""

    path = "/city/{tenant:str}/streets/{street_id:int}/new"
    guards = [STREET_DATA_WRITERS]
    dependencies = STREET_SCOPE

    @get("/{kind:str}")
    async def blank(self, at: AtStreet, kind: FromPath[str]) -> Template:
        return await _data_page(at, kind, Form(values=known(DATA_FORMS, kind).defaults()))

    @post("/{kind:str}", status_code=303)
    async def save(self, at: AtStreet, kind: FromPath[str]) -> Template | Redirect:
        spec = known(DATA_FORMS, kind)
        values = await posted(at.request)
        try:
            await submit(
                at.db,
                values,
                spec.into,
                lambda data: spec.save(at.db, at.actor, at.tenant_id, at.street_id, data),
                conflict=spec.conflict,
            )
        except FormError as refused:
            form = shown(values, refused.problems, language(at.request))
            return await _data_page(at, kind, form, status_code=422)
        return _saved(at.tenant_id, at.street_id, spec.tab, kind)


async def _data_page(at: StreetScope, kind: str, form: Form, *, status_code: int = 200) -> Template:
    spec = DATA_FORMS[kind]
    extra: dict[str, Any] = {}
    if kind == "internship":
        entities = await list_entities(at.db, at.actor, at.tenant_id, at.street_id, limit=ALL, offset=0)
        extra["entities"] = [(str(e.id), e.name) for e in entities.items]
    return at.page(
        spec.template,
        status_code=status_code,
        form=form,
        back=_tab_path(at.tenant_id, at.street_id, spec.tab),
        activity_kinds=ACTIVITY_KINDS,
        service_kinds=SERVICE_KINDS,
        entity_kinds=ENTITY_KINDS,
        entity_classes=ENTITY_CLASSES,
        founder_groups=FOUNDER_GROUPS,
        section="street" if at.actor.role == Role.OPERATOR else "streets",
        **extra,
    )


def _tab_path(tenant_id: Tenant, street_id: int, tab: str) -> str:
    """The street's page at its tab ``tab`` (none: the street's page as it opens)."""
    return f"/city/{tenant_id}/streets/{street_id}" + (f"/{tab}" if tab else "")


def _saved(tenant_id: Tenant, street_id: int, tab: str, kind: str) -> Redirect:
    return Redirect(f"{_tab_path(tenant_id, street_id, tab)}?saved={kind}", status_code=303)


# ------------------------------------------------------------------------------------------- inline checks


class FieldChecks(Controller):
    """``/city/{tenant}/checks/{kind}?<field>=<value>``: a field's message while the form is filled in (htmx on
    blur), from the same checks the save runs; the save checks again on the server."""

    path = "/city/{tenant:str}/checks"
    guards = [STREET_DATA_WRITERS]

    @get("/{kind:str}")
    async def check(self, request: Request[Any, Any, Any], tenant_id: Tenant, kind: FromPath[str]) -> Template:
        name, value = _checked_field(request.query_params)
        lang = language(request)
        error: str | None = None
        ok: str | None = None
        if kind == "uscc":
            try:
                checked_uscc(name, value)
                ok = USCC_OK.get(lang) if value else None
            except DomainError as refused:
                error = as_text(refused).get(lang)
        elif kind == "district":
            codes = {code for code, _ in city_districts(tenant_of(request, tenant_id).code)}
            error = None if value in codes else DISTRICT_WRONG.get(lang)
        else:
            raise NotFoundException()
        return page(request, "forms/_check.html", name=name, error=error, ok=ok)


def _checked_field(query: Mapping[str, str]) -> tuple[str, str]:
    """The one field the input sent (its name is the JSON path the form uses)."""
    for name, value in query.items():
        if name != "lang":
            return name[:100], value.strip()[:200]
    raise NotFoundException()
