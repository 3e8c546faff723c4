"""``/city/{tenant}/streets/{id}``: a street's page with its tabs, and ``…/home``, the operator's home."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from services.activities.service import list_activities
from services.assessments.service import list_assessments
from services.attestations.controllers import UPLOAD_BYTES
from services.attestations.schemas import CLAIMS, AttestationDecision
from services.attestations.service import decide, list_attestations
from services.deps import requires
from services.entities.service import list_entities
from services.errors import DomainError
from services.grades.service import grade_history
from services.ledger.service import list_entries
from services.rulesets.service import get_rules
from services.streetreports.service import list_internships, list_reports, survey_summary
from services.tenancy.service import get_settings
from services.text import Text
from services.web.form_pages import SAVED
from services.web.reads import assessment_ruleset
from services.web.refusals import attempt, converted, field_of, message
from services.web.render import notice
from services.web.scope import ALL, PER_PAGE, STREET_SCOPE, AtStreet, PageNumber, StreetScope, known, offset_of
from services.web.session import CITY_ROLES
from services.web.verdicts import criterion_lines
from services.workload.service import list_services
from tenants.calendar import today
from tenants.context import Role

TABS: Final[tuple[tuple[str, Text], ...]] = (
    ("profile", Text("概况", "Profile")),
    ("entities", Text("创业实体", "Entities")),
    ("activities", Text("活动", "Activities")),
    ("reports", Text("月报", "Monthly reports")),
    ("surveys", Text("满意度调查", "Surveys")),
    ("internships", Text("见习岗位", "Internships")),
    ("services", Text("服务记录", "Centre services")),
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
    dependencies = STREET_SCOPE

    @get("/")
    async def profile(self, at: AtStreet) -> Template:
        return await _tab(at, "profile", 1)

    @get("/{tab:str}")
    async def tab(
        self,
        at: AtStreet,
        tab: FromPath[str],
        page_number: PageNumber = 1,
    ) -> Template:
        if tab == "home":
            return await _home(at)
        return await _tab(at, tab, page_number)

    @post(
        "/attestations/{claim:str}",
        guards=[requires(Role.CITY_ADMIN)],
        status_code=303,
        request_max_body_size=UPLOAD_BYTES,
    )
    async def decide(
        self,
        at: AtStreet,
        claim: FromPath[str],
        data: Annotated[DecisionForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        """The city admin verifies or rejects one of the operator's claims, with a note and an evidence file."""
        known(dict.fromkeys(CLAIMS), claim)
        evidence = await data.file.read() if data.file is not None else b""

        async def run() -> Any:
            decision = converted({"status": data.status, "note": data.note}, AttestationDecision, "status")
            return await decide(at.db, at.actor, at.tenant_id, at.street_id, claim, decision, evidence or None)

        result = await attempt(at.db, run)
        if isinstance(result, DomainError):
            if result.status_code == 404:
                raise NotFoundException()
            refused = {"claim": claim, "field": field_of(result) or "form", "message": message(at.request, result)}
            return await _tab(at, "profile", 1, status_code=422, refused=refused)
        return Redirect(f"/city/{at.tenant_id}/streets/{at.street_id}?saved=attestation", status_code=303)


@dataclass
class DecisionForm:
    """The verification form of one claim: verified or rejected, the note, and an optional evidence file."""

    status: str = ""
    note: str = ""
    file: UploadFile | None = None


async def _tab(at: StreetScope, tab: str, page_number: int, *, status_code: int = 200, **extra: Any) -> Template:
    tabs = [(key, name) for key, name in TABS if key != "ledger" or at.actor.role in LEDGER_READERS]
    if tab not in dict(tabs):
        raise NotFoundException()
    data = await _TAB_READS[tab](TabRead(at.request, at.db, at.actor, at.tenant_id, at.street, page_number))
    # htmx swaps only the tabs; a plain request (no JavaScript) gets the whole page.
    template = "street/tabs.html" if at.request.headers.get("hx-request") else "street.html"
    return at.page(
        template,
        status_code=status_code,
        tabs=tabs,
        tab=tab,
        page_number=page_number,
        saved=notice(at.request, "saved", SAVED),
        writer=at.actor.role in DATA_WRITERS,
        **data,
        **extra,
    )


