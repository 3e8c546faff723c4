"""The pages: sign-in and sign-out, the city's home and streets, a street's tabs, the operator's home.

Each handler is as thin as an API controller: check the right, call the domain services inside the
request's transaction under row-level security, render.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Final, cast, get_args

from litestar import Controller, Request, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException, ValidationException
from litestar.params import Body, FromPath, FromQuery, Parameter, QueryParameter
from litestar.response import Redirect, Template

from services.activities.service import list_activities
from services.assessments.service import list_assessments
from services.auth.service import LoginOutcome
from services.deps import Caller, Db, Tenant, app_context, requires
from services.entities.service import list_entities
from services.ledger.service import list_entries
from services.rulesets.service import get_rules
from services.shared.bounds import IdParam
from services.streetreports.service import list_internships, list_reports, survey_summary
from services.streets.schemas import StreetStatus, Theme
from services.streets.service import get_street, list_streets
from services.tenancy.service import get_settings
from services.text import Text
from services.web.accounts import AccountPages
from services.web.errors import PAGE_ERRORS
from services.web.form_pages import FieldChecks, StreetDataForms, StreetForms, saved_message
from services.web.imports import ImportPages
from services.web.password import PasswordPages
from services.web.reads import latest_assessments, matching_streets
from services.web.render import city_districts, language, page
from services.web.rules import RulePages
from services.web.session import CITY_ROLES, home_of, local_path, sign_in, signed_in, signed_out_cookie
from tenants.calendar import today
from tenants.context import Role
from tenants.ids import TenantId

PER_PAGE: Final = 20
ALL: Final = 1000
"""The most rows a page reads in one go where it must see a whole (small) list: a city's streets."""
STATUSES: Final[tuple[str, ...]] = get_args(StreetStatus)
THEMES: Final[tuple[str, ...]] = get_args(Theme)

WRONG_PASSWORD: Final = Text("用户名或密码错误，请重新输入。", "Wrong user name or password: please try again.")
LOCKED: Final = Text("登录失败次数过多，请 {wait} 秒后再试。", "Too many failed sign-ins: try again in {wait} s.")
DISABLED: Final = Text("此账号已停用，请联系管理员。", "This account is disabled: ask your administrator.")
NO_STREET: Final = Text(
    "此运营机构账号尚未绑定街区，请联系市人社局。", "This operator account has no street yet: ask the city."
)
MISSING: Final = Text("请输入用户名和密码。", "Enter your user name and password.")


MAX_USERNAME: Final = 100
MAX_PASSWORD: Final = 1000


@dataclass
class SignInForm:
    username: str = ""
    password: str = ""
    next: str = ""


class SignInPages(Controller):
    """``/``: the sign-in page for a visitor, the role's home for a signed-in user; sign-out."""

    @get("/", exclude_from_auth=True)
    async def start(
        self, request: Request[Any, Any, Any], next_path: Annotated[str | None, QueryParameter(name="next")] = None
    ) -> Template | Redirect:
        actor = await signed_in(request)
        if actor is not None:
            home = home_of(actor)
            if home is None:
                return page(
                    request,
                    "error.html",
                    status_code=403,
                    status=403,
                    actor=actor,
                    message=NO_STREET.get(language(request)),
                )
            return Redirect(home)
        return page(request, "signin.html", username="", message=None, next=local_path(next_path) or "")

    @post("/", exclude_from_auth=True, status_code=303)
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Redirect:
        username = data.username.strip()
        if not username or not data.password:
            return _sign_in_again(request, username, data.next, MISSING, 400)
        if len(username) > MAX_USERNAME or len(data.password) > MAX_PASSWORD:
            # No account has such a name or password: refused before hashing a megabyte.
            return _sign_in_again(request, username[:MAX_USERNAME], data.next, WRONG_PASSWORD, 401)
        outcome, wait, cookie = await sign_in(request, username, data.password)
        if outcome is LoginOutcome.LOCKED:
            return _sign_in_again(request, username, data.next, LOCKED.format(wait=wait), 429)
        if outcome is LoginOutcome.DISABLED:
            return _sign_in_again(request, username, data.next, DISABLED, 401)
        if cookie is None:
            return _sign_in_again(request, username, data.next, WRONG_PASSWORD, 401)
        # The next request carries the new cookie; "/" then sends the user to its role's home.
        return Redirect(local_path(data.next) or "/", cookies=[cookie], status_code=303)

    @post("/signout", exclude_from_auth=True, status_code=303)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        return Redirect("/", cookies=[signed_out_cookie(request)], status_code=303)


