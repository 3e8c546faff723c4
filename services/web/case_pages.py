"""``/city/{tenant}/cases``: a city's typical cases — the street drafts (its operator or the city admin), submits
and adds images, the city admin accepts or returns; ``/province/{tenant}/cases``: the province publishes.

Each handler checks the right, calls the same service as the API in a savepoint, and renders or redirects."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Final

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from services.cases import publication, service
from services.cases.schemas import EDITABLE, CaseCreate, CaseReview, CaseUpdate
from services.cases.text import body_html
from services.deps import At, requires
from services.errors import DomainError
from services.shared.bounds import IdParam
from services.shared.imports import Upload
from services.streets.service import list_streets
from services.text import Text
from services.web.forms import FormBody
from services.web.refusals import attempt, converted, errors_of
from services.web.render import notice, page
from services.web.scope import ALL, CITY_SCOPE, AtCity, CityScope, tenant_of
from services.web.session import CITY_ROLES
from tenants.calendar import today
from tenants.context import Role

CATEGORIES: Final = ("business_cultivation", "incubation", "finance", "digital_platform", "youth")
WRITERS: Final = (Role.CITY_ADMIN, Role.OPERATOR)
DONE: Final = {
    "created": Text("案例草稿已保存。", "The draft was saved."),
    "saved": Text("修改已保存。", "The changes were saved."),
    "submitted": Text("已提交市级审核。", "Submitted to the city for review."),
    "reviewed": Text("审核结果已保存。", "The review was saved."),
    "image": Text("图片已上传。", "The image was added."),
}
_FIGURE: Final = re.compile(r"\s*[：:]\s*")


@dataclass
class CaseForm:
    streetId: str = ""  # noqa: N815 - the API's own field names, so that its errors name the form's fields
    title: str = ""
    category: str = ""
    summary: str = ""
    body: str = ""
    figures: str = ""
    """One figure a line: ``带动就业：1,200 人``."""
    year: str = ""


@dataclass
class ReviewForm:
    decision: str = ""
    comment: str = ""


def figure_list(typed: str) -> list[dict[str, str]]:
    """The key figures typed one a line as ``名称：数值``; a line without a colon is a name without value (refused
    by the schema, naming the field)."""
    found = []
    for line in typed.splitlines():
        if line.strip():
            parts = _FIGURE.split(line.strip(), maxsplit=1)
            found.append({"label": parts[0], "value": parts[1] if len(parts) > 1 else ""})
    return found


def figures_text(figures: list[Any]) -> str:
    return "\n".join(f"{f.label}：{f.value}" for f in figures)


def _fields(data: CaseForm) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": data.title.strip(),
        "category": data.category,
        "summary": data.summary.strip(),
        "body": data.body.strip(),
        "figures": figure_list(data.figures),
    }
    if data.year.strip():
        fields["year"] = data.year.strip()
    return fields


class CityCasePages(Controller):
    path = "/city/{tenant:str}/cases"
    guards = [requires(*CITY_ROLES, Role.OPERATOR)]
    dependencies = CITY_SCOPE

    @get("/")
    async def cases(self, at: AtCity) -> Template:
        return await _list(at, CaseForm(), {})

    @post("/", guards=[requires(*WRITERS)], status_code=303)
    async def create(self, at: AtCity, data: FormBody[CaseForm]) -> Template | Redirect:
        fields = {"streetId": data.streetId or "0", **_fields(data)}

        async def run() -> Any:
            return await service.create_case(at.db, at.actor, at.tenant_id, converted(fields, CaseCreate, "title"))

        created = await attempt(at.db, run)
        if isinstance(created, DomainError):
            return await _list(at, data, _errors(at.request, created))
        return Redirect(f"/city/{at.tenant_id}/cases/{created.id}?done=created", status_code=303)

    @get("/{case_id:int}")
    async def case(self, at: AtCity, case_id: IdParam) -> Template:
        return await _case(at, case_id, None, {})

    @post("/{case_id:int}", guards=[requires(*WRITERS)], status_code=303)
    async def update(self, at: AtCity, case_id: IdParam, data: FormBody[CaseForm]) -> Template | Redirect:
        fields = _fields(data)

        async def run() -> Any:
            change = converted(fields, CaseUpdate, "title")
            return await service.update_case(at.db, at.actor, at.tenant_id, case_id, change)

        return await _after(at, case_id, run, "saved", data)

    @post("/{case_id:int}/submit", guards=[requires(*WRITERS)], status_code=303)
    async def submit(self, at: AtCity, case_id: IdParam) -> Template | Redirect:
        async def run() -> Any:
            return await service.submit_case(at.db, at.actor, at.tenant_id, case_id)

        return await _after(at, case_id, run, "submitted")

    @post("/{case_id:int}/review", guards=[requires(Role.CITY_ADMIN)], status_code=303)
    async def review(self, at: AtCity, case_id: IdParam, data: FormBody[ReviewForm]) -> Template | Redirect:
        fields = {"decision": data.decision, "comment": data.comment.strip() or None}

        async def run() -> Any:
            decision = converted(fields, CaseReview, "decision")
            return await service.review_case(at.db, at.actor, at.tenant_id, case_id, decision)

        return await _after(at, case_id, run, "reviewed")

    @post("/{case_id:int}/images", guards=[requires(*WRITERS)], status_code=303, request_max_body_size=6 * 1024 * 1024)
    async def image(
        self, at: AtCity, case_id: IdParam, data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)]
    ) -> Template | Redirect:
        content = await data.file.read()

        async def run() -> Any:
            return await service.add_image(at.db, at.actor, at.tenant_id, case_id, content)

        return await _after(at, case_id, run, "image")


async def _after(
    at: CityScope, case_id: int, run: Callable[[], Awaitable[Any]], done: str, form: CaseForm | None = None
) -> Template | Redirect:
    """Run a change; on refusal the case page again with the message beside its field, else back to the case."""
    result = await attempt(at.db, run)
    if isinstance(result, DomainError):
        return await _case(at, case_id, form, _errors(at.request, result))
    return Redirect(f"/city/{at.tenant_id}/cases/{case_id}?done={done}", status_code=303)


def _errors(request: Request[Any, Any, Any], refused: DomainError) -> dict[str, str]:
    """A refusal beside the case form's field; another city's street or case is the not-found page."""
    if refused.status_code == 404:
        raise NotFoundException()
    return errors_of(request, refused)


def _city_page(at: CityScope, template: str, form: CaseForm, errors: dict[str, str], **context: Any) -> Template:
    """A city's case page ``template``: the cases menu (an operator's under its street), the case form as typed
    or stored and each refusal beside its field."""
    actor = at.actor
    return at.page(
        template,
        status_code=422 if errors else 200,
        street={"id": actor.street_id} if actor.role == Role.OPERATOR and actor.street_id else None,
        section="cases",
        categories=CATEGORIES,
        form=form,
        errors=errors,
        **context,
    )


async def _list(at: CityScope, form: CaseForm, errors: dict[str, str]) -> Template:
    cases = await service.list_cases(at.db, at.actor, at.tenant_id, limit=ALL)
    streets: list[tuple[str, str]] = []
    if at.actor.role in WRITERS:
        found = await list_streets(at.db, at.actor, at.tenant_id, status=None, limit=ALL, offset=0)
        streets = [(str(street.id), street.name) for street in found.items]
    return _city_page(at, "cases/city_list.html", form, errors, cases=cases.items, streets=streets)


async def _case(at: CityScope, case_id: int, form: CaseForm | None, errors: dict[str, str]) -> Template:
    case = await service.get_case(at.db, at.actor, at.tenant_id, case_id)
    if form is None:
        form = CaseForm(
            title=case.title,
            category=case.category,
            summary=case.summary,
            body=case.body,
            figures=figures_text(case.figures),
            year=str(case.year),
        )
    return _city_page(
        at,
        "cases/city_case.html",
        form,
        errors,
        case=case,
        body=body_html(case.body),
        editable=case.status in EDITABLE and at.actor.role in WRITERS,
        reviewable=case.status == "submitted" and at.actor.role == Role.CITY_ADMIN,
        done=notice(at.request, "done", DONE),
    )


class ProvinceCasePages(Controller):
    path = "/province/{tenant:str}/cases"
    guards = [requires(Role.PROVINCE_ADMIN, Role.VIEWER, province=True)]

    @get("/")
    async def cases(self, at: At) -> Template:
        directory = at.context.directory
        found = await publication.province_cases(at.db, at.actor, directory, at.tenant_id, limit=ALL)
        names = {c.slug: c for c in directory.all()}
        return page(
            at.request,
            "cases/province_list.html",
            actor=at.actor,
            tenant=tenant_of(at.request, at.tenant_id),
            province_slug=at.tenant_id,
            year=today().year,
            section="cases",
            cases=found.items,
            cities=names,
        )

    @post(
        "/{city:str}/{case_id:int}/{action:str}", guards=[requires(Role.PROVINCE_ADMIN, province=True)], status_code=303
    )
    async def publish(self, at: At, city: FromPath[str], case_id: IdParam, action: FromPath[str]) -> Redirect:
        if action not in ("publish", "unpublish"):
            raise NotFoundException()
        publish = action == "publish"
        await publication.set_published(
            at.db, at.actor, at.context.directory, at.tenant_id, city, case_id, publish=publish
        )
        return Redirect(f"/province/{at.tenant_id}/cases", status_code=303)