async def _home(at: StreetScope) -> Template:
    db, actor, tenant_id, street_id = at.db, at.actor, at.tenant_id, at.street_id
    now = today()
    settings = await get_settings(db, tenant_id)
    due_month = (now.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    reports = {
        r.month
        for r in (await list_reports(db, actor, tenant_id, street_id, year=due_month.year, limit=ALL, offset=0)).items
    }
    activities = (await list_activities(db, actor, tenant_id, street_id, year=now.year, limit=ALL, offset=0)).items
    rules = {c.fact: c for c in (await get_rules(db, tenant_id, now.year)).criteria}
    surveys = await survey_summary(db, actor, tenant_id, street_id, year=now.year)
    latest = (await list_assessments(db, actor, tenant_id, street_id, year=None, limit=1, offset=0)).items
    ruleset = await assessment_ruleset(db, tenant_id, latest[0].id) if latest else None
    unmet = (
        [line for line in criterion_lines(latest[0].criteria, ruleset, latest[0].unverified_claims) if line.missing]
        if latest
        else []
    )
    return at.page(
        "operator_home.html",
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
        unmet=unmet,
    )


# ------------------------------------------------------------------------------------------ the street's tabs


@dataclass(frozen=True)
class TabRead(StreetScope):
    """What every tab reads with: the street page's scope, and the page of a list."""

    page_number: int

    @property
    def offset(self) -> int:
        return offset_of(self.page_number)


LIMIT: Final = PER_PAGE + 1
"""A paged tab reads one row past its page, to know whether another page follows."""


def _paged(rows: Sequence[Any]) -> dict[str, Any]:
    """The page's rows of a list read with :data:`LIMIT`, and whether more follow."""
    return {"rows": rows[:PER_PAGE], "more": len(rows) > PER_PAGE}


async def _profile(q: TabRead) -> dict[str, Any]:
    # The street itself, and where the verification of its operator's claims stands.
    return {"attestations": await list_attestations(q.db, q.actor, q.tenant_id, q.street_id)}


async def _entities(q: TabRead) -> dict[str, Any]:
    return _paged((await list_entities(q.db, q.actor, q.tenant_id, q.street_id, limit=LIMIT, offset=q.offset)).items)


async def _activities(q: TabRead) -> dict[str, Any]:
    read = await list_activities(q.db, q.actor, q.tenant_id, q.street_id, year=None, limit=LIMIT, offset=q.offset)
    return _paged(read.items)


async def _reports(q: TabRead) -> dict[str, Any]:
    rows = (await list_reports(q.db, q.actor, q.tenant_id, q.street_id, year=None, limit=ALL, offset=0)).items
    return {"rows": list(reversed(rows))}  # newest first; at most twelve a year


async def _surveys(q: TabRead) -> dict[str, Any]:
    year = today().year
    return {"year": year, "summary": await survey_summary(q.db, q.actor, q.tenant_id, q.street_id, year=year)}


async def _entity_names(q: TabRead) -> dict[int, str]:
    """The street's entity names, read once for a whole table (never a query per row)."""
    entities = await list_entities(q.db, q.actor, q.tenant_id, q.street_id, limit=ALL, offset=0)
    return {e.id: e.name for e in entities.items}


async def _internships(q: TabRead) -> dict[str, Any]:
    rows = (await list_internships(q.db, q.actor, q.tenant_id, q.street_id, open_on=None, limit=ALL, offset=0)).items
    names = await _entity_names(q) if any(r.entity_id for r in rows) else {}
    return {"rows": rows, "entity_names": names}


async def _services(q: TabRead) -> dict[str, Any]:
    read = await list_services(q.db, q.actor, q.tenant_id, q.street_id, year=None, limit=LIMIT, offset=q.offset)
    return _paged(read.items)


async def _ledger(q: TabRead) -> dict[str, Any]:
    if q.actor.role not in LEDGER_READERS:
        raise PermissionDeniedException()
    rows = (
        await list_entries(
            q.db, q.tenant_id, status=None, entity_id=None, street_id=q.street_id, limit=LIMIT, offset=q.offset
        )
    ).items
    names = await _entity_names(q) if rows else {}
    return {**_paged(rows), "entity_names": names}


async def _assessments(q: TabRead) -> dict[str, Any]:
    read = await list_assessments(q.db, q.actor, q.tenant_id, q.street_id, year=None, limit=LIMIT, offset=q.offset)
    # The first page opens with the latest assessment's criteria, judged by the rules it stored.
    latest = read.items[0] if read.items and q.page_number == 1 else None
    ruleset = await assessment_ruleset(q.db, q.tenant_id, latest.id) if latest is not None else None
    lines = criterion_lines(latest.criteria, ruleset, latest.unverified_claims) if latest is not None else []
    grades = await grade_history(q.db, q.actor, q.tenant_id, q.street_id) if q.page_number == 1 else []
    return {**_paged(read.items), "latest": latest, "lines": lines, "grades": grades}


_TAB_READS: Final[dict[str, Callable[[TabRead], Awaitable[dict[str, Any]]]]] = {
    "profile": _profile,
    "entities": _entities,
    "activities": _activities,
    "services": _services,
    "reports": _reports,
    "surveys": _surveys,
    "internships": _internships,
    "ledger": _ledger,
    "assessments": _assessments,
}