def _sign_in_again(
    request: Request[Any, Any, Any], username: str, next_path: str, message: Text, status: int
) -> Template:
    return page(
        request,
        "signin.html",
        status_code=status,
        username=username,
        next=local_path(next_path) or "",
        message=message.get(language(request)),
    )


class ProvincePages(Controller):
    """A province user's start: its cities (the province's own pages come with the annual cycle)."""

    path = "/province/{tenant:str}"
    guards = [requires(Role.PROVINCE_ADMIN, Role.VIEWER)]

    @get("/")
    async def home(self, request: Request[Any, Any, Any], actor: Caller, tenant_id: Tenant) -> Template:
        directory = app_context(request).directory
        if not actor.province or tenant_id != actor.tenant:
            raise NotFoundException()
        cities = [directory.get(slug) for slug in directory.children(tenant_id)]
        return page(
            request,
            "province_home.html",
            actor=actor,
            tenant=directory.get(tenant_id),
            cities=[c for c in cities if c is not None],
        )


class CityPages(Controller):
    """A city's home and its streets (the city's own roles; the province reads them)."""

    path = "/city/{tenant:str}"
    guards = [requires(*CITY_ROLES)]

    @get("/")
    async def home(self, request: Request[Any, Any, Any], db: Db, actor: Caller, tenant_id: Tenant) -> Template:
        streets = (await list_streets(db, actor, tenant_id, status=None, limit=ALL, offset=0)).items
        by_status: Counter[str] = Counter(street.status for street in streets)
        names = {street.id: street.name for street in streets}
        assessments = await latest_assessments(db, tenant_id, limit=10)
        return page(
            request,
            "city_home.html",
            actor=actor,
            tenant=_tenant(request, tenant_id),
            total=len(streets),
            by_status=[(s, by_status.get(s, 0)) for s in STATUSES],
            assessments=assessments,
            street_names=names,
        )

    @get("/streets")
    async def streets(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        tenant_id: Tenant,
        q: Annotated[str | None, Parameter(max_length=200)] = None,
        status: FromQuery[str | None] = None,
        theme: FromQuery[str | None] = None,
        district: Annotated[str | None, Parameter(max_length=6)] = None,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=10_000)] = 1,
    ) -> Template:
        # A form sends an unchosen filter as an empty value: that means "all", not a bad request.
        status, theme = _chosen("status", status, STATUSES), _chosen("theme", theme, THEMES)
        every = (
            await list_streets(db, actor, tenant_id, status=cast("StreetStatus | None", status), limit=ALL, offset=0)
        ).items
        found = matching_streets(every, search=q, theme=theme, district=district or None)
        start = (page_number - 1) * PER_PAGE
        tenant = _tenant(request, tenant_id)
        return page(
            request,
            "streets.html",
            actor=actor,
            tenant=tenant,
            streets=found[start : start + PER_PAGE],
            total=len(found),
            page_number=page_number,
            pages=max(1, math.ceil(len(found) / PER_PAGE)),
            filters={"q": q or "", "status": status or "", "theme": theme or "", "district": district or ""},
            statuses=STATUSES,
            themes=THEMES,
            districts=city_districts(tenant.code),
        )


TABS: Final[tuple[tuple[str, Text], ...]] = (
    ("profile", Text("概况", "Profile")),
    ("entities", Text("创业实体", "Entities")),
    ("activities", Text("活动", "Activities")),
    ("reports", Text("月报", "Monthly reports")),
    ("surveys", Text("满意度调查", "Surveys")),
    ("internships", Text("见习岗位", "Internships")),
    ("ledger", Text("帮扶台账", "Ledger")),
    ("assessments", Text("评估", "Assessments")),
)
DATA_WRITERS: Final = frozenset({Role.CITY_ADMIN, Role.OPERATOR})
"""Who fills in a street's data forms (as in the API: an operator only on its own street)."""
LEDGER_READERS: Final = frozenset(CITY_ROLES)
"""The ledger is the city's record of support: operators do not see it (as in the API)."""


class StreetPages(Controller):
    """A street's page with its tabs, and the operator's home; an operator sees only its own street."""

    path = "/city/{tenant:str}/streets/{street_id:int}"

    @get("/")
    async def profile(
        self, request: Request[Any, Any, Any], db: Db, actor: Caller, tenant_id: Tenant, street_id: IdParam
    ) -> Template:
        return await self._tab(request, db, actor, tenant_id, street_id, "profile", 1)

    @get("/{tab:str}")
    async def tab(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        tenant_id: Tenant,
        street_id: IdParam,
        tab: FromPath[str],
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=10_000)] = 1,
    ) -> Template:
        if tab == "home":
            return await self._home(request, db, actor, tenant_id, street_id)
        return await self._tab(request, db, actor, tenant_id, street_id, tab, page_number)

    async def _tab(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        tenant_id: Tenant,
        street_id: int,
        tab: str,
        page_number: int,
    ) -> Template:
        tabs = [(key, name) for key, name in TABS if key != "ledger" or actor.role in LEDGER_READERS]
        street = await get_street(db, actor, tenant_id, street_id)
        if tab not in dict(tabs):
            raise NotFoundException()
        data = await _TAB_READS[tab](TabRead(db, actor, tenant_id, street_id, page_number))
        # htmx swaps only the tabs; a plain request (no JavaScript) gets the whole page.
        template = "street/tabs.html" if request.headers.get("hx-request") else "street.html"
        return page(
            request,
            template,
            actor=actor,
            tenant=_tenant(request, tenant_id),
            street=street,
            tabs=tabs,
            tab=tab,
            page_number=page_number,
            saved=saved_message(request),
            writer=actor.role in DATA_WRITERS,
            **data,
        )

    async def _home(
        self, request: Request[Any, Any, Any], db: Db, actor: Caller, tenant_id: Tenant, street_id: int
    ) -> Template:
        street = await get_street(db, actor, tenant_id, street_id)
        now = today()
        settings = await get_settings(db, tenant_id)
        due_month = (now.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        reports = {
            r.month
            for r in (
                await list_reports(db, actor, tenant_id, street_id, year=due_month.year, limit=ALL, offset=0)
            ).items
        }
        activities = (await list_activities(db, actor, tenant_id, street_id, year=now.year, limit=ALL, offset=0)).items
        rules = {c.fact: c for c in (await get_rules(db, tenant_id, now.year)).criteria}
        surveys = await survey_summary(db, actor, tenant_id, street_id, year=now.year)
        latest = (await list_assessments(db, actor, tenant_id, street_id, year=None, limit=1, offset=0)).items
        return page(
            request,
            "operator_home.html",
            actor=actor,
            tenant=_tenant(request, tenant_id),
            street=street,
            year=now.year,
            report_month=due_month.strftime("%Y-%m"),
            report_done=due_month.strftime("%Y-%m") in reports,
            report_due=now.replace(day=settings.report_deadline_day),
            overdue=now.day > settings.report_deadline_day,
            activities=len(activities),
            activities_required=rules["activities"].value if "activities" in rules else None,
            surveys=surveys,
            satisfaction_required=rules["satisfaction"].value if "satisfaction" in rules else None,
            assessment=latest[0] if latest else None,
        )


# ------------------------------------------------------------------------------------------ the street's tabs


@dataclass(frozen=True)
class TabRead:
    """What every tab reads with: the request's transaction, the caller, the street, the page of a list."""

    db: Db
    actor: Caller
    tenant: TenantId
    street_id: int
    page_number: int

    @property
    def offset(self) -> int:
        return (self.page_number - 1) * PER_PAGE


async def _profile(_: TabRead) -> dict[str, Any]:
    return {}  # the street itself is all the profile shows


async def _entities(q: TabRead) -> dict[str, Any]:
    rows = (await list_entities(q.db, q.actor, q.tenant, q.street_id, limit=PER_PAGE + 1, offset=q.offset)).items
    return {"rows": rows[:PER_PAGE], "more": len(rows) > PER_PAGE}


async def _activities(q: TabRead) -> dict[str, Any]:
    rows = (
        await list_activities(q.db, q.actor, q.tenant, q.street_id, year=None, limit=PER_PAGE + 1, offset=q.offset)
    ).items
    return {"rows": rows[:PER_PAGE], "more": len(rows) > PER_PAGE}


async def _reports(q: TabRead) -> dict[str, Any]:
    rows = (await list_reports(q.db, q.actor, q.tenant, q.street_id, year=None, limit=ALL, offset=0)).items
    return {"rows": list(reversed(rows))}  # newest first; at most twelve a year


async def _surveys(q: TabRead) -> dict[str, Any]:
    year = today().year
    return {"year": year, "summary": await survey_summary(q.db, q.actor, q.tenant, q.street_id, year=year)}


async def _entity_names(q: TabRead) -> dict[int, str]:
    """The street's entity names, read once for a whole table (never a query per row)."""
    entities = await list_entities(q.db, q.actor, q.tenant, q.street_id, limit=ALL, offset=0)
    return {e.id: e.name for e in entities.items}


async def _internships(q: TabRead) -> dict[str, Any]:
    rows = (await list_internships(q.db, q.actor, q.tenant, q.street_id, open_on=None, limit=ALL, offset=0)).items
    names = await _entity_names(q) if any(r.entity_id for r in rows) else {}
    return {"rows": rows, "entity_names": names}


async def _ledger(q: TabRead) -> dict[str, Any]:
    if q.actor.role not in LEDGER_READERS:
        raise PermissionDeniedException()
    rows = (
        await list_entries(
            q.db, q.tenant, status=None, entity_id=None, street_id=q.street_id, limit=PER_PAGE + 1, offset=q.offset
        )
    ).items
    names = await _entity_names(q) if rows else {}
    return {"rows": rows[:PER_PAGE], "more": len(rows) > PER_PAGE, "entity_names": names}


async def _assessments(q: TabRead) -> dict[str, Any]:
    rows = (
        await list_assessments(q.db, q.actor, q.tenant, q.street_id, year=None, limit=PER_PAGE + 1, offset=q.offset)
    ).items
    return {"rows": rows[:PER_PAGE], "more": len(rows) > PER_PAGE}


_TAB_READS: Final[dict[str, Callable[[TabRead], Awaitable[dict[str, Any]]]]] = {
    "profile": _profile,
    "entities": _entities,
    "activities": _activities,
    "reports": _reports,
    "surveys": _surveys,
    "internships": _internships,
    "ledger": _ledger,
    "assessments": _assessments,
}


def _chosen(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise ValidationException(f"{name}: {value}")
    return value


def _tenant(request: Request[Any, Any, Any], tenant_id: Tenant) -> Any:
    return app_context(request).directory.get(tenant_id)


WEB_ROUTES: Final = Router(
    path="/",
    route_handlers=[
        SignInPages,
        ProvincePages,
        CityPages,
        StreetPages,
        StreetForms,
        StreetDataForms,
        FieldChecks,
        PasswordPages,
        AccountPages,
        ImportPages,
        RulePages,
    ],
    exception_handlers=PAGE_ERRORS,
    include_in_schema=False,
)
"""The pages, added to the app beside the API's controllers; a refusal answers as a page."""
